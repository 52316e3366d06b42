import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test, expect, type Page } from "./fixtures";
import { fillAddress, hydrated, logIn, watchConsole, MEMBER, SHOPPER } from "./helpers";

// The emails the server sent, as the test SMTP server (aiosmtpd, started by scripts/test.sh) kept
// them: one file per email in MAILDIR/new.
const MAILDIR = process.env.MAILDIR ?? "";

// The decoded text of a quoted-printable body (soft line breaks and =XX bytes).
function quotedPrintable(body: string): string {
  const joined = body.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === "=" && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// Waits for an email to `to` whose text holds a link to `path`, and returns that link.
async function linkInEmail(to: string, path: string): Promise<string> {
  const pattern = new RegExp(`https?://[^\\s"<>]+${path.replace("/", "\\/")}\\?token=[A-Za-z0-9_-]+`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const dir = join(MAILDIR, "new");
    const files = readdirSync(dir)
      .map((name) => join(dir, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const file of files) {
      const raw = readFileSync(file, "utf8");
      if (!raw.includes(`X-RcptTo: ${to}`)) continue;
      const found = quotedPrintable(raw).match(pattern);
      if (found) return found[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no email to ${to} with a link to ${path}`);
}

test.beforeEach(async ({ context }) => {
  expect(MAILDIR, "MAILDIR must name the test SMTP server's maildir (scripts/test.sh sets it)").not.toBe("");
  await context.clearCookies();
});

test("a shopper confirms their email and resets a forgotten password through the links they receive", async ({
  page,
}) => {
  const errors = watchConsole(page);
  const email = `lan.${Date.now()}@example.vn`;
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Họ và tên").fill("Lan");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu").fill("mật khẩu đầu tiên 2026");
  await page.getByRole("button", { name: "Tạo tài khoản" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("email-unverified")).toContainText(email);

  // The confirmation link, from the email, asks before it confirms.
  const verify = await linkInEmail(email, "/verify-email");
  await page.goto(verify);
  await page.getByRole("button", { name: "Xác nhận" }).click();
  await expect(page.getByTestId("email-verified")).toBeVisible();
  await page.goto("/account");
  await expect(page.getByTestId("email-unverified")).toHaveCount(0);

  // Forgotten: out, and back in through the reset link.
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByRole("link", { name: "Quên mật khẩu?" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Gửi liên kết cho tôi" }).click();
  await expect(page.getByTestId("reset-sent")).toBeVisible();
  const reset = await linkInEmail(email, "/reset-password");
  await page.goto(reset);
  await page.getByLabel("Mật khẩu mới").fill("một mật khẩu mới 2026");
  await page.getByRole("button", { name: "Lưu mật khẩu mới" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1/);
  await expect(page.getByTestId("password-reset")).toBeVisible();
  await logIn(page, { email, password: "một mật khẩu mới 2026" });
  await expect(page).toHaveURL(/\/account$/);

  // The link worked once.
  await page.goto(reset);
  await page.getByLabel("Mật khẩu mới").fill("yet another password 2026");
  await page.getByRole("button", { name: "Lưu mật khẩu mới" }).click();
  await expect(page.getByTestId("refusal")).toContainText("Liên kết đã dùng, hết hạn hoặc sai");
  expect(errors).toEqual([]);
});

async function bellCount(page: Page): Promise<number> {
  const badge = page.getByTestId("bell-count");
  return (await badge.isVisible()) ? Number(await badge.textContent()) : 0;
}

test("a cooperative sees a new order arrive live, and its bell rings", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await logIn(page, MEMBER);
  await page.goto("/coop/orders");
  await hydrated(page);
  const before = await bellCount(page);
  await expect(page.getByTestId("new-orders")).toBeHidden();

  // A shopper, elsewhere, buys from Binh Minh.
  const shopperContext = await browser.newContext();
  const shopper = await shopperContext.newPage();
  await logIn(shopper, SHOPPER);
  await shopper.goto("/p/tra-oi");
  await shopper.locator(".product__info").getByRole("button", { name: "Thêm vào giỏ" }).click();
  await expect(shopper).toHaveURL(/\/cart$/);
  await shopper.goto("/checkout");
  await hydrated(shopper);
  await fillAddress(shopper);
  await shopper.getByTestId("place-order").click();
  await expect(shopper).toHaveURL(/\/orders\/placed\/\d+$/);
  const number = (await shopper.getByTestId("placed-order").getByRole("link").first().textContent())?.trim() ?? "";
  await shopperContext.close();

  // Without reloading, the member's list shows it and the bell counts it.
  const arrived = page.getByTestId("new-order").filter({ hasText: number });
  await expect(arrived).toBeVisible();
  await expect(page.getByTestId("bell-count")).toHaveText(String(before + 1));
  await arrived.getByRole("link").click();
  await expect(page.getByTestId("order")).toHaveAttribute("data-status", "pending");

  // The notice is on the bell's page; opening it marks it read.
  await page.goto("/notifications");
  const notice = page.getByTestId("notice").filter({ hasText: number }).first();
  await expect(notice).toContainText("Đơn hàng mới");
  await notice.getByRole("button").click();
  await expect(page).toHaveURL(new RegExp(`/coop/orders/${number}$`));
  expect(errors).toEqual([]);
});
