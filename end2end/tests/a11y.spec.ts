import AxeBuilder from "@axe-core/playwright";
import { test, expect, type Page } from "./fixtures";
import { fillAddress, hydrated, logIn, watchConsole, ADMIN, MEMBER, SHOPPER } from "./helpers";

// Every page, as each role, on a 320 px phone and on a desktop: zero axe-core violations of any
// impact under the WCAG 2.0/2.1/2.2 A and AA rules (2.2 AA brings `target-size`: every tap target
// at least 24 × 24 px or spaced as the rule allows), and no horizontal scroll.
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
const WIDTHS = [
  { name: "phone", width: 320, height: 640 },
  { name: "desktop", width: 1280, height: 800 },
];

async function problemsOf(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes
        .slice(0, 4)
        .map((n) => n.target.join(" "))
        .join(", "),
  );
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  if (overflow > 0) found.push(`horizontal scroll: the page is ${overflow} px wider than the screen`);
  return found;
}

// Checks the page as it stands now.
async function expectAccessible(page: Page, label: string) {
  expect.soft(await problemsOf(page), `${label} at ${page.viewportSize()?.width} px`).toEqual([]);
}

// Opens each path at both widths, hydrated, and checks it.
async function sweep(page: Page, paths: string[]) {
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const path of paths) {
      const response = await page.goto(path);
      expect.soft(response?.status(), `${path} answers`).toBeLessThan(500);
      await hydrated(page);
      await expectAccessible(page, path);
    }
  }
}

// The first link on `path` whose address matches `pattern`, to reach pages with ids in them.
async function firstLink(page: Page, path: string, pattern: RegExp): Promise<string> {
  await page.goto(path);
  const hrefs = await page
    .locator("main a[href]")
    .evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  const found = hrefs.find((h) => pattern.test(h));
  expect(found, `${path} links to a page like ${pattern}`).toBeTruthy();
  return found as string;
}

test.beforeEach(async ({ context }) => {
  await context.clearCookies();
});

test("every page a visitor can open passes axe-core at 320 px and on a desktop", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page, /404|Not Found/);
  const product = await firstLink(page, "/products", /^\/p\/[a-z0-9-]+$/);
  const cooperative = await firstLink(page, product, /^\/c\/[a-z0-9-]+$/);
  const fair = await firstLink(page, "/fairs", /^\/fairs\/[a-z0-9-]+$/);
  await sweep(page, [
    "/",
    "/products",
    "/products?q=tr%C3%A0&stars=4",
    "/products?q=zzzzzz",
    product,
    cooperative,
    "/booths/hong-phat",
    "/booths/binh-minh/inquiry",
    "/fairs",
    fair,
    "/login",
    "/signup",
    "/apply",
    "/cart",
    "/forgot-password",
    "/forgot-password?sent=1",
    "/reset-password?token=not-a-token",
    "/verify-email?token=not-a-token",
    "/mail/unsubscribe?u=1&k=order_shipped&s=forged",
    "/no-such-page",
  ]);
  expect(errors).toEqual([]);
});

test("the phone menu, the search suggestions and form errors pass axe-core while open", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto("/");
  await hydrated(page);
  await page.locator("summary.site-menu__toggle").click();
  await expect(page.getByRole("navigation", { name: "Điều hướng chính" })).toBeVisible();
  await expectAccessible(page, "/ with the menu open");

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByLabel("Tìm sản phẩm").fill("tra");
  await expect(page.locator("#search-suggestions a").first()).toBeVisible();
  await expectAccessible(page, "/ with search suggestions");

  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("someone@example.com");
  await page.getByLabel("Mật khẩu").fill("wrong password");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "/login refused");
});

test("a shopper's pages pass axe-core, through the cart, the checkout and an order", async ({ page }) => {
  test.setTimeout(180_000);
  await logIn(page, SHOPPER);
  await page.goto("/p/tra-oi");
  await page.locator(".product__info").getByRole("button", { name: "Thêm vào giỏ" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await sweep(page, ["/cart", "/checkout", "/account"]);
  await page.goto("/checkout");
  await hydrated(page);
  await fillAddress(page);
  await page.getByTestId("place-order").click();
  await expect(page).toHaveURL(/\/orders\/placed\/\d+$/);
  const placed = new URL(page.url()).pathname;
  const order = await firstLink(page, "/orders", /^\/orders\/DH[0-9-]+$/);
  await sweep(page, [placed, "/orders", order, "/notifications"]);
});

test("a cooperative member's dashboard and editors pass axe-core", async ({ page }) => {
  test.setTimeout(240_000);
  await logIn(page, MEMBER);
  const product = await firstLink(page, "/coop/products", /^\/coop\/products\/\d+$/);
  const paths = [
    "/coop",
    "/coop/products",
    "/coop/products/new",
    product,
    "/coop/profile",
    "/coop/orders",
    "/coop/payments",
    "/coop/booth",
    "/coop/booth/edit",
    "/coop/inquiries",
    "/notifications",
  ];
  // The demo order history gives the cooperative orders and export inquiries to open.
  paths.push(await firstLink(page, "/coop/orders", /^\/coop\/orders\/DH[0-9-]+$/));
  paths.push(await firstLink(page, "/coop/inquiries", /^\/coop\/inquiries\/\d+$/));
  await sweep(page, paths);
});

test("the department's admin console passes axe-core", async ({ page }) => {
  test.setTimeout(240_000);
  await logIn(page, ADMIN);
  const fair = await firstLink(page, "/admin/fairs", /^\/admin\/fairs\/[a-z0-9-]+\/edit$/);
  await sweep(page, [
    "/admin",
    "/admin/applications",
    "/admin/cooperatives",
    "/admin/products",
    "/admin/users",
    "/admin/certificates",
    "/admin/audit",
    "/admin/fairs",
    "/admin/fairs/new",
    fair,
    "/admin/inquiries",
    "/admin/emails",
    "/admin/emails?status=failed",
    "/admin/shipping",
  ]);
});

test("the search suggestions work from the keyboard: arrows move, Escape closes and returns to the box", async ({
  page,
}) => {
  await page.goto("/");
  await hydrated(page);
  const box = page.getByLabel("Tìm sản phẩm");
  await expect(box).not.toHaveAttribute("aria-controls", /.*/);
  await box.fill("tra");
  const links = page.locator("#search-suggestions a");
  await expect(links.first()).toBeVisible();
  await expect(box).toHaveAttribute("aria-controls", "search-suggestions");
  await box.press("ArrowDown");
  await expect(links.nth(0)).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(links.nth(1)).toBeFocused();
  // The focused suggestion shows a visible ring.
  const outline = await links.nth(1).evaluate((a) => getComputedStyle(a).outlineStyle);
  expect(outline).not.toBe("none");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(box).toBeFocused();
  await box.press("ArrowDown");
  await page.keyboard.press("Escape");
  await expect(page.locator("#search-suggestions")).toHaveCount(0);
  await expect(box).toBeFocused();
  await expect(box).not.toHaveAttribute("aria-controls", /.*/);
});

test("Tab walks a phone page in reading order, each stop with a visible ring on the screen", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto("/p/tra-oi");
  await hydrated(page);
  const stops: string[] = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return {
        name: (el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") || el.id).trim().slice(0, 30),
        ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        onScreen: box.left >= 0 && box.right <= 320 && box.width > 0,
      };
    });
    expect(stop, `Tab stop ${i + 1} is an element`).not.toBeNull();
    if (!stop) break;
    expect.soft(stop.ring, `Tab stop ${i + 1} (${stop.name}) shows a focus ring`).toBe(true);
    expect.soft(stop.onScreen, `Tab stop ${i + 1} (${stop.name}) lies on the screen`).toBe(true);
    stops.push(stop.name);
  }
  // The skip link first, then the header in its visual order: brand, search, cart, menu.
  expect(stops.slice(0, 6)).toEqual([
    "Bỏ qua, tới nội dung chính",
    expect.stringContaining("OCOP Market"),
    "q",
    "Tìm",
    expect.stringContaining("Giỏ hàng"),
    "Menu",
  ]);
});

test.describe("on a 320 px phone without JavaScript", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 320, height: 640 } });

  test("the header keeps search and cart in view, and its menu opens to every link", async ({ page }) => {
    await page.goto("/p/tra-oi");
    const search = page.getByLabel("Tìm sản phẩm");
    expect((await search.boundingBox())?.width ?? 0).toBeGreaterThan(200);
    await expect(page.getByRole("link", { name: /Giỏ hàng/ })).toBeVisible();
    const nav = page.getByRole("navigation", { name: "Điều hướng chính" });
    await expect(nav).toBeHidden();
    await page.locator("summary.site-menu__toggle").click();
    await expect(nav).toBeVisible();
    const menu = page.locator(".site-menu__panel");
    for (const name of ["Sản phẩm", "Hội chợ", "Đăng nhập", "Đăng ký", "English"]) {
      const link = menu.getByRole("link", { name, exact: true });
      await expect(link).toBeVisible();
      const box = await link.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 320, `${name} lies on the screen`).toBeTruthy();
    }
    // Adding to the cart is a plain form: it works before (or without) any WASM.
    await page.keyboard.press("Escape");
    await page.locator(".product__info").getByRole("button", { name: "Thêm vào giỏ" }).click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(page.getByTestId("cart-count")).toHaveText("1");
    await page.locator("summary.site-menu__toggle").click();
    await menu.getByRole("link", { name: "Sản phẩm", exact: true }).click();
    await expect(page).toHaveURL(/\/products$/);
  });
});
