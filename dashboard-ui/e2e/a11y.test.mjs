// WCAG 2.1 AA on every page, for both roles, at 1280 and 390 px: axe-core (the npm package) injected into the
// page by playwright-core; a serious or critical violation fails the test (moderate and minor are logged).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";

import { managerPage } from "./analytics-helpers.mjs";
import { BASE_URL, launch, newPage, query, screenshot, signIn } from "./helpers.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const WIDTHS = [1280, 390];

let browser;
let patientId;

before(async () => {
  browser = await launch();
  const owing = await query({
    dimensions: ["patient.id"],
    filters: [{ field: "patient.balance_due", op: "gt", value: 0 }],
    order: [{ field: "patient.balance_due", dir: "desc" }],
    limit: 1,
  });
  patientId = owing.rows[0]?.["patient.id"] ?? (await query({ dimensions: ["patient.id"], limit: 1 })).rows[0]["patient.id"];
});

after(async () => {
  await browser?.close();
});

/** Wait until nothing on the page is loading (skeletons, busy regions, pending cards). */
async function settled(page) {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(
    () =>
      !document.querySelector('[aria-busy="true"]') &&
      ![...document.querySelectorAll('[data-testid^="section-"]')].some((c) => c.dataset.state === "loading"),
    undefined,
    { timeout: 30_000 },
  );
  await page.waitForTimeout(300);
}

async function audit(page, name) {
  await settled(page);
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] }),
  );
  const blocking = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result.violations.filter((v) => !blocking.includes(v))) {
    console.log(`# ${name}: ${v.impact} ${v.id} (${v.nodes.length})`);
  }
  await screenshot(page, `a11y-${name}`, { fullPage: true });
  const report = blocking.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n  ")}`);
  assert.deepEqual(report, [], `${name}: ${report.join("\n")}`);
}

const PAGES = {
  manager: ["/patients", "/patients?view=today", "/patients?view=unpaid", "/patients/{id}", "/analytics", "/explore", "/audit"],
  frontdesk: ["/patients", "/patients?view=today", "/patients/{id}", "/analytics", "/explore", "/audit"],
};

const slug = (path) => path.replace(/^\//, "").replace(/\{id\}/, "record").replace(/[^a-z0-9]+/gi, "-") || "home";

for (const width of WIDTHS) {
  describe(`accessibility at ${width} px`, () => {
    it("the sign-in page", async () => {
      const page = await newPage(browser, { width, height: 900 });
      await page.goto(`${BASE_URL}/login`);
      await page.getByLabel("Username").waitFor();
      await audit(page, `login-${width}`);
      await page.context().close();
    });

    for (const role of ["manager", "frontdesk"]) {
      it(`every page of the ${role}`, async () => {
        const page =
          role === "manager" ? await managerPage(browser, { width, height: 900 }) : await newPage(browser, { width, height: 900 });
        if (role === "frontdesk") await signIn(page, "/patients");
        for (const path of PAGES[role]) {
          await page.goto(`${BASE_URL}${path.replace("{id}", patientId)}`);
          await audit(page, `${role}-${slug(path)}-${width}`);
        }
        assert.deepEqual(page.errors, []);
        await page.context().close();
      });
    }
  });
}
