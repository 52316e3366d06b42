import { chromium } from "@playwright/test";
const base = process.argv[2];
const out = "/tmp/shots";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox"] });
const sets = [
  ["binhminh@ocop.demo", "member-demo-2026", { payments: "/coop/payments", orders: "/coop/orders", notices: "/notifications", account: "/account", coopage: "/c/binh-minh" }],
  ["admin@ocop.demo", "admin-demo-2026", { shipping: "/admin/shipping", emails: "/admin/emails", dash: "/admin" }],
  ["shopper@ocop.demo", "shopper-demo-2026", { checkout: "/checkout", cart: "/cart" }],
];
for (const [email, password, shots] of sets) {
  const context = await browser.newContext({ viewport: { width: 320, height: 700 }, locale: "vi-VN" });
  const page = await context.newPage();
  await page.goto(base + "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu").fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL((u) => u.pathname !== "/login");
  if (email.startsWith("shopper")) {
    await page.goto(base + "/p/tra-oi");
    await page.locator(".product__info").getByRole("button", { name: "Thêm vào giỏ" }).click();
  }
  for (const [name, path] of Object.entries(shots)) {
    await page.goto(base + path);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  }
  await context.close();
}
const anon = await browser.newContext({ viewport: { width: 320, height: 700 }, locale: "vi-VN", javaScriptEnabled: false });
const p = await anon.newPage();
await p.goto(base + "/forgot-password");
await p.screenshot({ path: `${out}/forgot.png`, fullPage: true });
await browser.close();
