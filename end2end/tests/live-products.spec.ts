import { expect, Page, test } from "@playwright/test";
import { sampleProduct, TestServer } from "./support/server";

let server: TestServer;
test.beforeEach(async () => {
  server = await TestServer.start();
});
test.afterEach(async () => {
  await server.stop();
});

/** Opens the live page and waits until its socket delivered the snapshot. */
async function openLive(page: Page) {
  await page.goto(server.url + "/realtimeproducts");
  await expect(page.locator(".live-catalog [data-testid=connection-state]")).toHaveClass(/live/);
}

const cards = (page: Page) => page.locator("[data-testid=live-product-list] article.product-card");
const card = (page: Page, code: string) => page.locator(`article.product-card[data-code="${code}"]`);

async function fillForm(page: Page, product: ReturnType<typeof sampleProduct>) {
  await page.getByLabel("Título").fill(product.title);
  await page.getByLabel("Código").fill(product.code);
  await page.getByLabel("Precio").fill(String(product.price));
  await page.getByLabel("Stock").fill(String(product.stock));
  await page.getByLabel("Categoría").fill(product.category);
  await page.getByLabel("Descripción").fill(product.description);
}

test("a product added with the form appears in another page, and deleting it there removes it here", async ({
  browser,
}) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await openLive(alice);
  await openLive(bob);
  await expect(cards(bob)).toHaveCount(0);

  const product = sampleProduct({ title: "Compás <i>metálico</i>" });
  await fillForm(alice, product);
  await alice.getByRole("button", { name: "Agregar" }).click();

  await expect(card(bob, product.code)).toBeVisible();
  await expect(card(bob, product.code).locator(".product-title")).toHaveText("Compás <i>metálico</i>");
  await expect(card(alice, product.code)).toBeVisible();
  // The form is emptied for the next product.
  await expect(alice.getByLabel("Título")).toHaveValue("");

  await card(bob, product.code).getByRole("button", { name: "Eliminar" }).click();
  await expect(card(alice, product.code)).toHaveCount(0);
  await expect(card(bob, product.code)).toHaveCount(0);
  const stored = await (await fetch(server.url + "/api/products")).json();
  expect(stored).toEqual([]);
});

test("changes made through the HTTP API appear live", async ({ page }) => {
  await openLive(page);
  const created = await server.createProduct(sampleProduct());
  await expect(card(page, created.code)).toBeVisible();

  await fetch(`${server.url}/api/products/${created.id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ price: 42, title: "Renombrado" }),
  });
  await expect(card(page, created.code).locator(".product-title")).toHaveText("Renombrado");
  await expect(card(page, created.code).locator(".product-price")).toHaveText("$ 42,00");

  await fetch(`${server.url}/api/products/${created.id}`, { method: "DELETE" });
  await expect(card(page, created.code)).toHaveCount(0);
});

test("the form checks fields in the browser and shows the server's errors next to them", async ({ page }) => {
  const existing = await server.createProduct(sampleProduct());
  await openLive(page);

  await page.getByRole("button", { name: "Agregar" }).click();
  await expect(page.locator(".field-error[data-field=title]")).toHaveText("es obligatorio");
  await expect(page.locator(".field-error[data-field=price]")).not.toBeEmpty();

  await fillForm(page, sampleProduct({ code: existing.code }));
  await page.getByRole("button", { name: "Agregar" }).click();
  // Only the server knows the code is taken: its per-field error lands next to the field.
  await expect(page.locator(".field-error[data-field=code]")).toHaveText("ya lo usa otro producto");
  await expect(page.locator(".field-error[data-field=title]")).toBeEmpty();
  await expect(cards(page)).toHaveCount(1);
});

test("the page reconnects by itself after the server restarts and catches up", async ({ page }) => {
  const kept = await server.createProduct(sampleProduct());
  await openLive(page);
  const badge = page.locator(".live-catalog [data-testid=connection-state]");
  await server.stop();
  await expect(badge).toHaveClass(/down/);
  await expect(badge).toHaveText(/Sin conexión/);
  // While the server is down the page keeps its list and will not pretend to add products.
  await expect(page.getByRole("button", { name: "Agregar" })).toBeDisabled();
  await expect(card(page, kept.code)).toBeVisible();
  await page.waitForTimeout(3_000);
  await server.launch();
  const back = Date.now();
  await expect(badge).toHaveClass(/live/, { timeout: 10_000 });
  console.log(`reconnected ${Date.now() - back} ms after the server was back (3 s outage)`);
  await expect(page.getByRole("button", { name: "Agregar" })).toBeEnabled();

  const created = await server.createProduct(sampleProduct());
  await expect(card(page, created.code)).toBeVisible();
});

test("after a restart in which nothing changed the page resumes without a snapshot", async ({ page }) => {
  for (let n = 0; n < 20; n++) await server.createProduct(sampleProduct());
  // Every text frame the page receives on each product socket, in order.
  const sockets: { url: string; frames: string[] }[] = [];
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/ws/products")) return;
    const socket = { url: ws.url(), frames: [] as string[] };
    sockets.push(socket);
    ws.on("framereceived", (frame) => socket.frames.push(String(frame.payload)));
  });
  await openLive(page);
  const badge = page.locator(".live-catalog [data-testid=connection-state]");
  await expect.poll(() => sockets[0]?.frames.length ?? 0).toBeGreaterThan(0);
  const snapshot = JSON.parse(sockets[0].frames[0]);
  expect(snapshot.type).toBe("snapshot");

  await server.restart();
  await expect.poll(() => sockets[1]?.frames.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
  await expect(badge).toHaveClass(/live/);
  const resumed = sockets[1];
  expect(resumed.url).toContain(`since=${snapshot.seq}`);
  expect(JSON.parse(resumed.frames[0])).toEqual({ type: "resume", since: snapshot.seq });
  const bytes = resumed.frames.reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);
  console.log(`snapshot ${Buffer.byteLength(sockets[0].frames[0])} bytes; resume after the restart ${bytes} bytes`);
  expect(bytes).toBeLessThan(300);
  await expect(cards(page)).toHaveCount(20);

  // The resumed socket is live: a change made now arrives as an event.
  const created = await server.createProduct(sampleProduct());
  await expect(card(page, created.code)).toBeVisible();
  expect(resumed.frames.some((frame) => JSON.parse(frame).type === "snapshot")).toBe(false);
});

test("without JavaScript the form and the delete buttons still work", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + "/realtimeproducts");

  const product = sampleProduct();
  await fillForm(page, product);
  await page.getByRole("button", { name: "Agregar" }).click();
  await expect(page).toHaveURL(/\/realtimeproducts\?ok=/);
  await expect(page.getByTestId("notice")).toContainText("Producto agregado");
  await expect(card(page, product.code)).toBeVisible();

  // A refused product explains why.
  await fillForm(page, sampleProduct({ code: product.code }));
  await page.getByRole("button", { name: "Agregar" }).click();
  await expect(page.getByTestId("notice")).toContainText(product.code);
  await expect(cards(page)).toHaveCount(1);

  await card(page, product.code).getByRole("button", { name: "Eliminar" }).click();
  await expect(page.getByTestId("notice")).toContainText("Producto eliminado");
  await expect(card(page, product.code)).toHaveCount(0);
  await context.close();
});
