// /explore end to end: build a query from the catalog in the UI, check its rows against
// POST /api/query, see its SQL, share it by URL; the Ask panel answers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { horizontalOverflow, managerPage, managerQuery } from "./analytics-helpers.mjs";
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

const resultIdle = (p) =>
  p.waitForFunction(() => document.querySelector('[data-testid="explore-result"]')?.dataset.state === "idle");

const currentQuery = (p) => JSON.parse(new URL(p.url()).searchParams.get("q") ?? "{}");

describe("explore (desktop, 1280px)", () => {
  it("builds a query from the catalog and shows its rows", async () => {
    await page.goto(`${BASE_URL}/explore`);
    await resultIdle(page);

    // visits, by acquisition source, no time grouping, last 90 days
    await page.getByTestId("pick-measures-add").click();
    await page.getByRole("checkbox", { name: "Visits", exact: true }).click();
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => /visit_count/.test(decodeURIComponent(location.search)));
    await page.getByTestId("pick-dimensions-add").click();
    await page.getByLabel("Search group by").fill("source");
    await page.getByRole("checkbox", { name: "Acquisition source", exact: true }).click();
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => /patient\.source/.test(decodeURIComponent(location.search)));
    await page.getByTestId("grain-select").selectOption("");
    await page.getByTestId("range-select").selectOption("last_90_days");
    await page.waitForFunction(() => /last_90_days/.test(decodeURIComponent(location.search)));
    await resultIdle(page);

    const q = currentQuery(page);
    assert.deepEqual(q.measures, ["revenue", "visit_count"]);
    assert.deepEqual(q.dimensions, ["patient.source"]);
    assert.equal(q.time.range, "last_90_days");
    assert.equal(q.time.grain, undefined);

    const expected = await managerQuery(q);
    assert.match(await page.getByTestId("result-meta").innerText(), new RegExp(`^${expected.total_rows} rows`));
    await page.getByTestId("tab-table").click();
    const rows = page.getByTestId("chart-table").locator("tbody tr");
    assert.equal(await rows.count(), expected.rows.length);
    await screenshot(page, "explore-1280", { fullPage: true });
  });

  it("shows the SQL the engine would run", async () => {
    await page.getByTestId("tab-sql").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="sql-view"]')?.dataset.state === "idle");
    const sql = await page.getByTestId("sql-text").innerText();
    assert.match(sql, /select/i);
    assert.match(sql, /from/i);
    await screenshot(page, "explore-sql-1280");
  });

  it("reopens the same query from its URL (shareable)", async () => {
    const url = page.url();
    const other = await managerPage(browser, { width: 1280, height: 900 });
    await other.goto(url);
    await resultIdle(other);
    await other.getByTestId("chip-patient.source").waitFor();
    await other.getByTestId("chip-visit_count").waitFor();
    await other.context().close();
  });

  it("answers in the Ask panel (ask.test.mjs checks the answer's figures)", async () => {
    await page.getByTestId("ask-input").fill("Which acquisition source brought the most revenue in the last 90 days?");
    await page.getByTestId("ask-submit").click();
    await page.getByTestId("ask-answer").waitFor({ timeout: 60_000 });
    assert.ok((await page.getByTestId("ask-answer").innerText()).length > 10);
    await screenshot(page, "explore-ask-1280");
  });
});

describe("explore traps (item 8)", () => {
  it("offers Revenue (by service line) when grouping revenue by service, and folds series past 8 in words", async () => {
    await page.goto(`${BASE_URL}/explore`);
    await resultIdle(page);
    await page.getByTestId("pick-dimensions-add").click();
    const service = page.locator('[data-member="service.name"]');
    assert.equal(await service.isDisabled(), false, "Service is offered for Revenue");
    await service.check();
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("q")?.includes("line_revenue"));
    assert.deepEqual(currentQuery(page).measures, ["line_revenue"]);
    await page.getByTestId("chip-line_revenue").waitFor();
    await resultIdle(page);
    const services = await managerQuery({ dimensions: ["service.name"], limit: 100 });
    if (services.total_rows > 8) {
      const note = await page.getByTestId("folded-series").innerText();
      assert.match(note, new RegExp(`of ${services.total_rows}`), "the series past 8 are named, not dropped");
    }
    await screenshot(page, "explore-line-revenue-by-service-1280");
  });
});

describe("explore (phone, 390px)", () => {
  it("fits a phone", async () => {
    const phone = await managerPage(browser, { width: 390, height: 844 });
    await phone.goto(`${BASE_URL}/explore`);
    await resultIdle(phone);
    assert.ok((await horizontalOverflow(phone)) <= 0, "no horizontal overflow");
    await screenshot(phone, "explore-390", { fullPage: true });
    await phone.context().close();
  });
});
