import { Page } from "@playwright/test";
import { sampleProduct } from "./support/server";
import { expect, logIn, openLive, test } from "./support/fixtures";

// The record of changes on the live page: staff read a product's history, restore an earlier
// version or a removed product, and every open page sees the restore live.

const card = (page: Page, code: string) => page.locator(`article.product-card[data-code="${code}"]`);

test("staff change a price, open its history, restore the earlier price, and another page sees it", async ({
  browser,
  page,
  shop: server,
}) => {
  const product = await server.createProduct(sampleProduct({ price: 1500 }));
  const visitor = await (await browser.newContext()).newPage();
  await openLive(visitor, server);
  // A visitor has no record to open.
  await expect(visitor.getByText("Historial", { exact: true })).toHaveCount(0);
  await expect(visitor.getByTestId("show-removed")).toHaveCount(0);

  await logIn(page, server);
  await card(page, product.code).getByText("Editar", { exact: true }).click();
  const form = page.locator("form.product-form.editing");
  await form.getByLabel("Precio").fill("2250.5");
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(card(visitor, product.code).locator(".product-price")).toHaveText("$ 2.250,50");

  await card(page, product.code).getByRole("button", { name: "Historial" }).click();
  const panel = page.getByTestId("record-panel");
  await expect(panel.getByRole("heading")).toHaveText(`Historial de «${product.title}»`);
  const entries = panel.locator(".record-entry");
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText("Modificado");
  await expect(entries.nth(0)).toContainText("staff");
  await expect(entries.nth(0)).toContainText("Precio: $ 1.500,00 → $ 2.250,50");
  await expect(entries.nth(1)).toContainText("Creado");
  // The newest entry is the product as it is: nothing to restore there.
  await expect(entries.nth(0).getByRole("button", { name: "Restaurar" })).toHaveCount(0);

  await entries.nth(1).getByRole("button", { name: "Restaurar" }).click();
  await expect(page.getByTestId("notice")).toContainText(`Producto restaurado: ${product.title}`);
  await expect(card(visitor, product.code).locator(".product-price")).toHaveText("$ 1.500,00");
  await expect(card(page, product.code).locator(".product-price")).toHaveText("$ 1.500,00");
  await expect(entries).toHaveCount(3);
  await expect(entries.nth(0)).toContainText("Restaurado");
  await expect(entries.nth(0)).toContainText("Precio: $ 2.250,50 → $ 1.500,00");
  await panel.getByRole("button", { name: "Cerrar" }).click();
  await expect(panel).toHaveCount(0);
});

test("a removed product is listed under Eliminados and comes back with Restaurar on every page", async ({
  browser,
  page,
  shop: server,
}) => {
  const product = await server.createProduct(sampleProduct());
  const visitor = await (await browser.newContext()).newPage();
  await openLive(visitor, server);
  await logIn(page, server);
  await card(page, product.code).getByRole("button", { name: "Eliminar" }).click();
  await expect(card(visitor, product.code)).toHaveCount(0);

  await page.getByTestId("show-removed").click();
  const removed = page.getByTestId("record-panel").locator(".record-entry");
  await expect(removed).toHaveCount(1);
  await expect(removed.first()).toContainText(product.title);
  await expect(removed.first()).toContainText("staff");
  await removed.first().getByRole("button", { name: "Restaurar" }).click();
  await expect(card(visitor, product.code)).toBeVisible();
  await expect(card(page, product.code)).toBeVisible();
  await expect(removed).toHaveCount(0);
  await expect(page.getByTestId("record-panel")).toContainText("No hay productos eliminados.");
  const stored = await (await fetch(`${server.url}/api/products/${product.id}`)).json();
  expect(stored.code).toBe(product.code);
});
