import { expect, Page, test } from "@playwright/test";
import { sampleProduct, TestServer } from "./support/server";

let server: TestServer;
test.beforeEach(async () => {
  server = await TestServer.start();
});
test.afterEach(async () => {
  await server.stop();
});

const card = (page: Page, code: string) => page.locator(`article.product-card[data-code="${code}"]`);

test("a picture shows on its card, and a broken or unsafe one is replaced by the placeholder", async ({ page }) => {
  const pictured = await server.createProduct(sampleProduct({ thumbnails: ["/examples/escuadra.svg"] }));
  const broken = await server.createProduct(sampleProduct({ thumbnails: ["/no-such-picture.png"] }));
  const unsafe = await server.createProduct(sampleProduct({ thumbnails: ["javascript:alert(1)"] }));
  const none = await server.createProduct(sampleProduct());
  for (const path of ["/", "/realtimeproducts"]) {
    await page.goto(server.url + path);
    const image = card(page, pictured.code).locator(".thumb img");
    await expect(image).toHaveAttribute("loading", "lazy");
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    for (const product of [broken, unsafe, none]) {
      await expect(card(page, product.code).locator(".thumb img")).toHaveCount(0);
      await expect(card(page, product.code).locator(".thumb-placeholder")).toBeVisible();
    }
    // Every picture box keeps the same proportions, picture or not.
    const boxes = await page.locator(".thumb").evaluateAll((all) => all.map((b) => b.clientWidth / b.clientHeight));
    for (const ratio of boxes) expect(ratio).toBeCloseTo(4 / 3, 1);
  }
});

test("search on the live page as you type, accents and case ignored, and followed live", async ({ page }) => {
  const calculator = await server.createProduct(sampleProduct({ title: "Calculadora científica", category: "electrónica" }));
  const ruler = await server.createProduct(sampleProduct({ title: "Escuadra", category: "útiles" }));
  await page.goto(server.url + "/realtimeproducts");
  await expect(page.locator(".live-catalog [data-testid=connection-state]")).toHaveClass(/live/);
  await page.getByTestId("live-search").fill("CIENTIFICA");
  await expect(card(page, calculator.code)).toBeVisible();
  await expect(card(page, ruler.code)).toHaveCount(0);
  await expect(page.getByTestId("product-count")).toHaveText("1 producto coincide con «CIENTIFICA».");
  await page.getByTestId("live-search").fill("utiles");
  await expect(card(page, ruler.code)).toBeVisible();
  await expect(card(page, calculator.code)).toHaveCount(0);
  // A product added meanwhile that matches appears in the filtered list.
  const compass = await server.createProduct(sampleProduct({ title: "Compás", category: "Útiles" }));
  await expect(card(page, compass.code)).toBeVisible();
});

test("search on the home page works with JavaScript off", async ({ browser }) => {
  const calculator = await server.createProduct(sampleProduct({ title: "Calculadora científica", category: "electrónica" }));
  const ruler = await server.createProduct(sampleProduct({ title: "Escuadra", category: "útiles" }));
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto(server.url + "/");
  await page.getByLabel("Buscar productos").fill("electronica");
  await page.getByRole("button", { name: "Buscar" }).click();
  await expect(page).toHaveURL(/\?q=electronica/);
  await expect(card(page, calculator.code)).toBeVisible();
  await expect(card(page, ruler.code)).toHaveCount(0);
  await expect(page.getByTestId("summary")).toContainText("1 producto coincide con «electronica»");
  await page.getByRole("link", { name: "Ver todos" }).click();
  await expect(page.locator("article.product-card")).toHaveCount(2);
});

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
  { width: 390, height: 844 },
]) {
  test(`the add button can be reached and used with 60 products at ${viewport.width}x${viewport.height}`, async ({
    browser,
  }) => {
    for (let n = 0; n < 60; n++) await server.createProduct(sampleProduct());
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(server.url + "/realtimeproducts");
    await expect(page.locator(".live-catalog [data-testid=connection-state]")).toHaveClass(/live/);
    await page.mouse.wheel(0, 3000); // well down the list
    const add = page.getByRole("button", { name: "Agregar" });
    await add.scrollIntoViewIfNeeded();
    await expect(add).toBeInViewport();
    const fresh = sampleProduct();
    const form = page.locator("form.product-form").first();
    await form.getByLabel("Título").fill(fresh.title);
    await form.getByLabel("Código").fill(fresh.code);
    await form.getByLabel("Precio").fill("10");
    await form.getByLabel("Stock").fill("1");
    await form.getByLabel("Categoría").fill("pruebas");
    await form.getByLabel("Descripción").fill("d");
    await add.scrollIntoViewIfNeeded();
    await add.click();
    await expect(card(page, fresh.code)).toHaveCount(1);
  });
}

test("presence goes up and down as a second page joins and leaves the chat", async ({ browser, page }) => {
  const logIn = async (p: Page, email: string) => {
    await p.goto(server.url + "/chat");
    await p.getByLabel("Ingresá tu email para chatear").fill(email);
    await p.getByRole("button", { name: "Ingresar" }).click();
  };
  await logIn(page, "ana@example.com");
  await expect(page.getByTestId("presence")).toHaveText("1 conectado");
  const second = await (await browser.newContext()).newPage();
  await logIn(second, "beto@example.com");
  await expect(page.getByTestId("presence")).toHaveText("2 conectados");
  await expect(second.getByTestId("presence")).toHaveText("2 conectados");
  await second.close();
  await expect(page.getByTestId("presence")).toHaveText("1 conectado");
});
