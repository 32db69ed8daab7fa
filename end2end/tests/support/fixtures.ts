import { expect, Page, test as base } from "@playwright/test";
import { TestServer } from "./server";

/** The staff password of the shops these tests run. */
export const PASSWORD = "clave-del-local";

/**
 * Playwright's `test` with a fresh server per test: `server` (the catalog open to everyone)
 * or `shop` (with staff access, `STAFF_PASSWORD`), each stopped when its test ends.
 */
export const test = base.extend<{ server: TestServer; shop: TestServer }>({
  server: async ({}, use) => {
    const server = await TestServer.start();
    await use(server);
    await server.stop();
  },
  shop: async ({}, use) => {
    const shop = await TestServer.start({ env: { STAFF_PASSWORD: PASSWORD } });
    await use(shop);
    await shop.stop();
  },
});

export { expect };

/** Waits until the live page's socket is up. */
export async function live(page: Page) {
  await expect(page.locator(".live-catalog [data-testid=connection-state]")).toHaveClass(/live/);
}

/** Joins the page's chat with `email` and waits until its socket is up. */
export async function joinChat(page: Page, email: string) {
  await page.getByLabel("Ingresá tu email para chatear").fill(email);
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page.locator(".chat-box [data-testid=connection-state]")).toHaveClass(/live/);
}

/** Opens the live page and waits until its socket is up. */
export async function openLive(page: Page, server: TestServer) {
  await page.goto(server.url + "/realtimeproducts");
  await live(page);
}

/** Logs in as staff through the login form, from the live page's discreet link. */
export async function logIn(page: Page, server: TestServer) {
  await page.goto(server.url + "/realtimeproducts");
  await page.getByTestId("login-link").click();
  await page.getByLabel("Contraseña del personal").fill(PASSWORD);
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page).toHaveURL(/\/realtimeproducts$/);
  await live(page);
}
