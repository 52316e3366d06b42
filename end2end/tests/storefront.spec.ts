import { test, expect, type Page } from "./fixtures";
import { hydrated, watchConsole } from "./helpers";

test.beforeEach(async ({ context }) => {
  // Every journey starts in Vietnamese, the site's default.
  await context.clearCookies();
});

test("home shows the showcase, and the language switches to English and back", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "vi");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Đặc sản OCOP Tuyên Quang");
  await expect(page.getByRole("heading", { name: "Sáu nhóm sản phẩm OCOP" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Xuất khẩu sang Vương quốc Anh" })).toBeVisible();

  await page.getByRole("link", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Tuyen Quang's OCOP specialities");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Exported to the United Kingdom" })).toBeVisible();

  // The choice persists across a full reload (cookie), rendered by the server.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Tuyen Quang's OCOP specialities");

  await hydrated(page);
  // The islands speak the page's language in the browser too (they read it from <html lang>): the
  // suggestion list the WASM draws is labelled in English.
  await page.getByRole("searchbox", { name: "Search products" }).fill("dau den");
  await expect(page.getByRole("list", { name: "Search suggestions" })).toBeVisible();
  await page.getByRole("link", { name: "Tiếng Việt" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Đặc sản OCOP Tuyên Quang");
  await expect(page.locator("html")).toHaveAttribute("lang", "vi");
  expect(errors).toEqual([]);
});

test("search 'dau den' from the header and open the product", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await hydrated(page);
  const box = page.getByRole("searchbox", { name: "Tìm sản phẩm" });
  await box.fill("dau den");
  // Suggestions appear while typing once the page is hydrated.
  await expect(page.locator(".search__suggestions").getByRole("link", { name: "Trà đậu đen xanh lòng túi lọc" })).toBeVisible();
  await box.press("Enter");
  await expect(page).toHaveURL(/\/products\?q=dau(\+|%20)den/);
  const result = page.locator(".catalog__results").getByRole("link", { name: "Trà đậu đen xanh lòng túi lọc" });
  await expect(result).toBeVisible();
  await result.click();
  await expect(page).toHaveURL(/\/p\/tra-dau-den-xanh-long-tui-loc$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Trà đậu đen xanh lòng túi lọc");
  await expect(page.getByText("85.000 ₫").first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Chứng nhận OCOP" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("filter to 4 stars and one district without a full reload", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/products");
  await hydrated(page);
  // The ten seeded products, plus any a dashboard journey has published on this database.
  await expect(page.locator("#results-count")).toHaveText(/^\d+ sản phẩm$/);
  // A marker on window survives client-side navigation but not a page load.
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  await page.getByRole("checkbox", { name: /^4 ★/ }).check();
  await expect(page).toHaveURL(/stars=4/);
  await expect(page.locator("#results-count")).toHaveText("7 sản phẩm");

  await page.getByRole("checkbox", { name: /^Yên Sơn/ }).check();
  await expect(page).toHaveURL(/district=yen-son/);
  // Unset fields (the price bounds) stay out of the address.
  await expect(page).not.toHaveURL(/price_min/);
  await expect(page.locator("#results-count")).toHaveText("2 sản phẩm");
  await expect(page.locator(".catalog__results .product-card")).toHaveCount(2);
  await expect(page.locator(".catalog__results")).toContainText("Chuối sấy");
  await expect(page.locator(".catalog__results")).toContainText("Bưởi Soi Hà");

  // The language switch follows the list's address, so switching keeps the filters.
  await expect(page.getByRole("link", { name: "English" })).toHaveAttribute("href", /next=.*district%3Dyen(-|%2D)son/);
  // Paging back through the filters is the browser's Back button, still without a reload.
  await page.goBack();
  await expect(page).not.toHaveURL(/district=yen-son/);
  await expect(page.locator("#results-count")).toHaveText("7 sản phẩm");
  await expect(page.getByRole("checkbox", { name: /^Yên Sơn/ })).not.toBeChecked();

  const sameDocument = await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
  expect(sameDocument).toBe(true);
  expect(errors).toEqual([]);
});

test("a shared filter URL renders the same list", async ({ page }) => {
  await page.goto("/products?stars=4&district=yen-son");
  await expect(page.locator("#results-count")).toHaveText("2 sản phẩm");
  await expect(page.getByRole("checkbox", { name: /^4 ★/ })).toBeChecked();
});

test.describe("with JavaScript disabled", () => {
  test.use({ javaScriptEnabled: false });

  test("search still returns results", async ({ page }) => {
    await page.goto("/");
    const box = page.getByRole("searchbox", { name: "Tìm sản phẩm" });
    await box.fill("dau den");
    await box.press("Enter");
    await expect(page).toHaveURL(/\/products\?q=dau(\+|%20)den/);
    await expect(page.locator(".catalog__results").getByRole("link", { name: "Trà đậu đen xanh lòng túi lọc" })).toBeVisible();
    await expect(page.locator("#results-count")).toHaveText("1 sản phẩm");
  });

  test("facets and the language switch work as plain links and forms", async ({ page }) => {
    await page.goto("/products");
    await page.getByRole("checkbox", { name: /^4 ★/ }).check();
    await page.getByRole("button", { name: "Áp dụng" }).click();
    await expect(page).toHaveURL(/stars=4/);
    await expect(page.locator("#results-count")).toHaveText("7 sản phẩm");
    await page.getByRole("link", { name: "English" }).click();
    await expect(page).toHaveURL(/\/products\?.*stars=4/);
    await expect(page.locator("#results-count")).toHaveText("7 products");
  });
});
