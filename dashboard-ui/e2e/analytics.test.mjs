// /analytics end to end, against a running UI (E2E_BASE_URL) backed by the API, signed in as the
// manager. Every number checked here is compared with POST /api/query's own answer.
// Run: npm run test:e2e (scripts/e2e_stack.py starts the DB, API and production UI first).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { horizontalOverflow, kpiValue, kpisIdle, managerPage, managerQuery, sectionsSettled } from "./analytics-helpers.mjs";
import { BASE_URL, launch, screenshot, tableIdle, viewingTotal } from "./helpers.mjs";

let browser;
let page;

before(async () => {
  browser = await launch();
  page = await managerPage(browser, { width: 1280, height: 900 });
});

after(async () => {
  await browser?.close();
});

async function waitForKpi(p, measure, value) {
  await p.waitForFunction(
    ([m, v]) => document.querySelector(`[data-testid="kpi-${m}"]`)?.dataset.value === String(v),
    [measure, value],
  );
  await kpisIdle(p);
}

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

describe("analytics (desktop, 1280px)", () => {
  it("loads every card with no console errors, KPIs first", async () => {
    const started = Date.now();
    await page.goto(`${BASE_URL}/analytics`);
    await kpisIdle(page);
    const kpiMs = Date.now() - started;
    console.log(`# KPIs shown ${kpiMs} ms after navigation`);
    const errors = await sectionsSettled(page);
    assert.deepEqual(errors, [], "no card shows an error");
    assert.match(await page.getByTestId("as-of").innerText(), /Data as of [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    assert.match(await page.getByTestId("resolved-range").innerText(), /Last 90 days/);
    assert.equal(await page.locator('[data-testid="sparkline"]').count(), 6);
    await page.waitForTimeout(300);
    assert.deepEqual(page.consoleErrors, [], "no console errors");
    assert.deepEqual(page.errors, [], "no uncaught page errors");
    await screenshot(page, "analytics-1280", { fullPage: true });
  });

  it("shows the KPIs the engine computes for the range", async () => {
    const expected = await managerQuery({
      measures: ["revenue", "visit_count", "new_patient_count"],
      time: { range: "last_90_days", compare: "previous_period" },
    });
    const row = expected.rows[0];
    assert.equal(await kpiValue(page, "revenue"), row.revenue);
    assert.equal(await kpiValue(page, "visit_count"), row.visit_count);
    assert.equal(await kpiValue(page, "new_patient_count"), row.new_patient_count);
  });

  it("changing the range and the comparison updates the KPIs (and Back undoes it)", async () => {
    const before90 = await kpiValue(page, "visit_count");
    const thirty = await managerQuery({ measures: ["visit_count", "revenue"], time: { range: "last_30_days", compare: "previous_year" } });
    const expectedVisits = thirty.rows[0].visit_count;
    await page.getByTestId("range-last_30_days").click();
    await page.waitForURL(/range=last_30_days/);
    await waitForKpi(page, "visit_count", expectedVisits);
    assert.match(await page.getByTestId("resolved-range").innerText(), /Last 30 days/);

    const pct = thirty.rows[0]["revenue.change_pct"];
    const expectedChip = typeof pct === "number" ? `${(Math.abs(pct) * 100).toFixed(1)}%` : "New";
    await page.getByTestId("compare-select").selectOption("previous_year");
    await page.waitForURL(/compare=previous_year/);
    await page.waitForFunction(
      (text) => (document.querySelector('[data-testid="kpi-revenue"] [data-testid="delta"]')?.textContent ?? "").includes(text),
      expectedChip,
    );
    await kpisIdle(page);
    assert.match(await page.getByTestId("resolved-range").innerText(), /compared with/);

    await page.goBack();
    await page.waitForURL((url) => !url.search.includes("compare="));
    await page.goBack();
    await page.waitForURL((url) => !url.search.includes("range="));
    await waitForKpi(page, "visit_count", before90);
  });

  it("shows all-time revenue equal to /api/query's answer, exact in the tooltip", async () => {
    await page.getByTestId("range-all_time").click();
    await page.waitForURL(/range=all_time/);
    await kpisIdle(page);
    const [plain, allTime] = await Promise.all([
      managerQuery({ measures: ["revenue"] }),
      managerQuery({ measures: ["revenue"], time: { range: "all_time" } }),
    ]);
    assert.equal(allTime.rows[0].revenue, plain.rows[0].revenue);
    const cents = plain.rows[0].revenue;
    assert.equal(await kpiValue(page, "revenue"), cents);
    await page.getByTestId("kpi-revenue").hover();
    const tooltip = page.locator("#kpi-tip-revenue");
    await tooltip.waitFor({ state: "visible" });
    assert.match(await tooltip.innerText(), new RegExp(money.format(cents / 100).replace(/[$.]/g, "\\$&")));
    assert.equal(await page.getByTestId("compare-select").isDisabled(), true, "all time has nothing to compare with");
  });

  it("drills down from a source bar to that period's new patients: the table counts what the card says (item 5)", async () => {
    await page.goto(`${BASE_URL}/analytics`);
    await sectionsSettled(page);
    const link = page.getByTestId("section-acquisition").getByTestId("bar-link").first();
    const href = await link.getAttribute("href");
    const params = new URL(href, BASE_URL).searchParams;
    const source = params.get("source");
    assert.ok(source && params.get("first"), `the bar links to a source and the period (${href})`);
    const card = await link.innerText();
    const shownNew = Number(/([\d,]+) new/.exec(card)[1].replace(/,/g, ""));
    const engine = await managerQuery({
      measures: ["new_patient_count"],
      dimensions: ["patient.source"],
      time: { range: "last_90_days" },
      filters: [{ field: "patient.source", op: "equals", value: source }],
    });
    assert.equal(shownNew, engine.rows[0].new_patient_count);
    await link.click();
    await page.waitForURL((url) => url.pathname === "/patients" && url.searchParams.get("source") === source);
    await tableIdle(page);
    assert.equal(await viewingTotal(page), shownNew, "the table lists the card's new patients");
    await screenshot(page, "analytics-drill-source-1280");
  });

  it("unpaid visits lead to the patients who owe for them, counted alike (item 5)", async () => {
    await page.goto(`${BASE_URL}/analytics`);
    await sectionsSettled(page);
    const tile = page.getByTestId("issue-unpaid_visit_count");
    await page.waitForFunction(() => /patients? owing/.test(document.querySelector('[data-testid="issue-unpaid_visit_count"]')?.textContent ?? ""));
    const owing = Number(/([\d,]+) patients? owing/.exec(await tile.innerText())[1].replace(/,/g, ""));
    await tile.click();
    await page.waitForURL(/\/patients\?.*owed=/);
    await tableIdle(page);
    assert.equal(await viewingTotal(page), owing);
    await screenshot(page, "analytics-drill-unpaid-1280");
  });

  it("failed and pending payments open the payments themselves", async () => {
    const failed = page.getByTestId("issue-failed_payment_count");
    if ((await failed.count()) === 0) return; // the client's export has none: the tile is plain text
    await failed.click();
    await page.waitForURL(/\/explore\?q=/);
  });

  it("drills down with the keyboard from a service bar (Tab + Enter)", async () => {
    await page.goto(`${BASE_URL}/analytics`);
    await sectionsSettled(page);
    const link = page.getByTestId("section-services").getByTestId("bar-link").first();
    const service = new URL(await link.getAttribute("href"), BASE_URL).searchParams.get("service");
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/patients" && url.searchParams.get("service") === service);
    await tableIdle(page);
    const expected = await managerQuery({ dimensions: ["patient.id"], filters: [{ field: "service.name", op: "in", values: [service] }], limit: 0 });
    assert.equal(await viewingTotal(page), expected.total_rows);
  });

  it("links the lapsed list to the patient table's lapsed view with the same count", async () => {
    await page.goto(`${BASE_URL}/analytics`);
    await sectionsSettled(page);
    const card = page.getByTestId("section-lapsed");
    if ((await card.getAttribute("data-state")) !== "ready") return; // nobody lapsed: the empty state says so
    const seeAll = card.getByTestId("lapsed-see-all");
    const shown = Number((await seeAll.innerText()).replace(/[^\d]/g, ""));
    await seeAll.click();
    await page.waitForURL(/\/patients\?.*view=lapsed/);
    await tableIdle(page);
    assert.equal(await viewingTotal(page), shown);
  });
});

describe("analytics (phone, 390px)", () => {
  it("fits a phone without sideways scrolling", async () => {
    const phone = await managerPage(browser, { width: 390, height: 844 });
    await phone.goto(`${BASE_URL}/analytics`);
    await kpisIdle(phone);
    assert.deepEqual(await sectionsSettled(phone), []);
    assert.ok((await horizontalOverflow(phone)) <= 0, "no horizontal overflow");
    await screenshot(phone, "analytics-390", { fullPage: true });
    await phone.context().close();
  });
});
