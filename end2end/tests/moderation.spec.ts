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
