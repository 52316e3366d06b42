import { test, expect } from "@playwright/test";
import { watchConsole, logIn, ADMIN, SHOPPER } from "./helpers";

test("an admin disables a signed-in shopper, whose session ends at once, and the audit log shows it", async ({
  browser,
}) => {
  const shopperContext = await browser.newContext();
  const shopper = await shopperContext.newPage();
  await logIn(shopper, SHOPPER);
  await shopper.goto("/account");
  await expect(shopper.getByRole("link", { name: "Đăng nhập" })).toHaveCount(0);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const errors = watchConsole(admin);
  await logIn(admin, ADMIN);
  await admin.getByRole("link", { name: "Tài khoản", exact: true }).click();
  await admin.waitForURL(/\/admin\/users$/);
  // Search, as a plain GET form: the filter is in the URL.
  await admin.getByLabel("Tìm theo email hoặc tên").fill("shopper@ocop");
  await admin.getByRole("button", { name: "Lọc" }).click();
  await admin.waitForURL(/q=shopper%40ocop/);
  const row = admin.locator(`[data-testid="user"][data-email="${SHOPPER.email}"]`);
  await expect(admin.getByTestId("user")).toHaveCount(1);
  // Disabling asks once more: it ends every session of the account.
  await row.getByText("Khoá tài khoản").click();
  await row.getByRole("button", { name: "Khoá và kết thúc mọi phiên đăng nhập" }).click();
  await admin.waitForURL(/\/admin\/users$/);
  await expect(row.getByTestId("user-status")).toHaveText("Đã khoá");

  // The shopper's very next request is anonymous.
  await shopper.goto("/account");
  await expect(shopper.getByRole("link", { name: "Đăng nhập" }).first()).toBeVisible();

  await admin.goto("/admin/audit?action=user.disable");
  const line = admin.getByTestId("audit-entry").first();
  await expect(line).toContainText("Khoá tài khoản");
  await expect(line).toContainText(ADMIN.email);
  await expect(line).toContainText(/"sessions_ended":\d+/);

  // Put the account back as the other journeys expect it; the admin's own row has no controls.
  await admin.goto("/admin/users?q=shopper%40ocop");
  await row.getByRole("button", { name: "Mở khoá" }).click();
  await admin.waitForURL(/\/admin\/users$/);
  await expect(row.getByTestId("user-status")).toHaveText("Đang hoạt động");
  const own = admin.locator(`[data-testid="user"][data-email="${ADMIN.email}"]`);
  await expect(own.getByRole("button")).toHaveCount(0);
  await expect(own.locator("summary")).toHaveCount(0);
  await logIn(shopper, SHOPPER);
  expect(errors).toEqual([]);
  await shopperContext.close();
  await adminContext.close();
});
