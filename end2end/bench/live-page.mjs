// The live page in Debian's Chromium at 1280x720, against a running server with a large
// catalog (products GEN-1 .. GEN-N, as `bench growth` fills it). Run by `bench growth`;
// prints one JSON object of medians over the runs:
// - live_ms: from navigation to the page saying "En vivo" (the socket's first page shown);
// - heap_mb: the page's JS heap then (after a garbage collection);
// - search_ms: from typing a code far down the catalog (the input event) to its card shown;
// - added_ms: from sending a product through HTTP to its card on screen, where it belongs
//   (the page searching for its code, so it belongs in what is shown).
//
// Usage: node end2end/bench/live-page.mjs http://127.0.0.1:PORT PRODUCTS [RUNS]
import { chromium } from "@playwright/test";

const [url, productsArg, runsArg] = process.argv.slice(2);
const products = Number(productsArg);
const runs = Number(runsArg ?? 5);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

/** Resolves with Date.now() in the page when a card with `code` is in the list. */
function cardShown(page, code) {
  return page.evaluate(
    (code) =>
      new Promise((resolve) => {
        const selector = `[data-testid=live-product-list] article.product-card[data-code="${code}"]`;
        const check = () => {
          if (document.querySelector(selector)) {
            observer.disconnect();
            resolve(Date.now());
            return true;
          }
          return false;
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true });
        check();
      }),
    code,
  );
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const results = { live_ms: [], heap_mb: [], search_ms: [], added_ms: [] };
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(url + "/realtimeproducts", { waitUntil: "commit" });
  await page.locator(".live-catalog [data-testid=connection-state].live").waitFor();
  results.live_ms.push(Date.now() - started);
  const cdp = await context.newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  results.heap_mb.push(heap.usedSize / 1048576);

  // A search for a code far down the catalog.
  const code = `GEN-${Math.max(1, products - 1000 - run)}`;
  const search = page.getByTestId("live-search");
  await page.evaluate(() => {
    const box = document.querySelector("[data-testid=live-search]");
    box.addEventListener("input", () => (window.benchTyped = Date.now()));
  });
  const shown = cardShown(page, code);
  await search.fill(code);
  const at = await shown;
  results.search_ms.push(at - (await page.evaluate(() => window.benchTyped)));

  // A product sent through HTTP while the page searches for its code.
  const added = `BENCH-${Date.now()}-${run}`;
  await search.fill(added);
  await page.getByTestId("product-count").filter({ hasText: "Ningún producto" }).waitFor();
  const appears = cardShown(page, added);
  const sent = Date.now();
  const response = await fetch(url + "/api/products", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: "Bench", description: "d", code: added, price: 1, stock: 1, category: "bench" }),
  });
  if (response.status !== 201) throw new Error(`create: ${response.status}`);
  results.added_ms.push((await appears) - sent);
  await context.close();
}
await browser.close();
const out = {};
for (const [name, values] of Object.entries(results)) out[name] = median(values);
console.log(JSON.stringify(out));
