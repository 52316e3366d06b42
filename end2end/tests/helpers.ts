import type { Page, ConsoleMessage } from "@playwright/test";

// Collects console errors and uncaught exceptions; each journey ends by asserting there were
// none. `expected` names the errors a journey provokes on purpose (a 403 page, say).
export function watchConsole(page: Page, expected?: RegExp): string[] {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error" && !(expected && expected.test(msg.text()))) errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

// Waits until every island of the page has hydrated (the last one marks the body).
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
}

// The demo accounts the server seeds (README, "Demo accounts").
export type Account = { email: string; password: string };
export const ADMIN: Account = { email: "admin@ocop.demo", password: "admin-demo-2026" };
export const MEMBER: Account = { email: "binhminh@ocop.demo", password: "member-demo-2026" };
export const SHOPPER: Account = { email: "shopper@ocop.demo", password: "shopper-demo-2026" };

// Logs in through the hydrated login form and waits to be sent on.
export async function logIn(page: Page, who: Account) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Mật khẩu").fill(who.password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

// Fills the checkout's delivery address with a valid one.
export async function fillAddress(page: Page) {
  await page.getByLabel("Họ và tên").fill("Nguyễn Thị Lan");
  await page.getByLabel("Số di động").fill("0912 345 678");
  await page.getByLabel("Tỉnh/Thành phố").selectOption("Tuyên Quang");
  await page.getByLabel("Xã/Phường").fill("Phường Minh Xuân");
  await page.getByLabel("Số nhà, tên đường").fill("12 Đường 17/8");
}
