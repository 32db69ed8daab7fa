import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { sampleProduct } from "./support/server";
import { expect, live, PASSWORD, test } from "./support/fixtures";

// axe-core on every page and state a person meets: none may report a violation.

async function audit(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
  }));
  expect(found, `axe on ${what}`).toEqual([]);
}


test("the home page, a search and page 2 have no accessibility violation", async ({ page, shop: server }) => {
  const made = [];
  for (let n = 0; n < 101; n++) made.push(server.createProduct(sampleProduct()));
  await Promise.all(made);
  await page.goto(server.url + "/");
  await audit(page, "/");
  await page.getByLabel("Buscar productos").fill("nada que coincida");
  await page.getByRole("button", { name: "Buscar" }).click();
  await expect(page).toHaveURL(/\?q=/);
  await audit(page, "a search");
  await page.goto(server.url + "/");
  await page.getByTestId("next-page").click();
  await expect(page).toHaveURL(/after=/);
  await audit(page, "page 2");
});

test("the live page for a visitor and for staff with an edit form open", async ({ page, shop: server }) => {
  const product = await server.createProduct(sampleProduct());
  await page.goto(server.url + "/realtimeproducts");
  await live(page);
  await audit(page, "/realtimeproducts as a visitor");

  await page.goto(server.url + "/login");
  await audit(page, "/login");
  await page.getByLabel("Contraseña del personal").fill(PASSWORD);
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page).toHaveURL(/\/realtimeproducts$/);
  await live(page);
  await audit(page, "/realtimeproducts as staff");
  await page
    .locator(`article.product-card[data-code="${product.code}"]`)
    .getByText("Editar", { exact: true })
    .click();
  await expect(page.locator("form.product-form.editing")).toBeVisible();
  await audit(page, "an open edit form");
});

test("the chat, logged in with messages, on its own page and under the live list", async ({ page, shop: server }) => {
  for (const text of ["hola", "¿tienen escuadras?"]) {
    const response = await fetch(server.url + "/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "beto@example.com", text }),
    });
    expect(response.status).toBe(201);
  }
  await page.goto(server.url + "/chat");
  await audit(page, "/chat before logging in");
  await page.getByLabel("Ingresá tu email para chatear").fill("ana@example.com");
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page.locator("[data-testid=messages] li.message")).toHaveCount(2);
  await audit(page, "/chat logged in");
  await page.goto(server.url + "/realtimeproducts");
  await expect(page.locator("[data-testid=messages] li.message")).toHaveCount(2);
  await audit(page, "the chat under the live list");
});

for (const viewport of [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
]) {
  test(`no page scrolls sideways or puts a control off-screen at ${viewport.width}x${viewport.height}`, async ({
    browser,
    shop: server,
  }) => {
    await server.createProduct(sampleProduct({ title: "Un producto con un nombre bastante largo para un teléfono" }));
    const page = await (await browser.newContext({ viewport })).newPage();
    for (const path of ["/", "/?q=producto", "/realtimeproducts", "/chat", "/login"]) {
      await page.goto(server.url + path);
      if (path === "/realtimeproducts") await live(page);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${path} scrolls sideways`).toBeLessThanOrEqual(viewport.width);
      const outside = await page.evaluate((limit) => {
        return [...document.querySelectorAll("a, button, input, select, textarea")]
          .filter((el) => (el as HTMLElement).offsetParent !== null)
          .map((el) => ({ el, box: el.getBoundingClientRect() }))
          .filter(({ box }) => box.left < 0 || box.right > limit + 0.5)
          .map(({ el }) => el.outerHTML.slice(0, 80));
      }, viewport.width);
      expect(outside, `${path}: controls off-screen`).toEqual([]);
    }
  });
}
