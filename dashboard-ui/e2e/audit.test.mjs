// The manager's audit trail page: every sign-in, record view, search and export is listed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { managerPage } from "./analytics-helpers.mjs";
import { BASE_URL, launch, screenshot } from "./helpers.mjs";

let browser;
let page;

before(async () => {
  browser = await launch();
  page = await managerPage(browser, { width: 1280, height: 900 });
});

after(async () => {
  await browser?.close();
});

describe("audit trail (manager)", () => {
  it("lists events newest first and filters by action", async () => {
    await page.goto(`${BASE_URL}/audit`);
    const table = page.getByTestId("audit-table");
    await table.waitFor();
    assert.ok((await table.locator("tbody tr").count()) > 0, "the manager's own sign-in is recorded");
    assert.match(await table.innerText(), /Login/);
    await screenshot(page, "audit-1280");
    await page.getByTestId("audit-action").selectOption("login");
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="audit-table"] tbody tr td:nth-child(4)')].every(
        (cell) => cell.textContent === "Login",
      ),
    );
    assert.ok(await page.getByRole("link", { name: "Audit" }).first().isVisible(), "managers see it in the nav");
  });
});
