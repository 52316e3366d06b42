import { test as base, expect, type BrowserContext } from "@playwright/test";

export { expect };
export type { Page } from "@playwright/test";

// Every journey runs under the pages' Content-Security-Policy and fails if anything on any page
// it opened was refused by it: a `securitypolicyviolation` event in the page, or the console's
// "Refused to … because it violates the following Content Security Policy directive". The
// default context and every context a journey opens itself (a second user) are watched.
// Journeys import `test` from here instead of @playwright/test, so none can forget it.
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ browser, context }, use) => {
      const violations: string[] = [];
      const watch = async (ctx: BrowserContext) => {
        await ctx.exposeBinding("__ocopCspViolation", (_source, report: string) => {
          violations.push(report);
        });
        // Init scripts and bindings come through the browser's debugging protocol, which the
        // policy does not govern.
        await ctx.addInitScript(() => {
          document.addEventListener("securitypolicyviolation", (e) => {
            const report =
              `${e.effectiveDirective} refused ${e.blockedURI || "inline"} on ${location.pathname}` +
              ` (${e.sourceFile}:${e.lineNumber})`;
            const w = window as unknown as { __ocopCspViolation?: (r: string) => void };
            w.__ocopCspViolation?.(report);
          });
        });
        ctx.on("console", (msg) => {
          if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
        });
      };
      await watch(context);
      const newContext = browser.newContext;
      browser.newContext = async (...args: Parameters<typeof newContext>) => {
        const ctx = await newContext.apply(browser, args);
        await watch(ctx);
        return ctx;
      };
      try {
        await use(violations);
      } finally {
        browser.newContext = newContext;
      }
      expect(violations, "no page broke the Content-Security-Policy").toEqual([]);
    },
    { auto: true },
  ],
});
