import { expect, test } from "@playwright/test";
import { freshDatabase, sampleProduct, TestServer } from "./support/server";

// Two real server processes sharing one PostgreSQL database.
let a: TestServer;
let b: TestServer;
test.beforeEach(async () => {
  a = await TestServer.start({ databaseUrl: freshDatabase() });
  b = await a.sibling();
});
test.afterEach(async () => {
  await b.stop();
  await a.stop();
});

test("a page open on one instance shows a product added and then deleted through another", async ({ page }) => {
  await page.goto(a.url + "/realtimeproducts");
  await expect(page.locator(".live-catalog [data-testid=connection-state]")).toHaveClass(/live/);
  const list = page.locator("[data-testid=live-product-list] article.product-card");
  await expect(list).toHaveCount(0);

  const product = sampleProduct({ title: "Regla de otra instancia" });
  const response = await fetch(b.url + "/api/products", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(product),
  });
  expect(response.status).toBe(201);
  const created = await response.json();
  const card = page.locator(`article.product-card[data-code="${product.code}"]`);
  await expect(card).toBeVisible();
  await expect(card.locator(".product-title")).toHaveText("Regla de otra instancia");

  const removed = await fetch(`${b.url}/api/products/${created.id}`, { method: "DELETE" });
  expect(removed.status).toBe(200);
  await expect(card).toHaveCount(0);
  await expect(list).toHaveCount(0);
});
