import { test, expect } from "./fixtures";
import { ADMIN, SHOPPER, fillAddress, hydrated, logIn, watchConsole } from "./helpers";

// The department's dashboard is open in one browser; a shopper orders in another. The order
// reaches the tiles and the feed over the live connection, without a reload, and the daily
// chart counts it once it has been redrawn.
test("an order placed elsewhere updates the dashboard's tiles, feed and chart live", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await logIn(page, ADMIN);
  await page.goto("/admin");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Bảng điều khiển OCOP" })).toBeVisible();
  for (const key of ["orders_today", "revenue_today", "site_visitors", "booth_visitors", "booths_live", "inquiries_today", "coops_pending"]) {
    await expect(page.locator(`[data-kpi="${key}"] .kpi__value`)).toHaveText(/\d/);
  }
  // The charts are SVG from the server, there before any script ran.
  // Each is drawn wide (shown here, on a desktop) and narrow (for a phone).
  await expect(page.locator("#chart-by-stars .chart-svg--wide svg")).toBeVisible();
  await expect(page.locator("#chart-by-group .chart-svg--wide svg")).toBeVisible();
  await expect(page.locator("#chart-by-group .chart-svg--narrow svg")).toBeHidden();
  const ordersTile = page.locator('[data-kpi="orders_today"] .kpi__value');
  const before = Number(await ordersTile.textContent());
  const perDay = page.locator("#chart-per-day-summary");
  const chartBefore = (await perDay.textContent()) ?? "";
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

  const shopperContext = await browser.newContext();
  const shopper = await shopperContext.newPage();
  await logIn(shopper, SHOPPER);
  await shopper.goto("/p/tra-oi");
  await hydrated(shopper);
  await shopper.locator(".product__info").getByRole("button", { name: "Thêm vào giỏ" }).click();
  await expect(shopper).toHaveURL(/\/cart$/);
  await shopper.getByRole("link", { name: "Thanh toán" }).click();
  await expect(shopper).toHaveURL(/\/checkout$/);
  await hydrated(shopper);
  await fillAddress(shopper);
  await shopper.getByLabel("Thanh toán khi nhận hàng (COD)").check();
  await shopper.getByTestId("place-order").click();
  await expect(shopper).toHaveURL(/\/orders\/placed\/\d+$/);
  const number = ((await shopper.getByTestId("placed-order").getByRole("link").first().textContent()) ?? "").trim();
  expect(number).toMatch(/^DH\d{6}-\d{6}-\d$/);

  // The tile moves within a second of the order being stored, and the feed leads with it.
  await expect(ordersTile).toHaveText(String(before + 1), { timeout: 1_000 });
  const newest = page.getByTestId("live-feed").locator("li").first();
  await expect(newest).toHaveAttribute("data-kind", "order");
  await expect(newest).toContainText(number);
  await expect(newest).toContainText("Bình Minh");
  // The chart is redrawn a moment later, counting the order.
  await expect(perDay).not.toHaveText(chartBefore, { timeout: 10_000 });
  await expect(perDay).toContainText("Đơn hàng:");
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  await shopperContext.close();

  // The filters go into the URL, and the page renders them on the server.
  await page.getByLabel("Số sao").selectOption("5");
  await page.getByRole("button", { name: "Lọc", exact: true }).click();
  await expect(page).toHaveURL(/[?&]stars=5/);
  await expect(page.getByLabel("Số sao")).toHaveValue("5");
  expect(errors).toEqual([]);
});

test("the dashboard is the admin's alone", async ({ page }) => {
  const errors = watchConsole(page, /status of 403/);
  await logIn(page, SHOPPER);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Bảng điều khiển OCOP" })).toHaveCount(0);
  const download = await page.request.get("/admin/export/orders.csv");
  expect(download.status()).toBe(403);
  expect(errors).toEqual([]);
});

test("an admin downloads the filtered orders as CSV", async ({ page }) => {
  await logIn(page, ADMIN);
  const response = await page.request.get("/admin/export/orders.csv?group=&stars=&district=");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("text/csv");
  const body = await response.body();
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(body.subarray(3).toString("utf8").split("\n")[0]).toContain("number,placed_vietnam_time,status");
});
