import { expect, test } from "@playwright/test";
import { sampleProduct, TestServer } from "./support/server";

let server: TestServer;
test.beforeEach(async () => {
  server = await TestServer.start();
});
test.afterEach(async () => {
  await server.stop();
});

test("home lists every product created through the API, and opens no socket", async ({ page }) => {
  const first = await server.createProduct(sampleProduct({ title: "Escuadra <b>30 cm</b>" }));
  const second = await server.createProduct(sampleProduct({ price: 0, stock: 0 }));
  const sockets: string[] = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));

  await page.goto(server.url + "/");
  const cards = page.locator("article.product-card");
  await expect(cards).toHaveCount(2);
  // Title with markup is shown literally, as text.
  await expect(cards.nth(0).locator(".product-title")).toHaveText("Escuadra <b>30 cm</b>");
  await expect(cards.nth(0).locator(".product-code")).toHaveText(first.code);
  await expect(cards.nth(1).locator(".product-title")).toHaveText(second.title);
  await expect(cards.nth(1).locator(".product-price")).toHaveText("$ 0,00");
  await page.waitForLoadState("networkidle");
  expect(sockets).toEqual([]);
});

test("home is readable with JavaScript disabled", async ({ browser }) => {
  const product = await server.createProduct(sampleProduct());
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + "/");
  await expect(page.locator("article.product-card .product-title")).toHaveText(product.title);
  await expect(page.locator("article.product-card .product-description")).toHaveText(product.description);
  await context.close();
});

test("an empty catalog shows a friendly empty state", async ({ page }) => {
  await page.goto(server.url + "/");
  await expect(page.getByText("El catálogo está vacío.")).toBeVisible();
  await expect(page.locator("article.product-card")).toHaveCount(0);
});

test("every page has a description and headings that never skip a level", async ({ page }) => {
  await server.createProduct(sampleProduct());
  for (const path of ["/", "/?q=nada", "/realtimeproducts", "/chat", "/login"]) {
    await page.goto(server.url + path);
    const description = await page.locator('meta[name="description"]').getAttribute("content");
    expect(description?.length ?? 0, `${path} has a meta description`).toBeGreaterThan(20);
    const levels = await page.evaluate(() =>
      [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => Number(h.tagName[1])),
    );
    expect(levels[0], `${path} starts with an h1`).toBe(1);
    for (let i = 1; i < levels.length; i++) {
      expect(levels[i] - levels[i - 1], `${path}: h${levels[i - 1]} then h${levels[i]}`).toBeLessThanOrEqual(1);
    }
  }
});
