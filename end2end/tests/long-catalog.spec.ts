import { Page } from "@playwright/test";
import { readFileSync } from "fs";
import { catalogCsv } from "./support/server";
import { expect, live, logIn, openLive, PASSWORD, test } from "./support/fixtures";

// A catalog longer than a page: the live page shows a window of it, fetches more as one
// scrolls, asks the server to search, and keeps all of it live. Staff bring catalogs in and
// out as CSV files.

const cards = (page: Page) => page.locator("[data-testid=live-product-list] article.product-card");
/** The window of the catalog, without the products just added (shown first, marked new). */
const windowCards = (page: Page) =>
  page.locator("[data-testid=live-product-list] article.product-card:not(.fresh)");
const card = (page: Page, code: string) => page.locator(`article.product-card[data-code="${code}"]`);
const code = (n: number) => `P-${String(n).padStart(5, "0")}`;


test("the live list pages as one scrolls, stays bounded, and an event lands where it belongs", async ({ page, shop: server }) => {
  expect((await server.importCsv(catalogCsv(700))).status).toBe(200);
  await openLive(page, server);
  await expect(page.getByTestId("product-count")).toHaveText("700 productos en el catálogo.");
  await expect(cards(page)).toHaveCount(60);

  // Scroll to the end: pages arrive as the end of the list comes near; never more than a few
  // hundred cards in the page however far one goes.
  const most = { cards: 0 };
  while ((await card(page, code(700)).count()) === 0) {
    await page.locator(".list-end").scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 2000);
    most.cards = Math.max(most.cards, await cards(page).count());
    expect(most.cards).toBeLessThanOrEqual(240);
  }
  await expect(card(page, code(1))).toHaveCount(0);
  await expect(page.getByTestId("show-more")).toHaveCount(0);

  // While scrolled to the end: a new product shows at the top marked new (once: not also at
  // the end), a change shows in place.
  const added = await server.createProduct({
    title: "Recién llegado",
    description: "d",
    code: "NUEVO-1",
    price: 1,
    stock: 1,
    category: "varios",
  });
  await expect(cards(page).first()).toHaveAttribute("data-code", added.code);
  await expect(cards(page).first().getByTestId("fresh")).toHaveText("Nuevo");
  await expect(card(page, added.code)).toHaveCount(1);
  await expect(page.getByTestId("product-count")).toHaveText("701 productos en el catálogo.");
  await server.updateProduct(690, { title: "Cambiado mientras mirabas" });
  await expect(card(page, code(690)).getByRole("heading")).toHaveText("Cambiado mientras mirabas");
  // A product far above, no longer on screen, changes: only the count could tell, and it stays.
  await server.deleteProduct(3);
  await expect(page.getByTestId("product-count")).toHaveText("700 productos en el catálogo.");

  // And back up to the top.
  while ((await page.getByTestId("show-earlier").count()) > 0) {
    // Each click brings an earlier page: wait for it before looking for the button again, or
    // the last click's page could take the button away between that look and the next click.
    const first = await windowCards(page).first().getAttribute("data-code");
    await page.getByTestId("show-earlier").click();
    await expect(windowCards(page).first()).not.toHaveAttribute("data-code", first ?? "");
    expect(await windowCards(page).count()).toBeLessThanOrEqual(240);
  }
  // The new product still heads the list, then the catalog from its first product.
  await expect(cards(page).first()).toHaveAttribute("data-code", added.code);
  await expect(windowCards(page).first()).toHaveAttribute("data-code", code(1));
  await expect(card(page, code(3))).toHaveCount(0);
});

test("search is answered by the server as one types, beyond the first page, and stays live", async ({ page, shop: server }) => {
  expect((await server.importCsv(catalogCsv(500))).status).toBe(200);
  await openLive(page, server);
  const search = page.getByTestId("live-search");
  await search.pressSequentially("p-00437");
  await expect(card(page, code(437))).toBeVisible();
  await expect(cards(page)).toHaveCount(1);
  await expect(page.getByTestId("product-count")).toHaveText("1 producto coincide con «p-00437».");
  // A product renamed out of the search leaves it; one added into it joins.
  await server.updateProduct(437, { code: "OTRO-437", title: "Otro" });
  await expect(cards(page)).toHaveCount(0);
  await expect(page.getByTestId("product-count")).toHaveText("Ningún producto coincide con «p-00437».");
  await server.createProduct({ title: "t", description: "d", code: "P-00437-B", price: 1, stock: 1, category: "c" });
  await expect(card(page, "P-00437-B")).toBeVisible();
  await expect(card(page, "P-00437-B").getByTestId("fresh")).toHaveText("Nuevo");
  // Emptied, the whole catalog again from its first page, under what was added meanwhile.
  await search.fill("");
  await expect(page.getByTestId("product-count")).toHaveText("501 productos en el catálogo.");
  await expect(cards(page).first()).toHaveAttribute("data-code", "P-00437-B");
  await expect(windowCards(page).first()).toHaveAttribute("data-code", code(1));
});

test("a product added while the page is open shows at once at the top, marked new, on every page", async ({
  browser,
  page,
  shop: server,
}) => {
  expect((await server.importCsv(catalogCsv(150))).status).toBe(200);
  const visitor = await (await browser.newContext()).newPage();
  await openLive(visitor, server);
  const searching = await (await browser.newContext()).newPage();
  await openLive(searching, server);
  await searching.getByTestId("live-search").pressSequentially("p-0014");
  await expect(searching.getByTestId("product-count")).toHaveText("10 productos coinciden con «p-0014».");
  await logIn(page, server);
  await expect(cards(page)).toHaveCount(60);

  // One over HTTP, one with the staff page's form: each on top of both pages, newest first,
  // in view without scrolling, and only once.
  const byHttp = await server.createProduct({ title: "Por la API", description: "d", code: "API-1", price: 1, stock: 1, category: "c" });
  for (const viewer of [visitor, page]) {
    await expect(cards(viewer).first()).toHaveAttribute("data-code", byHttp.code);
    await expect(cards(viewer).first().getByTestId("fresh")).toHaveText("Nuevo");
  }
  await page.getByLabel("Título").fill("Por el formulario");
  await page.getByLabel("Código").fill("FORM-1");
  await page.getByLabel("Precio").fill("2");
  await page.getByLabel("Stock").fill("3");
  await page.getByLabel("Categoría").fill("c");
  await page.getByLabel("Descripción").fill("d");
  await page.getByRole("button", { name: "Agregar" }).click();
  for (const viewer of [visitor, page]) {
    await expect(cards(viewer).nth(0)).toHaveAttribute("data-code", "FORM-1");
    await expect(cards(viewer).nth(1)).toHaveAttribute("data-code", byHttp.code);
    await expect(cards(viewer).nth(0)).toBeInViewport();
    await expect(card(viewer, "FORM-1")).toHaveCount(1);
    await expect(viewer.getByTestId("product-count")).toHaveText("152 productos en el catálogo.");
    await expect(cards(viewer)).toHaveCount(62);
    await expect(windowCards(viewer).first()).toHaveAttribute("data-code", code(1));
  }
  // A search they do not match does not show them.
  await expect(searching.getByTestId("product-count")).toHaveText("10 productos coinciden con «p-0014».");
  await expect(searching.getByTestId("fresh")).toHaveCount(0);

  // They stay new while edited and until the page is reloaded; a removed one goes.
  await server.updateProduct(byHttp.id, { title: "Por la API, con otro nombre" });
  await expect(card(visitor, byHttp.code).getByRole("heading")).toHaveText("Por la API, con otro nombre");
  await expect(card(visitor, byHttp.code).getByTestId("fresh")).toHaveText("Nuevo");
  await server.deleteProduct(byHttp.id);
  await expect(card(visitor, byHttp.code)).toHaveCount(0);
  await expect(visitor.getByTestId("product-count")).toHaveText("151 productos en el catálogo.");
  await visitor.reload();
  await live(visitor);
  await expect(visitor.getByTestId("fresh")).toHaveCount(0);
  await expect(cards(visitor)).toHaveCount(60);
});

test("staff import a CSV watched to its end, every open page hears it, and export it back", async ({
  browser,
  page,
  shop: server,
}) => {
  expect((await server.importCsv(catalogCsv(10))).status).toBe(200);
  const visitor = await (await browser.newContext()).newPage();
  await openLive(visitor, server);
  await expect(visitor.getByTestId("product-count")).toHaveText("10 productos en el catálogo.");

  await page.goto(server.url + "/login?next=/realtimeproducts");
  await page.getByLabel("Contraseña del personal").fill(PASSWORD);
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page.locator(".live-catalog [data-testid=connection-state]")).toHaveClass(/live/);

  // A file with a fault: nothing changes, and the line and field are named.
  const faulty = "code,title,description,price,stock,category\nX-1,Uno,d,1,1,c\nX-2,Dos,d,caro,1,c\n";
  await page.getByTestId("import-file").setInputFiles({ name: "malo.csv", mimeType: "text/csv", buffer: Buffer.from(faulty) });
  await expect(page.getByTestId("import-result")).toContainText("Línea 3: Precio");
  await expect(page.getByTestId("product-count")).toHaveText("10 productos en el catálogo.");

  // 3,000 rows, the first 10 known (updated), the rest new: progress, then the result.
  const big = catalogCsv(3000);
  const progress = page.locator("[data-testid=import-status] progress");
  // On a loopback the upload may take less than one poll: the page notes every state it shows.
  await page.evaluate(() => {
    const seen: string[] = ((window as any).importStates = []);
    const status = document.querySelector("[data-testid=import-status]")!;
    new MutationObserver(() => {
      const now = status.querySelector("progress") ? "progress" : status.textContent ?? "";
      if (seen[seen.length - 1] !== now) seen.push(now);
    }).observe(status, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId("import-file").setInputFiles({ name: "catalogo.csv", mimeType: "text/csv", buffer: Buffer.from(big) });
  await expect(page.getByTestId("import-result")).toHaveText("Importado: 2.990 creados, 10 actualizados");
  await expect(progress).toHaveCount(0);
  const states: string[] = await page.evaluate(() => (window as any).importStates);
  expect(states[0]).toBe("progress");
  expect(states[states.length - 1]).toBe("Importado: 2.990 creados, 10 actualizados");
  for (const someone of [page, visitor]) {
    await expect(someone.getByTestId("product-count")).toHaveText("3.000 productos en el catálogo.");
    await expect(cards(someone)).toHaveCount(60);
  }

  // Exported: every product, in the import's format.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Exportar CSV" }).click();
  const file = await (await download).path();
  const text = readFileSync(file, "utf8");
  const lines = text.trim().split("\n");
  expect(lines[0]).toBe("id,title,description,code,price,status,stock,category,thumbnails");
  expect(lines).toHaveLength(3001);
  expect(lines[3000]).toContain(code(3000));
});
