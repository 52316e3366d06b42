// Screenshots of the main pages at phone and desktop widths, for looking at the design:
// node tools/screenshots.mjs [baseURL] [outDir]
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = process.argv[3] ?? "../target/screenshots";
const pages = {
  home: "/",
  list: "/products?stars=4",
  search: "/products?q=siro",
  product: "/p/tra-dau-den-xanh-long-tui-loc",
  coop: "/c/minh-thao",
  notfound: "/p/no-such-product",
};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
for (const [width, height] of [[390, 844], [1280, 900]]) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  for (const [name, path] of Object.entries(pages)) {
    await page.goto(base + path);
    await page.locator("body[data-hydrated]").waitFor({ timeout: 15000 }).catch(() => errors.push(`${name}: not hydrated`));
    await page.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true });
  }
  console.log(width, errors.length ? errors : "no console errors");
  await context.close();
}
await browser.close();
