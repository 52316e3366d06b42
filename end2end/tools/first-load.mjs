// First-load bytes of pages: every JS, WASM and CSS file Chromium fetches until the page has
// hydrated, as sent over the wire (the server's pre-compressed brotli) and decoded.
//   node tools/first-load.mjs [baseURL] [path...] [--budget BYTES]
// With --budget, exits 1 when the first path's wire total is over it (scripts/first-load.sh,
// run by the test command against the release WASM). Always exits 1 when a page fetches a WASM
// file that its <head> did not preload: a lazy island's chunks found only when hydration reaches
// the island cost a round trip each (seconds on a weak link; see app/src/ui/lazy.rs).
import { chromium } from "@playwright/test";

const args = process.argv.slice(2);
const budgetAt = args.indexOf("--budget");
const budget = budgetAt >= 0 ? Number(args.splice(budgetAt, 2)[1]) : null;
const base = args[0] ?? "http://127.0.0.1:3000";
const paths = args.length > 1 ? args.slice(1) : ["/p/tra-dau-den-xanh-long-tui-loc"];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function firstLoad(path) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const files = [];
  const pending = [];
  page.on("requestfinished", (request) => {
    const url = new URL(request.url());
    if (!/\.(js|wasm|css)$/.test(url.pathname)) return;
    pending.push(
      (async () => {
        const response = await request.response();
        const sizes = await request.sizes();
        const body = response ? await response.body() : Buffer.alloc(0);
        files.push({
          file: url.pathname,
          encoding: response?.headers()["content-encoding"] ?? "identity",
          wire: sizes.responseBodySize,
          decoded: body.length,
        });
      })(),
    );
  });
  const response = await page.goto(base + path);
  if (!response || response.status() !== 200) throw new Error(`${path} answered ${response?.status()}`);
  await page.locator("body[data-hydrated]").waitFor({ timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  await Promise.all(pending);
  const preloaded = await page.evaluate(() =>
    Array.from(document.querySelectorAll('link[rel="preload"][as="fetch"]'), (link) => new URL(link.href).pathname),
  );
  await context.close();
  files.sort((a, b) => b.wire - a.wire);
  for (const f of files) {
    console.log(`  ${f.file.padEnd(48)} ${f.encoding.padEnd(8)} wire ${String(f.wire).padStart(8)}  decoded ${String(f.decoded).padStart(8)}`);
  }
  const sum = (k) => files.reduce((n, f) => n + f[k], 0);
  const wasm = files.filter((f) => f.file.endsWith(".wasm"));
  const late = wasm.filter((f) => !preloaded.includes(f.file));
  console.log(
    `first load of ${path}: ${files.length} files (${wasm.length} WASM, ${wasm.length - late.length} of them preloaded), ` +
      `wire ${sum("wire")} bytes, decoded ${sum("decoded")} bytes`,
  );
  if (late.length > 0) {
    console.error(`NOT PRELOADED on ${path}: ${late.map((f) => f.file).join(", ")}`);
    notPreloaded = true;
  }
  return sum("wire");
}

let notPreloaded = false;
const totals = [];
for (const path of paths) totals.push(await firstLoad(path));
await browser.close();
if (notPreloaded) process.exit(1);
if (budget !== null) {
  if (totals[0] > budget) {
    console.error(`FIRST-LOAD BUDGET EXCEEDED: ${paths[0]} fetches ${totals[0]} bytes of JS + WASM + CSS, over the ${budget}-byte budget`);
    process.exit(1);
  }
  console.log(`first-load budget kept: ${totals[0]} of ${budget} bytes for ${paths[0]}`);
}
