import { expect, test } from "@playwright/test";
import { sampleProduct, TestServer } from "./support/server";

let server: TestServer;
test.beforeEach(async () => {
  server = await TestServer.start();
});
test.afterEach(async () => {
  await server.stop();
});

test("every page works under its Content-Security-Policy with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Refused to run: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const product = await server.createProduct(sampleProduct());

  const home = await page.goto(server.url + "/");
  expect(home?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  await expect(page.getByText(product.title).first()).toBeVisible();

  await page.goto(server.url + "/realtimeproducts");
  await expect(page.locator(".live-catalog [data-testid=connection-state]")).toHaveClass(/live/);
  // The islands work: a product added elsewhere arrives over the socket.
  const added = await server.createProduct(sampleProduct());
  await expect(page.locator(`article.product-card[data-code="${added.code}"]`)).toBeVisible();

  await page.goto(server.url + "/chat");
  await page.getByLabel("Ingresá tu email para chatear").fill("ana@example.com");
  await page.getByRole("button", { name: "Ingresar" }).click();
  await expect(page.getByTestId("welcome")).toHaveText("Bienvenido ana@example.com");

  await page.goto(server.url + "/login");
  expect(violations).toEqual([]);
});
