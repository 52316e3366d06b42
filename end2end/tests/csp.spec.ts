import { test, expect } from "./fixtures";
import { hydrated } from "./helpers";

// The guard every journey runs under (fixtures.ts) must itself notice a refused script, or a
// green suite would prove nothing: an inline script without the page's nonce is refused, and
// the guard has the report.
test("an injected inline script is refused and the policy guard reports it", async ({ page, cspViolations }) => {
  await page.goto("/");
  await hydrated(page);
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__injected = true";
    document.body.append(script);
  });
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  // Both channels report it: the page's event and the console's message.
  await expect.poll(() => cspViolations.length).toBeGreaterThanOrEqual(2);
  expect(cspViolations.join("\n")).toContain("script-src");
  // Provoked on purpose: the guard's own check at the end of the journey must not fail it.
  cspViolations.length = 0;
});
