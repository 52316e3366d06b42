import { test, expect, type Page } from "./fixtures";
import { fillAddress, hydrated, logIn, watchConsole, MEMBER, SHOPPER } from "./helpers";

async function fillLogin(page: Page, who: { email: string; password: string }) {
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Mật khẩu").fill(who.password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

test.beforeEach(async ({ context }) => {
  await context.clearCookies();
});

test("a shopper buys from two cooperatives by bank transfer, and the member's confirmation reaches the order page", async ({
  page,
  browser,
}) => {
  const errors = watchConsole(page);
  // Anonymous: one product from its page (Binh Minh), one from the list (Hong Phat).
  await page.goto("/p/tra-oi");
  const buy = page.locator(".product__info");
  await buy.getByLabel("Số lượng").fill("2");
  await buy.getByRole("button", { name: "Thêm vào giỏ" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await page.goto("/products?q=dau+den");
  const card = page.locator("article.product-card", { hasText: "Trà đậu đen xanh lòng túi lọc" });
  await card.getByRole("button", { name: "Thêm vào giỏ" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.locator(".cart-group")).toHaveCount(2);
  await expect(page.locator(".cart-group", { hasText: "Bình Minh" }).locator(".cart-line")).toHaveCount(1);
  await expect(page.getByTestId("cart-count")).toHaveText("3");

  // Checking out asks for a login; the visitor's cart comes along into the account.
  await page.getByRole("link", { name: "Thanh toán" }).click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await hydrated(page);
  await fillLogin(page, SHOPPER);
  await expect(page).toHaveURL(/\/checkout$/);
  await hydrated(page);
  await expect(page.locator(".checkout__order")).toHaveCount(2);
  await fillAddress(page);
  await page.getByLabel("Chuyển khoản ngân hàng (VietQR)").check();
  // Hold the answer back a moment: meanwhile the form shows progress and cannot be sent again.
  await page.route("**/api/orders/checkout", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  const place = page.getByTestId("place-order");
  await place.click();
  await expect(place).toBeDisabled();
  await expect(place).toHaveText("Đang đặt hàng…");

  await expect(page).toHaveURL(/\/orders\/placed\/\d+$/);
  const placed = page.getByTestId("placed-order");
  await expect(placed).toHaveCount(2);
  for (const order of await placed.all()) {
    await expect(order.locator(".transfer__qr svg")).toBeVisible();
    await expect(order.locator(".transfer__purpose")).toHaveText(/^OCOP DH\d{6}-\d{6}-\d$/);
  }
  const binhMinh = placed.filter({ hasText: "Bình Minh" });
  const number = (await binhMinh.getByRole("link").first().textContent())?.trim() ?? "";
  expect(number).toMatch(/^DH\d{6}-\d{6}-\d$/);

  await page.goto("/orders");
  await expect(page.locator(`tr[data-order="${number}"]`)).toContainText("Chờ xác nhận");

  // The member, in a browser of their own, confirms the Binh Minh order.
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await member.goto("/login");
  await hydrated(member);
  await fillLogin(member, MEMBER);
  await member.goto("/coop/orders?status=pending");
  await member.locator(`tr[data-order="${number}"]`).getByRole("link").click();
  await expect(member.getByTestId("order")).toHaveAttribute("data-status", "pending");
  await member.locator('form[data-move="confirmed"]').getByRole("button").click();
  await expect(member.getByTestId("order")).toHaveAttribute("data-status", "confirmed");

  // The shopper's order page shows the new status and who moved it.
  await page.goto(`/orders/${number}`);
  await expect(page.getByTestId("order")).toHaveAttribute("data-status", "confirmed");
  await expect(page.locator('.timeline__event[data-to="confirmed"]')).toContainText("hợp tác xã");
  await expect(page.getByRole("button", { name: "Huỷ đơn hàng" })).toHaveCount(0);

  // Shipped with a tracking number, then delivered: now the shopper may review the tea.
  const ship = member.locator('form[data-move="shipped"]');
  await ship.getByLabel("Đơn vị vận chuyển và mã vận đơn").fill("VNPost EB123456789VN");
  await ship.getByRole("button").click();
  await expect(member.getByTestId("order")).toHaveAttribute("data-status", "shipped");
  await member.locator('form[data-move="delivered"]').getByRole("button").click();
  await expect(member.getByTestId("order")).toHaveAttribute("data-status", "delivered");
  await memberContext.close();

  await page.goto(`/orders/${number}`);
  await expect(page.locator(".order__tracking")).toContainText("VNPost EB123456789VN");
  await page.getByLabel("Số sao").selectOption("4");
  await page.getByLabel("Nhận xét của bạn").fill("Trà thơm mùi ổi, đóng gói cẩn thận.");
  await page.getByRole("button", { name: "Gửi đánh giá" }).click();
  await expect(page.getByRole("button", { name: "Gửi đánh giá" })).toHaveCount(0);
  await page.goto("/p/tra-oi");
  const reviews = page.locator(".reviews");
  await expect(reviews.locator(".review", { hasText: "Trà thơm mùi ổi" })).toContainText("Đã mua hàng");
  await expect(reviews.getByTestId("rating")).toContainText("/5");
  expect(errors).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("add to cart, log in and check out are plain form posts", async ({ page }) => {
    await page.goto("/p/tra-oi");
    await page.locator(".product__info").getByRole("button", { name: "Thêm vào giỏ" }).click();
    await expect(page).toHaveURL(/\/cart$/);
    await page.getByRole("link", { name: "Thanh toán" }).click();
    await fillLogin(page, SHOPPER);
    await expect(page).toHaveURL(/\/checkout$/);
    await fillAddress(page);
    await page.getByLabel("Thanh toán khi nhận hàng (COD)").check();
    await page.getByRole("button", { name: "Đặt hàng" }).click();
    await expect(page).toHaveURL(/\/orders\/placed\/\d+$/);
    await expect(page.getByTestId("placed-order")).toHaveCount(1);
  });

  test("a checkout refused for stock names the short line, and says 'out of stock' when none are left", async ({
    page,
    browser,
  }) => {
    const product = "Hoa đu đủ đực ngâm mật ong";
    await page.goto("/login");
    await fillLogin(page, SHOPPER);
    await page.goto("/products?q=hoa+du+du");
    await page.locator(".catalog__results").getByRole("link", { name: product }).first().click();
    const buy = page.locator(".product__info");
    await buy.getByLabel("Số lượng").fill("3");
    await buy.getByRole("button", { name: "Thêm vào giỏ" }).click();
    await expect(page).toHaveURL(/\/cart$/);
    await page.getByRole("link", { name: "Thanh toán" }).click();
    await expect(page).toHaveURL(/\/checkout$/);
    await fillAddress(page);
    await page.getByLabel("Thanh toán khi nhận hàng (COD)").check();

    // Meanwhile the cooperative writes stock off (a member, with JavaScript, in a browser of their own).
    const memberContext = await browser.newContext({ javaScriptEnabled: true });
    const member = await memberContext.newPage();
    await logIn(member, MEMBER);
    await member.goto("/coop/products");
    await member.getByRole("link", { name: product }).click();
    await hydrated(member);
    const stock = member.locator(".stock-editor");
    const inStock = Number(await stock.getByTestId("stock-now").textContent());
    const move = async (delta: number, reason: string, after: number) => {
      await stock.getByLabel(/^Thay đổi/).fill(delta > 0 ? `+${delta}` : String(delta));
      await stock.getByLabel("Lý do").selectOption(reason);
      await stock.getByRole("button", { name: "Cập nhật" }).click();
      await expect(stock.getByTestId("stock-now")).toHaveText(String(after));
    };
    await move(1 - inStock, "write_off", 1);

    // Refused: the checkout page says nothing was ordered, and which line ran short by how much.
    await page.getByRole("button", { name: "Đặt hàng" }).click();
    await expect(page).toHaveURL(/\/checkout\?/);
    const blocked = page.getByTestId("checkout-blocked");
    await expect(blocked).toContainText("Không đủ hàng. Chưa có đơn nào được đặt");
    await expect(blocked.getByTestId("blocked-line")).toHaveText(`${product}: bạn đặt 3, còn 1`);

    // None left: "out of stock", here and in the cart, never "only 0 left".
    await move(-1, "write_off", 0);
    await page.reload();
    await expect(page.getByTestId("blocked-line")).toHaveText(`${product}: Hết hàng (bạn đặt 3)`);
    await page.getByRole("link", { name: "Quay lại giỏ hàng" }).click();
    const line = page.locator(".cart-line", { hasText: product });
    await expect(line.getByTestId("line-problem")).toHaveText("Hết hàng");
    await expect(page.getByText("Chỉ còn 0")).toHaveCount(0);

    // Put things back as the other journeys expect them.
    await line.getByRole("button", { name: "Xoá" }).click();
    await expect(page.locator(".cart-line", { hasText: product })).toHaveCount(0);
    await move(inStock, "received", inStock);
    await memberContext.close();
  });
});
