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
  booth: "/booths/binh-minh",
  fair: "/fairs/tuyen-quang-ocop-online-fair-2026",
  notfound: "/p/no-such-product",
  login: "/login",
  apply: "/apply",
};
// Pages behind a login, with the demo account that may see them.
const signedIn = [
  ["binhminh@ocop.demo", "member-demo-2026", { dashboard: "/coop", products: "/coop/products", account: "/account" }],
  ["admin@ocop.demo", "admin-demo-2026", { admin: "/admin", review: "/admin/applications" }],
  ["shopper@ocop.demo", "shopper-demo-2026", { cart: "/cart" }],
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
for (const [width, height] of [[360, 740], [1280, 900]]) {
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
    await page.locator("body[data-hydrated]").waitFor({ timeout: 30000 });
    await page.getByLabel("Email").fill(email);
    await page.getByLabel(/Mật khẩu|Password/).fill(password);
    await page.getByRole("button", { name: /Đăng nhập|Log in/ }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
    for (const [name, path] of Object.entries(shots)) {
      if (name === "cart") {
        // A cart with something in it: one product, added as a shopper would.
        await page.goto(base + pages.product);
        await page.locator(".product__info").getByRole("button", { name: /Thêm vào giỏ|Add to cart/ }).click();
        await page.waitForURL(/\/cart$/);
      }
      await page.goto(base + path);
      await page.locator("body[data-hydrated]").waitFor({ timeout: 15000 }).catch(() => errors.push(`${name}: not hydrated`));
      await page.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true });
      if (name === "products") {
        // The editor of the first product in the dashboard's list.
        await page.locator(".data-table tbody a").first().click();
        await page.waitForURL(/\/coop\/products\/\d+$/);
        await page.locator("body[data-hydrated]").waitFor({ timeout: 15000 }).catch(() => errors.push("editor: not hydrated"));
        await page.screenshot({ path: `${out}/editor-${width}.png`, fullPage: true });
      }
    }
  }
  console.log(width, errors.length ? errors : "no console errors");
  await context.close();
}
await browser.close();
