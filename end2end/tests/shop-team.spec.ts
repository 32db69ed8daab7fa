import { Page } from "@playwright/test";
import { sampleProduct } from "./support/server";
import { expect, logIn, openLive, PASSWORD, test } from "./support/fixtures";

// A shop with staff access: visitors read, staff log in and edit.

const card = (page: Page, code: string) => page.locator(`article.product-card[data-code="${code}"]`);



test("a visitor sees the live list without any edit control, and a discreet way in", async ({ page, shop: server }) => {
  const product = await server.createProduct(sampleProduct());
  await openLive(page, server);
  await expect(card(page, product.code)).toBeVisible();
  await expect(page.getByRole("button", { name: "Agregar" })).toHaveCount(0);
  await expect(page.getByText("Editar", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Eliminar" })).toHaveCount(0);
  await expect(page.getByTestId("login-link")).toHaveText("Ingresar para editar");
});

test("a wrong password is refused; staff log in, edit a price, and another page shows it formatted", async ({
  browser,
  page,
  shop: server,
}) => {
  const product = await server.createProduct(sampleProduct({ price: 10 }));
  await page.goto(server.url + "/login");
  await page.getByLabel("Contraseña del personal").fill("otra");
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page.getByTestId("login-error")).toHaveText("Contraseña incorrecta");

  await logIn(page, server);
  const visitor = await (await browser.newContext()).newPage();
  await openLive(visitor, server);

  await card(page, product.code).getByText("Editar", { exact: true }).click();
  const form = page.locator("form.product-form.editing");
  await expect(form.getByLabel("Título")).toHaveValue(product.title);
  await form.getByLabel("Precio").fill("8999.5");
  await form.getByRole("button", { name: "Guardar" }).click();

  await expect(card(visitor, product.code).locator(".product-price")).toHaveText("$ 8.999,50");
  await expect(card(page, product.code).locator(".product-price")).toHaveText("$ 8.999,50");
  await expect(page.getByTestId("notice")).toContainText("Producto actualizado");
  const stored = await (await fetch(`${server.url}/api/products/${product.id}`)).json();
  expect(stored.price).toBe(8999.5);

  // Leaving edit mode makes the page a visitor's again.
  await page.getByTestId("logout").click();
  await expect(page.getByTestId("login-link")).toBeVisible();
  await expect(page.getByText("Editar", { exact: true })).toHaveCount(0);
});

test("an edit while someone else deletes the product says so instead of failing silently", async ({ page, shop: server }) => {
  const product = await server.createProduct(sampleProduct());
  await logIn(page, server);
  await card(page, product.code).getByText("Editar", { exact: true }).click();
  const form = page.locator("form.product-form.editing");
  await form.getByLabel("Stock").fill("99");

  await server.deleteProduct(product.id);
  await expect(form.getByTestId("edit-conflict")).toContainText("eliminó este producto");
  await expect(form.getByRole("button", { name: "Guardar" })).toBeDisabled();
  // Closing the form lets the deleted product go.
  await form.getByRole("link", { name: "Cancelar" }).click();
  await expect(page.locator("form.product-form.editing")).toHaveCount(0);
  await expect(card(page, product.code)).toHaveCount(0);
});

test("an edit while someone else changes the product offers their data instead of overwriting it", async ({
  page,
  shop: server,
}) => {
  const product = await server.createProduct(sampleProduct({ stock: 1 }));
  await logIn(page, server);
  await card(page, product.code).getByText("Editar", { exact: true }).click();
  const form = page.locator("form.product-form.editing");
  await form.getByLabel("Título").fill("Mi título");

  await fetch(`${server.url}/api/products/${product.id}`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...server.staffHeader() },
    body: JSON.stringify({ stock: 42 }),
  });
  await expect(form.getByTestId("edit-conflict")).toContainText("Otra persona cambió");
  // What this person typed is still there, to keep or to give up.
  await expect(form.getByLabel("Título")).toHaveValue("Mi título");
  // Saving anyway is refused by the server: nobody's change is overwritten.
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(form.getByTestId("edit-problem")).toContainText("cambió");
  await form.getByRole("button", { name: "Cargar los datos actuales" }).click();
  await expect(page.locator("form.product-form.editing").getByLabel("Stock")).toHaveValue("42");
});

test("staff edit works without JavaScript too, as a plain form", async ({ browser, shop: server }) => {
  const product = await server.createProduct(sampleProduct({ price: 5 }));
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + "/login?next=/realtimeproducts");
  await page.getByLabel("Contraseña del personal").fill(PASSWORD);
  await page.getByRole("button", { name: "Ingresar" }).click();
  await card(page, product.code).getByText("Editar", { exact: true }).click();
  const form = page.locator("form.product-form.editing");
  await form.getByLabel("Precio").fill("1234.5");
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(page.getByTestId("notice")).toContainText("Producto actualizado");
  await expect(card(page, product.code).locator(".product-price")).toHaveText("$ 1.234,50");
});

test("the edit form shows the server's per-field errors next to the fields", async ({ page, shop: server }) => {
  const first = await server.createProduct(sampleProduct());
  const second = await server.createProduct(sampleProduct());
  await logIn(page, server);
  await card(page, second.code).getByText("Editar", { exact: true }).click();
  const form = page.locator("form.product-form.editing");
  // A code another product has: only the server knows.
  await form.getByLabel("Código").fill(first.code);
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(form.locator('.field-error[data-field="code"]')).toHaveText("ya lo usa otro producto");
  // The form keeps what was typed, so it can be corrected rather than retyped.
  await expect(form.getByLabel("Código")).toHaveValue(first.code);
  // And the browser's own check, before anything is sent.
  await form.getByLabel("Precio").fill("-3");
  await form.getByRole("button", { name: "Guardar" }).click();
  await expect(form.locator('.field-error[data-field="price"]')).not.toBeEmpty();
});
