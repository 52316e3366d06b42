import { test, expect } from "./fixtures";
import { fillAddress, hydrated, logIn, watchConsole, MEMBER, SHOPPER } from "./helpers";

test.beforeEach(async ({ context }) => {
  await context.clearCookies();
});

test("a bank statement marks the right orders paid and lists the rest for the cooperative to decide", async ({
  page,
  browser,
}) => {
  const errors = watchConsole(page);
  // A shopper orders from Binh Minh by bank transfer.
  const shopperContext = await browser.newContext();
  const shopper = await shopperContext.newPage();
  await logIn(shopper, SHOPPER);
  await shopper.goto("/p/tra-oi");
  await shopper.locator(".product__info").getByRole("button", { name: "Thêm vào giỏ" }).click();
  await expect(shopper).toHaveURL(/\/cart$/);
  await shopper.goto("/checkout");
  await hydrated(shopper);
  await fillAddress(shopper);
  await shopper.getByLabel("Chuyển khoản ngân hàng (VietQR)").check();
  await shopper.getByTestId("place-order").click();
  await expect(shopper).toHaveURL(/\/orders\/placed\/\d+$/);
  const placed = shopper.getByTestId("placed-order");
  const number = (await placed.getByRole("link").first().textContent())?.trim() ?? "";
  await shopper.goto(`/orders/${number}`);
  await expect(shopper.getByTestId("payment")).toHaveAttribute("data-payment", "unpaid");
  const total = Number(((await shopper.getByTestId("order-total").textContent()) ?? "").replace(/\D/g, ""));
  expect(total).toBeGreaterThan(0);

  // The member uploads the bank's statement: the transfer (its note without dashes, as banks
  // print it), another credit with no order number, and a debit.
  await logIn(page, MEMBER);
  await page.goto("/coop/payments");
  await expect(page.getByTestId("unpaid").locator(`li[data-order="${number}"]`)).toBeVisible();
  const csv = [
    "Ngày;Số tiền;Nội dung",
    `06/12/2026;${total.toLocaleString("de-DE")};OCOP ${number.replace(/-/g, " ")} CK`,
    "06/12/2026;250.000;Nguyen Van A chuyen tien",
    "06/12/2026;-11.000;Phi SMS",
  ].join("\n");
  await page.getByLabel("Tệp sao kê").setInputFiles({ name: "sao-ke.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Đối soát" }).click();
  await expect(page).toHaveURL(/\/coop\/payments\?import=\d+$/);
  const lines = page.getByTestId("statement-line");
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toHaveAttribute("data-outcome", "matched");
  await expect(lines.nth(0)).toContainText(number);
  await expect(lines.nth(1)).toHaveAttribute("data-outcome", "unknown_note");
  await expect(page.getByTestId("unpaid").locator(`li[data-order="${number}"]`)).toHaveCount(0);

  // The shopper sees it paid.
  await shopper.goto(`/orders/${number}`);
  await expect(shopper.getByTestId("payment")).toHaveAttribute("data-payment", "paid");
  await shopperContext.close();
  expect(errors).toEqual([]);
});
