import { test, expect, type Page } from "./fixtures";
import { hydrated, watchConsole, MEMBER, ADMIN, SHOPPER } from "./helpers";

// Refusals the journeys provoke on purpose (a 403 page, a 422 for a bad price) show up as
// "Failed to load resource" in Chromium's console; anything else is an error.
const PROVOKED = /Failed to load resource: the server responded with a status of (403|422)/;

// Fills the login form on the current page (or opens /login first) and waits for the page
// the login leads to.
async function logIn(page: Page, who: { email: string; password: string }, { here = false } = {}) {
  if (!here) await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Mật khẩu").fill(who.password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  await hydrated(page);
}

async function logOut(page: Page) {
  await page.goto("/account");
  await hydrated(page);
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await expect(page.getByRole("link", { name: "Đăng nhập" })).toBeVisible();
}

test.beforeEach(async ({ context }) => {
  await context.clearCookies();
});

test("a member creates a bilingual product, publishes it and finds it by search", async ({ page }) => {
  const errors = watchConsole(page, PROVOKED);
  // A number of its own, so that reruns against one database never find each other's product.
  const run = String(Date.now() % 1_000_000);
  const name = `Trà Shan tuyết cổ thụ Pà Làng ${run}`;
  await logIn(page, MEMBER);
  await expect(page).toHaveURL(/\/coop$/);
  await expect(page.getByRole("heading", { name: "Tổng quan", level: 1 })).toBeVisible();

  await page.getByRole("navigation", { name: "Trang quản lý hợp tác xã" }).getByRole("link", { name: "Sản phẩm" }).click();
  await page.getByRole("link", { name: "Thêm sản phẩm" }).click();
  await hydrated(page);
  const vi = page.getByRole("group", { name: "Tiếng Việt" });
  const en = page.getByRole("group", { name: "English" });
  await vi.getByLabel("Tên").fill(name);
  await vi.getByLabel("Mô tả").fill("Chè Shan tuyết từ cây cổ thụ trên 100 năm tuổi.");
  await vi.getByLabel(/Đơn vị/).fill("gói 100 g");
  await en.getByLabel("Tên").fill("Pa Lang ancient Shan Tuyet tea");
  await en.getByLabel("Mô tả").fill("Shan Tuyet tea from trees over 100 years old.");
  await en.getByLabel(/Đơn vị/).fill("100 g pack");
  await page.getByLabel("Nhóm sản phẩm OCOP").selectOption("beverages");
  await page.getByLabel("Giá (₫)").fill("abc");
  await page.getByLabel("Tồn kho").fill("30");
  await page.getByRole("button", { name: "Tạo bản nháp" }).click();

  // A bad price is answered beside the field, and everything typed is still there.
  await expect(page.getByText("Nhập giá bằng đồng, ví dụ 45000 hoặc 45.000.")).toBeVisible();
  await expect(vi.getByLabel("Tên")).toHaveValue(name);
  await page.getByLabel("Giá (₫)").fill("95.000");
  await page.getByRole("button", { name: "Tạo bản nháp" }).click();

  await expect(page).toHaveURL(/\/coop\/products\/\d+$/);
  await expect(page.getByRole("heading", { name: "Sửa sản phẩm" })).toBeVisible();

  // In the editor too, a refused save keeps what was typed.
  await hydrated(page);
  const story = "Chè Shan tuyết cổ thụ Pà Làng, hái tay một tôm hai lá.";
  await vi.getByLabel("Mô tả").fill(story);
  await page.getByLabel("Giá (₫)").fill("chín mươi nghìn");
  await page.getByRole("button", { name: "Lưu thay đổi" }).click();
  await expect(page.getByText("Nhập giá bằng đồng, ví dụ 45000 hoặc 45.000.")).toBeVisible();
  // Long enough for a refresh of the editor's data, had the refusal triggered one, to land.
  await page.waitForTimeout(1_500);
  await expect(vi.getByLabel("Mô tả")).toHaveValue(story);
  await expect(page.getByLabel("Giá (₫)")).toHaveValue("chín mươi nghìn");
  await page.getByLabel("Giá (₫)").fill("95.000");
  await page.getByRole("button", { name: "Lưu thay đổi" }).click();
  await expect(page.getByText("Đã lưu.")).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(vi.getByLabel("Mô tả")).toHaveValue(story);

  // Stock moves by a change with its reason, never by retyping a figure: the editor shows it and why.
  const stock = page.locator(".stock-editor");
  await expect(stock.getByTestId("stock-now")).toHaveText("30");
  await stock.getByLabel(/^Thay đổi/).fill("-31");
  await stock.getByLabel("Lý do").selectOption("correction");
  await stock.getByRole("button", { name: "Cập nhật" }).click();
  await expect(stock.getByText("Tồn kho không thể âm")).toBeVisible();
  await stock.getByLabel(/^Thay đổi/).fill("+20");
  await stock.getByLabel("Lý do").selectOption("received");
  await stock.getByLabel(/^Ghi chú/).fill("Lô hái tháng 12");
  await stock.getByRole("button", { name: "Cập nhật" }).click();
  await expect(stock.getByTestId("stock-now")).toHaveText("50");
  const latest = stock.getByRole("row").nth(1);
  await expect(latest).toContainText("+20");
  await expect(latest).toContainText("Nhập hàng");
  await expect(latest).toContainText("Lô hái tháng 12");

  // A photo, drawn by the browser itself as a 1600×1200 JPEG.
  const photo = await page.evaluate(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 1600;
    canvas.height = 1200;
    const g = canvas.getContext("2d")!;
    const gradient = g.createLinearGradient(0, 0, 1600, 1200);
    gradient.addColorStop(0, "#1f6f43");
    gradient.addColorStop(1, "#f2c14e");
    g.fillStyle = gradient;
    g.fillRect(0, 0, 1600, 1200);
    const blob: Blob = await new Promise((done) => canvas.toBlob((b) => done(b!), "image/jpeg", 0.85));
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  await page.getByLabel("Thêm ảnh").setInputFiles({ name: "doi-che.jpg", mimeType: "image/jpeg", buffer: Buffer.from(photo) });
  await page.getByRole("button", { name: "Tải ảnh lên" }).click();
  await expect(page.getByText("Đã thêm ảnh.")).toBeVisible();
  await expect(page.locator(".photo-editor__item img")).toHaveCount(1);
  await expect(page.locator(".photo-editor__item").getByText("Ảnh bìa")).toBeVisible();

  await page.goto("/coop/products");
  await hydrated(page);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row.getByText("Bản nháp")).toBeVisible();
  await row.getByRole("button", { name: "Mở bán" }).click();
  await expect(row.getByText("Đang bán")).toBeVisible();

  await page.goto(`/products?q=pa+lang+shan+tuyet+${run}`);
  await expect(page.locator(".catalog__results").getByRole("link", { name })).toBeVisible();
  // The card shows the cover photo, a WebP served by the site.
  const cardImage = page.locator(".catalog__results .product-card__image").first();
  await expect(cardImage).toHaveAttribute("src", /^\/media\/public\/products\/\d+\/.+-400\.webp$/);
  const image = await page.request.get((await cardImage.getAttribute("src"))!);
  expect(image.headers()["content-type"]).toBe("image/webp");
  expect(errors).toEqual([]);
});

test("the dashboard sends a visitor to log in and refuses a shopper with 403", async ({ page }) => {
  const anonymous = await page.goto("/coop");
  await expect(page).toHaveURL(/\/login\?next=%2Fcoop$/);
  expect(anonymous?.status()).toBe(200);

  await logIn(page, SHOPPER, { here: true });
  await expect(page).toHaveURL(/\/coop$/);
  // The login came back to /coop, which a shopper may not use.
  await expect(page.getByRole("heading", { name: "Bạn không có quyền truy cập trang này" })).toBeVisible();
  const response = await page.goto("/coop/products");
  expect(response?.status()).toBe(403);
});

test("an applicant applies, an admin approves, and the applicant opens the dashboard", async ({ page }) => {
  const errors = watchConsole(page, PROVOKED);
  const run = String(Date.now() % 1_000_000);
  const email = `htx-${run}@example.vn`;
  const coop = `HTX Chè Hồng Thái ${run}`;
  await page.goto("/apply");
  await hydrated(page);
  await page.getByLabel("Tên tiếng Việt").fill(coop);
  await page.getByLabel("Tên tiếng Anh").fill("Hong Thai Tea Cooperative");
  await page.getByLabel("Huyện/thành phố").selectOption({ label: "Na Hang" });
  await page.getByLabel("Xã/phường").fill("Hồng Thái");
  await page.getByLabel("Người liên hệ").fill("Hoàng Thị Lan");
  await page.getByLabel("Số điện thoại").fill("0912 345 678");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu").fill("một mật khẩu tốt");
  await page.getByRole("button", { name: "Gửi hồ sơ" }).click();
  await expect(page.getByRole("heading", { name: "Đã gửi hồ sơ" })).toBeVisible();

  // Pending: the member can log in but not use the dashboard yet.
  await logIn(page, { email, password: "một mật khẩu tốt" });
  await page.goto("/account");
  await expect(page.getByText("Đang chờ duyệt")).toBeVisible();
  const closed = await page.goto("/coop");
  expect(closed?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Bảng điều khiển của hợp tác xã đang đóng" })).toBeVisible();
  await expect(page.getByTestId("coop-closed")).toContainText("Đang chờ duyệt");
  await logOut(page);

  await logIn(page, ADMIN);
  await expect(page).toHaveURL(/\/admin\/applications$/);
  await hydrated(page);
  const card = page.getByRole("article", { name: coop });
  await card.getByRole("button", { name: "Duyệt" }).click();
  await expect(card.getByText("Đã duyệt")).toBeVisible();
  await logOut(page);

  await logIn(page, { email, password: "một mật khẩu tốt" });
  await expect(page).toHaveURL(/\/coop$/);
  await expect(page.getByRole("navigation", { name: "Trang quản lý hợp tác xã" })).toContainText(coop);
  expect(errors).toEqual([]);
});
