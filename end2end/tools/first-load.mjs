// First-load bytes of a page: every JS, WASM and CSS file the browser fetches until the page
// has hydrated, as sent over the wire (the server's pre-compressed brotli) and decoded.
// node tools/first-load.mjs [baseURL] [path]
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const path = process.argv[3] ?? "/p/tra-dau-den-xanh-long-tui-loc";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const page = await (await browser.newContext()).newPage();
const files = [];
page.on("requestfinished", async (request) => {
  const url = new URL(request.url());
  if (!/\.(js|wasm|css)$/.test(url.pathname)) return;
  const response = await request.response();
  const sizes = await request.sizes();
  const body = response ? await response.body() : Buffer.alloc(0);
  files.push({
    file: url.pathname,
    encoding: response?.headers()["content-encoding"] ?? "identity",
    wire: sizes.responseBodySize,
    decoded: body.length,
  });
});
await page.goto(base + path);
await page.locator("body[data-hydrated]").waitFor({ timeout: 30_000 });
await page.waitForLoadState("networkidle");
await browser.close();
files.sort((a, b) => b.wire - a.wire);
for (const f of files) {
  console.log(`${f.file.padEnd(48)} ${f.encoding.padEnd(8)} wire ${String(f.wire).padStart(8)}  decoded ${String(f.decoded).padStart(8)}`);
}
const sum = (k) => files.reduce((n, f) => n + f[k], 0);
console.log(`total for ${path}: ${files.length} files, wire ${sum("wire")} bytes, decoded ${sum("decoded")} bytes`);
