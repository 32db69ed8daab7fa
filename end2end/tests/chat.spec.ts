import { expect, Page, test } from "@playwright/test";
import { TestServer } from "./support/server";

let server: TestServer;
test.beforeEach(async () => {
  server = await TestServer.start();
});
test.afterEach(async () => {
  await server.stop();
});

async function postMessage(email: string, text: string) {
  const response = await fetch(server.url + "/api/messages", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, text }),
  });
  expect(response.status).toBe(201);
  return response.json();
}

async function logIn(page: Page, email: string) {
  await page.getByLabel("Ingresá tu email para chatear").fill(email);
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page.getByTestId("welcome")).toHaveText(`Bienvenido ${email}`);
  await expect(page.locator(".chat-box [data-testid=connection-state]")).toHaveClass(/live/);
}

const messages = (page: Page) => page.locator("[data-testid=messages] li.message");

test("an invalid email is refused; a valid one is welcomed", async ({ page }) => {
  await page.goto(server.url + "/chat");
  const email = page.getByLabel("Ingresá tu email para chatear");
  for (const bad of ["ana", "a@b", "ana@example"]) {
    await email.fill(bad);
    await page.getByRole("button", { name: "Ingresar" }).click();
    await expect(page.getByTestId("chat-error")).toContainText("email válido");
    await expect(page.getByPlaceholder("Escribí un mensaje…")).toHaveCount(0);
  }
  await logIn(page, "ana@example.com");
  await expect(page.getByPlaceholder("Escribí un mensaje…")).toBeVisible();
});

test("messages sent with Enter and with the button reach another page, formatted and coloured", async ({
  browser,
}) => {
  const ana = await (await browser.newContext()).newPage();
  const beto = await (await browser.newContext()).newPage();
  await ana.goto(server.url + "/chat");
  await beto.goto(server.url + "/realtimeproducts");
  await logIn(ana, "ana@example.com");
  await logIn(beto, "beto@example.com");

  const input = ana.getByPlaceholder("Escribí un mensaje…");
  await input.fill("hola con Enter");
  await input.press("Enter");
  await input.fill("hola con el botón");
  await ana.getByRole("button", { name: "Enviar" }).click();
  await expect(input).toHaveValue("");

  await expect(messages(beto)).toHaveCount(2);
  const line = messages(beto).nth(0);
  await expect(line).toHaveText(/^ana@example\.com \[\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}\] : hola con Enter$/);
  await expect(messages(beto).nth(1).locator(".msg-text")).toHaveText("hola con el botón");

  const style = async (selector: string) =>
    line.locator(selector).evaluate((el) => {
      const s = getComputedStyle(el);
      return { color: s.color, weight: s.fontWeight, italic: s.fontStyle };
    });
  expect(await style(".msg-email")).toEqual({ color: "rgb(0, 0, 255)", weight: "700", italic: "normal" });
  expect(await style(".msg-time")).toEqual({ color: "rgb(165, 42, 42)", weight: "400", italic: "normal" });
  expect(await style(".msg-text")).toEqual({ color: "rgb(0, 128, 0)", weight: "400", italic: "italic" });
});

test("the time is shown in the viewer's own time zone", async ({ browser }) => {
  const sent = await postMessage("ana@example.com", "¿qué hora es?");
  const page = await (await browser.newContext({ timezoneId: "Asia/Tokyo" })).newPage();
  await page.goto(server.url + "/chat");
  await logIn(page, "zoe@example.com");
  // Tokyo is UTC+9 all year.
  const at = new Date(new Date(sent.sent_at).getTime() + 9 * 3600_000);
  const two = (n: number) => String(n).padStart(2, "0");
  const expected =
    `[${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${at.getUTCFullYear()} ` +
    `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}]`;
  await expect(messages(page).first().locator(".msg-time")).toHaveText(expected);
});

test("HTML in a message is shown literally and runs nothing", async ({ browser }) => {
  const ana = await (await browser.newContext()).newPage();
  const beto = await (await browser.newContext()).newPage();
  for (const page of [ana, beto]) await page.goto(server.url + "/chat");
  await logIn(ana, "ana@example.com");
  await logIn(beto, "beto@example.com");
  const evil = `<img src=x onerror="window.__pwned = 1"><b>negrita</b>`;
  await ana.getByPlaceholder("Escribí un mensaje…").fill(evil);
  await ana.keyboard.press("Enter");
  await expect(messages(beto).first().locator(".msg-text")).toHaveText(evil);
  await expect(beto.locator("[data-testid=messages] img, [data-testid=messages] b")).toHaveCount(0);
  expect(await beto.evaluate(() => (window as any).__pwned)).toBeUndefined();
});

test("Salir returns to the email field; the email is remembered until then", async ({ page }) => {
  await page.goto(server.url + "/chat");
  await logIn(page, "ana@example.com");
  await page.reload();
  await expect(page.getByTestId("welcome")).toHaveText("Bienvenido ana@example.com");

  await page.getByRole("button", { name: "Salir" }).click();
  await expect(page.getByLabel("Ingresá tu email para chatear")).toBeVisible();
  await expect(page.getByTestId("welcome")).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel("Ingresá tu email para chatear")).toBeVisible();
});

test("a newcomer sees the history, also after a restart, and can load older messages", async ({ page }) => {
  for (let n = 1; n <= 130; n++) await postMessage("ana@example.com", `mensaje ${n}`);
  await server.restart();

  await page.goto(server.url + "/chat");
  await logIn(page, "nuevo@example.com");
  await expect(messages(page)).toHaveCount(100);
  await expect(messages(page).first().locator(".msg-text")).toHaveText("mensaje 31");
  await expect(messages(page).last().locator(".msg-text")).toHaveText("mensaje 130");

  await page.getByRole("button", { name: "ver anteriores" }).click();
  await expect(messages(page)).toHaveCount(130);
  await expect(messages(page).first().locator(".msg-text")).toHaveText("mensaje 1");
  await expect(page.getByRole("button", { name: "ver anteriores" })).toHaveCount(0);
});

for (const viewport of [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
]) {
  for (const path of ["/chat", "/realtimeproducts"]) {
    test(`the logged-in chat fits a ${viewport.width}x${viewport.height} phone on ${path}`, async ({ browser }) => {
      await postMessage("alguien.con.un.email.bastante.largo@ejemplo-de-dominio.com.ar", "x".repeat(120));
      const page = await (await browser.newContext({ viewport })).newPage();
      await page.goto(server.url + path);
      await logIn(page, "una.persona.con.email.largo@example.com");
      await expect(messages(page)).toHaveCount(1);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, "the page does not scroll sideways").toBeLessThanOrEqual(viewport.width);
      const leave = page.getByRole("button", { name: "Salir", exact: true });
      await leave.scrollIntoViewIfNeeded();
      const box = await leave.boundingBox();
      expect(box, "Salir is laid out").not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, "Salir is not cut off").toBeLessThanOrEqual(viewport.width);
      await leave.click();
      await expect(page.getByLabel("Ingresá tu email para chatear")).toBeVisible();
    });
  }
}

test("a reader scrolled up keeps their place, and the new-messages button brings them down", async ({ browser }) => {
  for (let n = 1; n <= 60; n++) await postMessage("ana@example.com", `mensaje ${n}`);
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(server.url + "/chat");
  await logIn(reader, "beto@example.com");
  const list = reader.getByTestId("messages");
  await expect(messages(reader)).toHaveCount(60);
  const atBottom = () =>
    list.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 24);
  await expect.poll(atBottom).toBe(true);

  // Scrolled up to read: new messages neither move the view nor go unnoticed.
  await list.evaluate((el) => (el.scrollTop = 200));
  await expect.poll(atBottom).toBe(false);
  // The page hears of a scroll at its next frame, as it would from a person scrolling long
  // before anything arrives: wait for that frame before the messages come.
  await list.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await postMessage("ana@example.com", "nuevo 1");
  await postMessage("ana@example.com", "nuevo 2");
  await expect(messages(reader)).toHaveCount(62);
  await expect(reader.getByTestId("new-messages")).toHaveText("2 mensajes nuevos ↓");
  expect(await list.evaluate((el) => el.scrollTop)).toBe(200);

  await reader.getByTestId("new-messages").click();
  await expect.poll(atBottom).toBe(true);
  await expect(reader.getByTestId("new-messages")).toHaveCount(0);
  // At the latest, a new message comes into view by itself.
  await postMessage("ana@example.com", "nuevo 3");
  await expect(messages(reader).last().locator(".msg-text")).toHaveText("nuevo 3");
  await expect.poll(atBottom).toBe(true);
  await expect(reader.getByTestId("new-messages")).toHaveCount(0);
});
