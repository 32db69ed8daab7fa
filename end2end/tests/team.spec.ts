import { Page } from "@playwright/test";
import { sampleProduct } from "./support/server";
import { expect, joinChat, live, openLive, test } from "./support/fixtures";

// A team, not a password: an admin adds an editor on /staff; the editor logs in with their own
// account, changes a price, restores the earlier one from "Historial", and another page sees it
// live; a moderator sees no catalog controls, only the chat's.

const ADMIN = "ana@tienda.com";
const EDITOR = "eva@tienda.com";
const MODERATOR = "mod@tienda.com";
const SECRET = "una clave larga de verdad";

const card = (page: Page, code: string) => page.locator(`article.product-card[data-code="${code}"]`);

/** Logs in on the login form with an account, and lands on `next`. */
async function logInAs(page: Page, url: string, email: string, next: string) {
  await page.goto(`${url}/login?next=${next}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Contraseña del personal").fill(SECRET);
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page).toHaveURL(new RegExp(`${next}$`));
}

test("an admin adds an editor, who edits a price, restores it from Historial, and another page sees it", async ({
  browser,
  page,
  server,
}) => {
  server.staffCommand(["add", ADMIN, "--role", "admin"], `${SECRET}\n`);
  const created = await createWith(server.url, sampleProduct({ price: 1500 }), tokenOf(server.staffCommand(["token", ADMIN])));
  expect(created.status).toBe(201);
  const product = await created.json();

  const admin = await (await browser.newContext()).newPage();
  await logInAs(admin, server.url, ADMIN, "/staff");
  await expect(admin.getByTestId("who")).toHaveText(ADMIN);
  const accounts = admin.getByTestId("account");
  await expect(accounts).toHaveCount(1);
  const form = admin.getByTestId("add-account");
  await form.getByLabel("Email").fill(EDITOR);
  await form.getByLabel("Rol").selectOption("editor");
  await form.getByLabel("Primera contraseña").fill(SECRET);
  await form.getByRole("button", { name: "Agregar" }).click();
  await expect(admin.getByTestId("staff-notice")).toHaveText("Cuenta agregada");
  await expect(accounts).toHaveCount(2);
  await expect(accounts.nth(1)).toContainText(EDITOR);
  await expect(accounts.nth(1)).toContainText("Edición del catálogo");

  const visitor = await (await browser.newContext()).newPage();
  await openLive(visitor, server);

  await logInAs(page, server.url, EDITOR, "/realtimeproducts");
  await live(page);
  await expect(page.getByTestId("who")).toHaveText(EDITOR);
  await card(page, product.code).getByText("Editar", { exact: true }).click();
  const edit = page.locator("form.product-form.editing");
  await edit.getByLabel("Precio").fill("2250.5");
  await edit.getByRole("button", { name: "Guardar" }).click();
  await expect(card(visitor, product.code).locator(".product-price")).toHaveText("$ 2.250,50");

  await card(page, product.code).getByRole("button", { name: "Historial" }).click();
  const entries = page.getByTestId("record-panel").locator(".record-entry");
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText(EDITOR);
  await expect(entries.nth(0)).toContainText("Precio: $ 1.500,00 → $ 2.250,50");
  await expect(entries.nth(1)).toContainText(ADMIN);
  await entries.nth(1).getByRole("button", { name: "Restaurar" }).click();
  await expect(card(visitor, product.code).locator(".product-price")).toHaveText("$ 1.500,00");
  await expect(entries.nth(0)).toContainText("Restaurado");
  await expect(entries.nth(0)).toContainText(EDITOR);

  await page.getByTestId("record-panel").getByRole("button", { name: "Cerrar" }).click();
  // "Salir" ends the session: the page is a visitor's again.
  await page.getByTestId("logout").click();
  await expect(page.getByTestId("login-link")).toBeVisible();
  await expect(page.getByTestId("who")).toHaveCount(0);
});

test("a moderator sees the chat's controls and none of the catalog's", async ({ page, server }) => {
  server.staffCommand(["add", MODERATOR, "--role", "moderator"], `${SECRET}\n`);
  const refused = await createWith(server.url, sampleProduct(), tokenOf(server.staffCommand(["token", MODERATOR])));
  expect(refused.status, "a moderator's token changes no product").toBe(403);
  await fetch(`${server.url}/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "x@ejemplo.com", text: "hola" }),
  });
  await logInAs(page, server.url, MODERATOR, "/realtimeproducts");
  await live(page);
  await expect(page.getByTestId("who")).toHaveText(MODERATOR);
  await expect(page.getByText("Moderación del chat")).toBeVisible();
  await expect(page.getByRole("button", { name: "Agregar" })).toHaveCount(0);
  await expect(page.getByText("Editar", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Historial" })).toHaveCount(0);
  await joinChat(page, MODERATOR);
  await expect(page.getByRole("button", { name: "Borrar" })).toHaveCount(1);
  await page.goto(`${server.url}/staff`);
  await expect(page.getByText("Solo la administración puede ver y cambiar el equipo.")).toBeVisible();
});

/** POSTs a product with an account's API token. */
function createWith(url: string, fields: Record<string, unknown>, token: string): Promise<Response> {
  return fetch(`${url}/api/products`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(fields),
  });
}

/** The API token a `server staff token` printed: alone on its last line. */
function tokenOf(output: string): string {
  return output.trim().split("\n").pop()!;
}
