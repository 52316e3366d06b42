import { test, expect } from "./fixtures";
import { watchConsole, logIn, ADMIN, MEMBER, SHOPPER } from "./helpers";

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

test("a refused action on a list page says why, without JavaScript, and changes nothing", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Mật khẩu").fill(ADMIN.password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  await page.goto("/admin/cooperatives");
  const row = page.locator('[data-testid="cooperative"][data-slug="binh-minh"]');
  await expect(row).toHaveAttribute("data-status", "approved");
  // Blanks pass the browser's own check; the server wants a reason the cooperative can read.
  await row.locator("summary", { hasText: "Tạm ngừng" }).click();
  await row.getByLabel("Lý do (hợp tác xã sẽ thấy)").fill("   ");
  await row.getByRole("button", { name: "Tạm ngừng và ẩn sản phẩm, gian hàng" }).click();
  await page.waitForURL(/\/admin\/cooperatives\?.*__err=/);
  await expect(page.getByTestId("refusal")).toHaveText("Hãy nêu lý do; hợp tác xã sẽ thấy lý do này.");
  await expect(row).toHaveAttribute("data-status", "approved");
  // A page with no action forms says nothing of it.
  await page.goto("/admin/audit");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByTestId("refusal")).toHaveCount(0);
  await context.close();
});

test("an admin hides a product with a reason its cooperative reads, and unhides it", async ({ browser }) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const errors = watchConsole(admin);
  await logIn(admin, ADMIN);
  await admin.goto("/admin/products");
  await admin.getByLabel("Tìm sản phẩm hoặc hợp tác xã").fill("đu đủ");
  await admin.getByRole("button", { name: "Lọc" }).click();
  await admin.waitForURL(/q=/);
  await expect(admin.getByTestId("moderated-product")).toHaveCount(1);
  const slug = await admin.getByTestId("moderated-product").getAttribute("data-slug");
  const row = admin.locator(`[data-testid="moderated-product"][data-slug="${slug}"]`);
  const reason = "Ảnh sản phẩm chưa đúng với thực tế, xin chụp lại";

  // Hiding asks for the reason first.
  await row.locator("summary", { hasText: "Ẩn" }).click();
  await row.getByLabel("Lý do (hợp tác xã sẽ thấy)").fill(reason);
  await row.getByRole("button", { name: "Ẩn khỏi cửa hàng" }).click();
  await admin.waitForURL(/\/admin\/products$/);
  await expect(row).toHaveAttribute("data-hidden", "true");
  await expect(row).toContainText(reason);

  // The shop no longer has it; the cooperative sees why, and cannot put it back on sale.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  watchConsole(visitor, /status of 404/);
  expect((await visitor.goto(`/p/${slug}`))?.status()).toBe(404);
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await logIn(member, MEMBER);
  await member.goto("/coop/products");
  await expect(member.getByTestId("hidden-reason")).toHaveCount(1);
  await expect(member.getByTestId("hidden-reason")).toContainText(reason);

  await admin.goto("/admin/audit?action=product.hide");
  await expect(admin.getByTestId("audit-entry").first()).toContainText(reason);

  // Unhidden, it is on sale again.
  await admin.goto("/admin/products?hidden=1");
  await row.getByRole("button", { name: "Bỏ ẩn" }).click();
  await admin.waitForURL(/\/admin\/products$/);
  await expect(row).toHaveAttribute("data-hidden", "false");
  expect((await visitor.goto(`/p/${slug}`))?.status()).toBe(200);
  await member.goto("/coop/products");
  await expect(member.getByTestId("hidden-reason")).toHaveCount(0);
  expect(errors).toEqual([]);
  await Promise.all([adminContext.close(), visitorContext.close(), memberContext.close()]);
});
