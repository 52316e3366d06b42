import { test, expect } from "./fixtures";
import { hydrated, watchConsole, logIn, MEMBER, ADMIN } from "./helpers";

// A `datetime-local` value `days` from now (the browser's clock; the server reads it as
// Vietnam time, and a day either way does not matter here).
function localInput(days: number, hour: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

test.beforeEach(async ({ context }) => {
  await context.clearCookies();
});

test("the home page features the running fair, whose hall is searched and counts a visitor live", async ({
  browser,
}) => {
  const hallContext = await browser.newContext();
  const hall = await hallContext.newPage();
  const errors = watchConsole(hall);
  await hall.goto("/");
  const banner = hall.getByTestId("running-fair");
  await expect(banner).toContainText("Hội chợ OCOP Tuyên Quang trực tuyến 2026");
  await banner.getByRole("link", { name: /Vào hội chợ/ }).click();
  await hall.waitForURL(/\/fairs\/tuyen-quang-ocop-online-fair-2026$/);
  await hydrated(hall);
  const booth = hall.locator('[data-testid="hall-booth"][data-booth="binh-minh"]');
  await expect(booth.getByTestId("hall-visitors")).toContainText("0 người đang xem");

  // A visitor walks into the Binh Minh booth: the hall shows it within a second or so.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto("/booths/binh-minh");
  await hydrated(visitor);
  await expect(visitor.locator(".booth__live-badge")).toContainText("Đang diễn ra tại");
  await expect(booth.getByTestId("hall-visitors")).toContainText("1 người đang xem");
  await visitorContext.close();
  await expect(booth.getByTestId("hall-visitors")).toContainText("0 người đang xem", { timeout: 5_000 });

  // Search without diacritics, then filter by a product group.
  await hall.getByLabel("Tìm gian hàng hoặc sản phẩm").fill("chuoi");
  await hall.getByRole("button", { name: "Lọc" }).click();
  await hall.waitForURL(/q=chuoi/);
  await expect(hall.getByTestId("hall-booth").first()).toBeVisible();
  await expect(hall.locator('[data-booth="chieu-yen"]')).toBeVisible();
  await expect(hall.locator('[data-booth="thuong-lam-sturgeon"]')).toHaveCount(0);
  expect(errors).toEqual([]);
  await hallContext.close();
});

test("a member edits the booth's picks, schedule and team, and the booth shows them", async ({ page }) => {
  // The refused link below answers 422 on purpose.
  const errors = watchConsole(page, /status of 422/);
  await logIn(page, MEMBER);
  await page.goto("/coop/booth/edit");
  await hydrated(page);

  const picks = page.getByTestId("picks");
  await expect(page.getByTestId("no-picks")).toBeVisible();
  const others = page.locator(".picks--others .picks__item");
  const second = (await others.nth(1).locator(".picks__name").innerText()).trim();
  const first = (await others.nth(0).locator(".picks__name").innerText()).trim();
  await others.nth(1).getByRole("button", { name: "Trưng bày" }).click();
  await expect(picks.getByTestId("pick")).toHaveCount(1);
  await page.locator(".picks--others .picks__item").filter({ hasText: first }).getByRole("button", { name: "Trưng bày" }).click();
  await expect(picks.getByTestId("pick")).toHaveCount(2);
  // The first picked goes second; moving it up puts it first.
  await picks.getByTestId("pick").nth(1).getByRole("button", { name: "Lên" }).click();
  await expect(picks.getByTestId("pick").first()).toContainText(first);

  await page.getByLabel("Thời gian (giờ Việt Nam)").fill(localInput(2, 19));
  await page.getByLabel("Nội dung (tiếng Việt)").fill("Livestream thử chè đêm Giáng sinh");
  // A link the browser accepts but the server refuses: the error shows and nothing typed is lost.
  const link = page.getByLabel("Đường dẫn phát trực tiếp (không bắt buộc)");
  await link.fill("javascript:alert(1)");
  await page.getByRole("button", { name: "Thêm vào lịch" }).click();
  await expect(page.locator("#field-form-link-error")).toBeVisible();
  await expect(page.getByLabel("Nội dung (tiếng Việt)")).toHaveValue("Livestream thử chè đêm Giáng sinh");
  await link.fill("https://www.youtube.com/@binhminh/live");
  await page.getByRole("button", { name: "Thêm vào lịch" }).click();
  await expect(page.getByTestId("slots")).toContainText("Livestream thử chè đêm Giáng sinh");

  await page.getByLabel("Họ và tên").fill("Trần Văn Bình");
  await page.getByLabel("Vai trò (tiếng Việt)").fill("Kỹ thuật viên chè");
  await page.getByRole("button", { name: "Thêm người trực" }).click();
  await expect(page.getByTestId("team-member").filter({ hasText: "Trần Văn Bình" })).toBeVisible();

  await page.goto("/booths/binh-minh");
  const featured = page.locator("#booth-featured + * .product-card, section[aria-labelledby='booth-featured'] .product-card");
  await expect(featured).toHaveCount(2);
  await expect(featured.first()).toContainText(first);
  await expect(featured.nth(1)).toContainText(second);
  await expect(page.locator(".booth__schedule")).toContainText("Livestream thử chè đêm Giáng sinh");
  await expect(page.locator(".booth__team")).toContainText("Trần Văn Bình");

  // Put the booth back as the other journeys expect it.
  await page.goto("/coop/booth/edit");
  await hydrated(page);
  for (let i = 0; i < 2; i++) {
    await page.getByTestId("pick").first().getByRole("button", { name: "Bỏ trưng bày" }).click();
    await expect(page.getByTestId("pick")).toHaveCount(1 - i);
  }
  expect(errors).toEqual([]);
});

test("an admin creates a fair, edits its booths, opens it now and closes it, which an open booth page shows live; refused forms come back as typed", async ({
  page,
  browser,
}) => {
  const errors = watchConsole(page);
  await logIn(page, ADMIN);
  await page.goto("/fairs");
  await page.getByRole("link", { name: "Tạo hội chợ" }).click();
  await page.waitForURL(/\/admin\/fairs\/new/);
  await page.getByLabel("Tên hội chợ (tiếng Việt)").fill("Phiên chợ chè Xuân 2027");
  await page.getByLabel("Tên hội chợ (tiếng Anh)").fill("Spring Tea Market 2027");
  await page.getByLabel("Giới thiệu (tiếng Việt)").fill("Chè Shan tuyết, chè búp và trà hoa vàng.");
  // Ends before the demo fair (two weeks), so that a booth in both is live at this one once open.
  await page.getByLabel("Bắt đầu").fill(localInput(5, 8));
  // Ends before it starts: only the server can tell.
  await page.getByLabel("Kết thúc").fill(localInput(4, 20));
  await page.locator('input[name="form[booths][binh-minh]"]').check();
  await page.getByRole("button", { name: "Tạo hội chợ" }).click();

  await page.waitForURL(/draft=/);
  await expect(page.getByText("Thời gian kết thúc phải sau thời gian bắt đầu.")).toBeVisible();
  await expect(page.getByLabel("Tên hội chợ (tiếng Việt)")).toHaveValue("Phiên chợ chè Xuân 2027");
  await expect(page.getByLabel("Giới thiệu (tiếng Việt)")).toHaveValue("Chè Shan tuyết, chè búp và trà hoa vàng.");
  await expect(page.locator('input[name="form[booths][binh-minh]"]')).toBeChecked();

  await page.getByLabel("Kết thúc").fill(localInput(10, 20));
  await page.getByRole("button", { name: "Tạo hội chợ" }).click();
  await page.waitForURL(/\/fairs\/spring-tea-market-2027$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Phiên chợ chè Xuân 2027");
  await expect(page.getByText("Sắp diễn ra").first()).toBeVisible();
  await expect(page.getByTestId("hall-booth")).toHaveCount(1);
  await page.goto("/fairs");
  await expect(page.getByRole("region", { name: "Sắp diễn ra" })).toContainText("Phiên chợ chè Xuân 2027");

  // Edited from the admins' list: another booth joins, and a refused edit keeps what was typed.
  await page.getByRole("link", { name: "Quản lý hội chợ" }).click();
  await page.waitForURL(/\/admin\/fairs$/);
  const row = page.locator('[data-testid="admin-fair"][data-slug="spring-tea-market-2027"]');
  await expect(row).toContainText("Sắp diễn ra");
  await row.getByRole("link", { name: "Sửa" }).click();
  await page.waitForURL(/\/admin\/fairs\/spring-tea-market-2027\/edit$/);
  await expect(page.getByLabel("Tên hội chợ (tiếng Việt)")).toHaveValue("Phiên chợ chè Xuân 2027");
  await expect(page.locator('input[name="form[booths][binh-minh]"]')).toBeChecked();
  await page.locator('input[name="form[booths][hong-phat]"]').check();
  await page.getByLabel("Tên hội chợ (tiếng Việt)").fill("Phiên chợ chè và mật ong 2027");
  await page.getByLabel("Kết thúc").fill(localInput(4, 20));
  await page.getByRole("button", { name: "Lưu hội chợ" }).click();
  await page.waitForURL(/\/spring-tea-market-2027\/edit\?.*draft=/);
  await expect(page.getByText("Thời gian kết thúc phải sau thời gian bắt đầu.")).toBeVisible();
  await expect(page.getByLabel("Tên hội chợ (tiếng Việt)")).toHaveValue("Phiên chợ chè và mật ong 2027");
  await expect(page.locator('input[name="form[booths][hong-phat]"]')).toBeChecked();
  await page.getByLabel("Kết thúc").fill(localInput(10, 20));
  await page.getByRole("button", { name: "Lưu hội chợ" }).click();
  await page.waitForURL(/\/admin\/fairs$/);
  await expect(row).toContainText("Phiên chợ chè và mật ong 2027");
  await expect(row.locator("td").nth(2)).toHaveText("2");

  // A visitor is at the Hong Phat booth, live at the demo fair for now.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const visitorErrors = watchConsole(visitor);
  await visitor.goto("/booths/hong-phat");
  await hydrated(visitor);
  const badge = visitor.getByTestId("live-badge");
  await expect(badge).toContainText("Hội chợ OCOP Tuyên Quang trực tuyến 2026");

  // Opened now, it runs; closed now, it is over. Each is one click on the list, and the
  // visitor's badge follows without a reload.
  await row.getByRole("button", { name: "Mở ngay" }).click();
  await page.waitForURL(/\/admin\/fairs$/);
  await expect(row).toContainText("Đang diễn ra");
  await expect(badge).toContainText("Phiên chợ chè và mật ong 2027");
  await page.goto("/fairs/spring-tea-market-2027");
  await expect(page.getByText("Đang diễn ra").first()).toBeVisible();
  await expect(page.getByTestId("hall-booth")).toHaveCount(2);
  await page.goto("/admin/fairs");
  await row.getByRole("button", { name: "Đóng ngay" }).click();
  await page.waitForURL(/\/admin\/fairs$/);
  await expect(row).toContainText("Đã kết thúc");
  await expect(row.getByRole("button")).toHaveCount(0);
  await expect(badge).toContainText("Hội chợ OCOP Tuyên Quang trực tuyến 2026");
  expect(visitorErrors).toEqual([]);
  await visitorContext.close();
  await page.goto("/admin/audit?action=fair.close");
  await expect(page.getByTestId("audit-entry")).toHaveCount(1);
  await expect(page.getByTestId("audit-entry")).toContainText("Đóng hội chợ");
  expect(errors).toEqual([]);
});
