import { Page } from "@playwright/test";
import { expect, joinChat, logIn, test } from "./support/fixtures";

// Staff keep the public chat clean: a message removed on one page leaves every page.

const messages = (page: Page) => page.locator("[data-testid=messages] li.message");


test("staff remove a message and every open page loses it; visitors cannot", async ({ browser, page, shop: server }) => {
  for (const text of ["hola", "mi teléfono es 555-1234", "chau"]) {
    const response = await fetch(server.url + "/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ana@example.com", text }),
    });
    expect(response.status).toBe(201);
  }
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(server.url + "/chat");
  await joinChat(visitor, "beto@example.com");
  await expect(messages(visitor)).toHaveCount(3);
  await expect(visitor.getByRole("button", { name: "Borrar" })).toHaveCount(0);

  await logIn(page, server);
  await joinChat(page, "ventas@example.com");
  const rude = messages(page).filter({ hasText: "555-1234" });
  await rude.getByRole("button", { name: "Borrar" }).click();
  await expect(messages(page)).toHaveCount(2);
  await expect(messages(visitor)).toHaveCount(2);
  await expect(visitor.getByText("555-1234")).toHaveCount(0);
  const stored = await (await fetch(server.url + "/api/messages")).json();
  expect(stored.map((m: any) => m.text)).toEqual(["hola", "chau"]);
});

test("a moderator bans an author with Bloquear, their messages leave every page, and Levantar lifts it", async ({
  browser,
  page,
  shop: server,
}) => {
  const post = (email: string, text: string) =>
    fetch(server.url + "/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, text }),
    });
  for (const text of ["compren ya", "oferta imperdible"]) {
    expect((await post("spam@example.com", text)).status).toBe(201);
  }
  expect((await post("ana@example.com", "hola")).status).toBe(201);
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(server.url + "/chat");
  await joinChat(visitor, "beto@example.com");
  await expect(messages(visitor)).toHaveCount(3);
  await expect(visitor.getByRole("button", { name: "Bloquear" })).toHaveCount(0);

  await logIn(page, server);
  await joinChat(page, "ventas@example.com");
  await messages(page).filter({ hasText: "compren ya" }).getByRole("button", { name: "Bloquear" }).click();
  const form = page.getByTestId("ban-form");
  await expect(form).toContainText("Bloquear a spam@example.com");
  await form.getByRole("combobox").selectOption({ label: "1 día" });
  await form.getByLabel("borrar sus mensajes").check();
  await form.getByRole("button", { name: "Bloquear" }).click();
  await expect(form).toHaveCount(0);
  await expect(messages(visitor)).toHaveCount(1);
  await expect(messages(page)).toHaveCount(1);
  await expect(visitor.getByText("oferta imperdible")).toHaveCount(0);
  const listed = page.getByTestId("ban");
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText("spam@example.com");
  expect((await post("spam@example.com", "volví")).status).toBe(403);

  await listed.getByRole("button", { name: "Levantar" }).click();
  await expect(listed).toHaveCount(0);
  expect((await post("spam@example.com", "perdón")).status).toBe(201);
  await expect(messages(visitor)).toHaveCount(2);
});
