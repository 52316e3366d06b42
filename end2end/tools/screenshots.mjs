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
  login: "/login",
  apply: "/apply",
};
// Pages behind a login, with the demo account that may see them.
const signedIn = [
  ["binhminh@ocop.demo", "member-demo-2026", { dashboard: "/coop", products: "/coop/products", account: "/account" }],
  ["admin@ocop.demo", "admin-demo-2026", { review: "/admin/applications" }],
];
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
  for (const [email, password, shots] of signedIn) {
    await context.clearCookies();
    await page.goto(base + "/login");
    await page.locator("body[data-hydrated]").waitFor({ timeout: 15000 });
    await page.getByLabel("Email").fill(email);
    await page.getByLabel(/Mật khẩu|Password/).fill(password);
    await page.getByRole("button", { name: /Đăng nhập|Log in/ }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
    for (const [name, path] of Object.entries(shots)) {
      await page.goto(base + path);
      await page.locator("body[data-hydrated]").waitFor({ timeout: 15000 }).catch(() => errors.push(`${name}: not hydrated`));
      await page.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true });
      if (name === "products") {
        // The editor of the first product in the dashboard's list.
        await page.locator(".data-table tbody a").first().click();
        await page.waitForURL(/\/coop\/products\/\d+$/);
        await page.locator("body[data-hydrated]").waitFor({ timeout: 15000 });
        await page.screenshot({ path: `${out}/editor-${width}.png`, fullPage: true });
      }
    }
  }
  console.log(width, errors.length ? errors : "no console errors");
  await context.close();
}
await browser.close();
