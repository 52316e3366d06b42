import { test, expect } from "./fixtures";
import { hydrated, watchConsole, logIn, MEMBER } from "./helpers";

test.beforeEach(async ({ context }) => {
  await context.clearCookies();
});

test("a visitor at a booth is counted live and chats with the staff member, without reloading", async ({
  browser,
}) => {
  // The staff member's console, in a browser of their own.
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  const staffErrors = watchConsole(staff);
  await logIn(staff, MEMBER);
  await staff.goto("/coop/booth");
  await hydrated(staff);
  const count = staff.getByTestId("booth-visitors");
  await expect(count).toHaveText("0");

  // A visitor opens the booth: the console shows 1 visitor.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const visitorErrors = watchConsole(visitor);
  await visitor.goto("/booths/binh-minh");
  await hydrated(visitor);
  await expect(visitor.getByTestId("visitor-count")).toContainText("1 người đang xem");
  await expect(count).toHaveText("1");

  // The visitor writes; the staff member sees the new conversation and the message.
  const chat = visitor.locator(".booth-live");
  await chat.getByLabel("Tên của bạn").fill("Lan");
  await chat.getByLabel("Tin nhắn").fill("Chè búp còn hàng loại 500 g không ạ? <b>gấp</b>");
  await chat.getByRole("button", { name: "Gửi" }).click();
  await expect(chat.getByTestId("chat-message")).toHaveCount(1);
  await expect(chat.getByLabel("Tin nhắn")).toHaveValue("");
  const conversation = staff.getByTestId("conversation").filter({ hasText: "Lan" });
  await expect(conversation).toContainText("Chờ trả lời");
  await conversation.click();
  const thread = staff.locator(".console__thread");
  // Typed markup stays text.
  await expect(thread.getByTestId("chat-message")).toContainText("<b>gấp</b>");

  // The staff member replies; the visitor sees it.
  await thread.getByLabel("Trả lời").fill("Dạ còn ạ, 500 g giá 240.000 ₫.");
  await thread.getByRole("button", { name: "Gửi" }).click();
  await expect(thread.getByTestId("chat-message")).toHaveCount(2);
  await expect(chat.getByTestId("chat-message").last()).toContainText("Dạ còn ạ, 500 g giá 240.000 ₫.");
  await expect(chat.getByTestId("chat-message").last()).toContainText("Gian hàng");
  await expect(conversation).not.toContainText("Chờ trả lời");

  // Coming back later finds the conversation.
  await visitor.reload();
  await expect(visitor.locator(".booth-live").getByTestId("chat-message")).toHaveCount(2);

  // The visitor closes the tab: the count returns to 0.
  await visitorContext.close();
  await expect(count).toHaveText("0", { timeout: 5_000 });
  expect(visitorErrors).toEqual([]);
  expect(staffErrors).toEqual([]);
  await staffContext.close();
});

test("an export inquiry sent without JavaScript keeps what was typed and arrives live in the lead list", async ({
  browser,
}) => {
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  const errors = watchConsole(staff);
  await logIn(staff, MEMBER);
  await staff.goto("/coop/inquiries");
  await hydrated(staff);
  const rows = staff.getByTestId("lead-row");
  const before = await rows.count();

  const buyerContext = await browser.newContext({ javaScriptEnabled: false, locale: "en-GB" });
  const buyer = await buyerContext.newPage();
  await buyer.goto("/booths/binh-minh/inquiry");
  const form = buyer.getByTestId("inquiry-form");
  await form.getByLabel("Company").fill("Camden Tea Ltd");
  await form.getByLabel("Country").fill("United Kingdom");
  await form.getByLabel("Contact name").fill("Amelia Hart");
  await form.getByLabel("Email").fill("amelia@camden.example");
  await form.getByLabel("Quantity").fill("2000");
  await form.getByLabel("Unit (kg, tonnes, cartons…)").fill("kg");
  await form.getByLabel("Delivery terms (Incoterm)").selectOption("CIF");
  await form.getByLabel("I would like samples").check();
  // Too short for the server (the browser's own checks pass it).
  await form.getByLabel("Your message").fill("Tea?");
  await form.getByRole("button", { name: "Send the inquiry" }).click();

  // Refused: the short message is pointed out and every field is as typed.
  await expect(buyer).toHaveURL(/\/booths\/binh-minh\/inquiry\?.*draft=/);
  const again = buyer.getByTestId("inquiry-form");
  await expect(again.locator(".field--invalid")).toHaveCount(1);
  await expect(again.locator(".field--invalid")).toContainText("at least 10 characters");
  await expect(again.getByLabel("Email")).toHaveValue("amelia@camden.example");
  await expect(again.getByLabel("Company")).toHaveValue("Camden Tea Ltd");
  await expect(again.getByLabel("Delivery terms (Incoterm)")).toHaveValue("CIF");
  await expect(again.getByLabel("I would like samples")).toBeChecked();
  await expect(again.getByLabel("Your message")).toHaveValue("Tea?");
  await again.getByLabel("Your message").fill("Shan Tuyet green tea for our London shops, 100 g pouches.");
  await again.getByRole("button", { name: "Send the inquiry" }).click();
  await expect(buyer.getByTestId("inquiry-sent")).toBeVisible();

  // The staff member's list shows it without a reload.
  await expect(rows).toHaveCount(before + 1);
  await expect(rows.first()).toContainText("Camden Tea Ltd");
  await expect(rows.first()).toContainText("CIF");
  await buyerContext.close();

  // The lead moves along the pipeline.
  await staff.reload();
  await rows.first().getByRole("link").click();
  await staff.locator('form[data-move="replied"]').getByRole("button").click();
  await expect(staff.getByTestId("lead").locator(".status").first()).toHaveText("Đã trả lời");
  expect(errors).toEqual([]);
  await staffContext.close();
});
