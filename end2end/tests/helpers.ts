import type { Page, ConsoleMessage } from "@playwright/test";

// Collects console errors and uncaught exceptions; each journey ends by asserting there were
// none. `expected` names the errors a journey provokes on purpose (a 403 page, say).
export function watchConsole(page: Page, expected?: RegExp): string[] {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error" && !(expected && expected.test(msg.text()))) errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

// Waits until every island of the page has hydrated (the last one marks the body).
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ timeout: 15_000 });
}
