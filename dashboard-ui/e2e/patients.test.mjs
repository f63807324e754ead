// The patient table, end to end, against a running UI (E2E_BASE_URL) backed by the API.
// Run: npm run test:e2e   (the Makefile starts API + UI first). Screenshots go to screenshots/.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";

import {
  BASE_URL,
  launch,
  newPage,
  parseCsv,
  query,
  screenshot,
  signIn,
  tableIdle,
  totalRows,
  viewingTotal,
  waitForTotal,
} from "./helpers.mjs";

let browser;
let page;

before(async () => {
  browser = await launch();
  page = await newPage(browser, { width: 1280, height: 900 });
});

after(async () => {
  await browser?.close();
});

const moneyOf = (text) => Number(text.replace(/[^\d.-]/g, ""));

describe("patient table (desktop, 1280px)", () => {
  it("asks for sign-in first, then shows the page it was asked for", async () => {
    await page.goto(`${BASE_URL}/patients?view=unpaid`);
    await page.waitForURL(/\/login\?next=/);
    await screenshot(page, "login-1280");
    await page.getByLabel("Username").fill("frontdesk");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /wrong username or password/i }).waitFor();
    await signIn(page, "/patients");
  });

  it("redirects / to /patients and lists every patient, 50 a page", async () => {
    const expected = await totalRows();
    await page.goto(`${BASE_URL}/`);
    await page.waitForURL(/\/patients$/);
    await tableIdle(page);
    assert.equal(await viewingTotal(page), expected);
    const rows = await page.locator('[data-testid="data-row"]').count();
    assert.equal(rows, Math.min(50, expected));
    await page.locator('[role="status"][data-state="live"]').waitFor();
    assert.match(await page.locator('[role="status"]').innerText(), /Live/);
    await screenshot(page, "patients-1280");
  });

  it("searches by name and by phone digits without putting the text in the URL", async () => {
    const sample = await query({
      dimensions: ["patient.id", "patient.name", "patient.phone"],
      order: [{ field: "patient.lifetime_spend", dir: "desc" }],
      limit: 1,
    });
    const name = sample.rows[0]["patient.name"];
    const expected = await totalRows([{ field: "patient.search", op: "search", value: name }]);
    assert.ok(expected >= 1, `searching "${name}" finds them`);

    await page.getByTestId("patient-search").fill(name);
    await waitForTotal(page, expected);
    assert.ok(!decodeURIComponent(page.url()).includes(name), "search text stays out of the URL");
    const names = await page.locator('[data-testid="data-row"] td:first-child a').allInnerTexts();
    assert.ok(names.some((n) => n.trim() === name), `${name} is listed`);
    await screenshot(page, "patients-search-1280");

    // Phone by digits, whatever the stored format: the last 7 digits typed as "555 1234".
    const digits = String(sample.rows[0]["patient.phone"]).replace(/\D/g, "").replace(/^(?:001|1)(?=\d{10})/, "").slice(0, 10);
    const typed = `${digits.slice(3, 6)} ${digits.slice(6, 10)}`;
    const byPhone = await totalRows([{ field: "patient.search", op: "search", value: typed }]);
    assert.ok(byPhone >= 1, `phone search "${typed}" finds the patient`);
    await page.getByTestId("patient-search").fill(typed);
    await waitForTotal(page, byPhone);
    const phoneNames = await page.locator('[data-testid="data-row"] td:first-child a').allInnerTexts();
    assert.ok(byPhone > 50 || phoneNames.some((n) => n.trim() === name), `${name} found by phone`);

    await page.getByRole("button", { name: "Clear search" }).click();
    await waitForTotal(page, await totalRows());
  });

  it("applies a quick view and a filter chip, both kept in the URL", async () => {
    await page.goto(`${BASE_URL}/patients`);
    await tableIdle(page);
    const lapsed = page.getByTestId("view-lapsed");
    await page.waitForFunction(() => !/…/.test(document.querySelector('[data-testid="view-lapsed"]')?.textContent ?? "…"));
    await lapsed.click();
    await page.waitForURL(/view=lapsed/);
    const badge = async (id) => Number((await page.getByTestId(`view-${id}`).locator("span").last().innerText()).replace(/,/g, ""));
    await waitForTotal(page, await badge("lapsed"));
    const lapsedTotal = await viewingTotal(page);

    await page.getByTestId("chip-acquisition-source").getByRole("button").first().click();
    await page.getByRole("checkbox", { name: "Instagram" }).check();
    await page.keyboard.press("Escape");
    await page.waitForURL(/source=instagram/);
    await page.waitForFunction(
      (before) => {
        const el = document.querySelector('[data-testid="viewing"]');
        const table = document.querySelector('[data-testid="data-table"]');
        const m = el && /of\s+([\d,]+)/.exec(el.textContent ?? "");
        return table?.dataset.state !== "fetching" && ((m && Number(m[1].replace(/,/g, "")) !== before) || table?.dataset.state === "placeholder");
      },
      lapsedTotal,
    );
    await tableIdle(page);
    const filtered = (await viewingTotal(page)) ?? 0;
    assert.ok(filtered < lapsedTotal, `instagram-only (${filtered}) < all lapsed (${lapsedTotal})`);
    assert.equal(filtered, await badge("lapsed"));
    await screenshot(page, "patients-lapsed-instagram-1280");

    // The back button undoes the chip.
    await page.goBack();
    await page.waitForURL((url) => !url.search.includes("source="));
    await waitForTotal(page, lapsedTotal);

    await page.getByTestId("clear-all").click();
    await page.waitForURL(/\/patients$/);
    await waitForTotal(page, await totalRows());
  });

  it("sorts on the server by lifetime spend, both ways", async () => {
    await page.goto(`${BASE_URL}/patients`);
    await tableIdle(page);
    const header = page.getByRole("button", { name: /^Lifetime spend: sort/ });
    await header.click();
    await page.waitForURL(/sort=spend\.(asc|desc)/);
    await tableIdle(page);
    const firstDir = new URL(page.url()).searchParams.get("sort");
    const readSpend = async () =>
      (await page.locator('[data-testid="data-row"] td:nth-child(6)').allInnerTexts()).map(moneyOf);
    let values = await readSpend();
    const sorted = [...values].sort((a, b) => (firstDir.endsWith("desc") ? b - a : a - b));
    assert.deepEqual(values, sorted);

    await header.click();
    await page.waitForURL((url) => url.searchParams.get("sort") !== firstDir && url.searchParams.get("sort")?.startsWith("spend"));
    await tableIdle(page);
    values = await readSpend();
    const resorted = [...values].sort((a, b) => (firstDir.endsWith("desc") ? a - b : b - a));
    assert.deepEqual(values, resorted);

    // Highest spender first must match the API's own order.
    await page.goto(`${BASE_URL}/patients?sort=spend.desc`);
    await tableIdle(page);
    const top = await query({
      dimensions: ["patient.id", "patient.name", "patient.lifetime_spend"],
      order: [{ field: "patient.lifetime_spend", dir: "desc" }],
      limit: 1,
    });
    const firstName = await page.locator('[data-testid="data-row"]').first().locator("td").first().innerText();
    assert.ok(firstName.includes(top.rows[0]["patient.name"]), `${firstName} is the top spender`);
  });

  it("pages through results and the back button returns", async () => {
    await page.goto(`${BASE_URL}/patients`);
    await tableIdle(page);
    const total = await viewingTotal(page);
    const firstPageFirst = await page.locator('[data-testid="data-row"]').first().innerText();
    const sent = [];
    const record = (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/query") sent.push(request.postDataJSON());
    };
    page.on("request", record);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.waitForURL(/page=2/);
    await tableIdle(page);
    page.off("request", record);
    assert.match(await page.getByTestId("viewing").innerText(), new RegExp(`51-${Math.min(100, total)}`));
    assert.notEqual(await page.locator('[data-testid="data-row"]').first().innerText(), firstPageFirst);
    // Next continues from page 1's meta.next_cursor (keyset paging) rather than offset 50
    assert.ok(sent.some((body) => body.after && !body.offset), `page 2 asked with a cursor: ${JSON.stringify(sent)}`);

    await page.getByLabel("Rows per page").first().selectOption("100");
    await page.waitForURL(/size=100/);
    await tableIdle(page);
    assert.ok(!page.url().includes("page=2"), "changing page size goes back to page 1");
    assert.equal(await page.locator('[data-testid="data-row"]').count(), Math.min(100, total));

    await page.goBack();
    await page.waitForURL(/page=2/);
    await tableIdle(page);
    assert.match(await page.getByTestId("viewing").innerText(), /51-/);
  });

  it("Last and Previous read the listing from its end by cursor, the same rows as by offset", async () => {
    await page.goto(`${BASE_URL}/patients?sort=spend.desc`);
    await tableIdle(page);
    const total = await viewingTotal(page);
    const sent = [];
    const record = (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/query") sent.push(request.postDataJSON());
    };
    page.on("request", record);
    await page.getByRole("button", { name: "Last page" }).click();
    await tableIdle(page);
    const lastIndex = Math.ceil(total / 50) - 1;
    const lastNames = await page.locator('[data-testid="data-row"] td:first-child').allInnerTexts();
    assert.equal(lastNames.length, total - lastIndex * 50);
    assert.ok(sent.some((body) => body.before === "end" && !body.offset), `Last asked with before: end: ${JSON.stringify(sent)}`);
    await page.getByRole("button", { name: "Previous page" }).click();
    await tableIdle(page);
    page.off("request", record);
    assert.ok(sent.some((body) => body.before && body.before !== "end"), `Previous asked with prev_cursor: ${JSON.stringify(sent)}`);
    const previousNames = await page.locator('[data-testid="data-row"] td:first-child').allInnerTexts();
    // the same rows the offset gives, in the same order
    const byOffset = await query({
      dimensions: ["patient.id", "patient.name", "patient.lifetime_spend"],
      order: [{ field: "patient.lifetime_spend", dir: "desc" }, { field: "patient.id", dir: "asc" }],
      limit: 50,
      offset: (lastIndex - 1) * 50,
    });
    assert.equal(previousNames.length, 50);
    byOffset.rows.forEach((row, i) => assert.ok(previousNames[i].includes(row["patient.name"]), `${previousNames[i]} is ${row["patient.name"]}`));
  });

  it("opens a record with the keyboard (Enter on a focused row)", async () => {
    await page.goto(`${BASE_URL}/patients?sort=visits.desc`);
    await tableIdle(page);
    const row = page.locator('[data-testid="data-row"]').first();
    const name = (await row.locator("td").first().locator("a").innerText()).trim();
    await row.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/patients\/[^/?]+$/);
    await page.getByTestId("record-name").waitFor();
    assert.equal((await page.getByTestId("record-name").innerText()).trim(), name);
    assert.ok((await page.locator('[data-testid="timeline-item"]').count()) > 0);
    for (const label of ["Date of birth", "Address", "Lifetime spend", "Average ticket", "First visit", "Last visit"]) {
      assert.ok(await page.getByText(label, { exact: true }).first().isVisible(), `${label} shown`);
    }
    await screenshot(page, "record-1280", { fullPage: true });

    await page.getByRole("link", { name: "Back to patients" }).click();
    await page.waitForURL(/\/patients\?sort=visits\.desc/);
    await tableIdle(page);
  });

  it("exports the whole filtered view as CSV", async () => {
    await page.goto(`${BASE_URL}/patients?source=instagram`);
    await tableIdle(page);
    const total = await viewingTotal(page);
    assert.ok(total > 50, "export spans more than one page of the table");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const text = await readFile(await download.path(), "utf8");
    const rows = parseCsv(text).filter((r) => r.length > 1 || r[0] !== "");
    assert.deepEqual(rows[0].slice(0, 2), ["Patient ID", "Patient name"]);
    assert.ok(rows[0].includes("Lifetime spend (USD)"), "money is exported in dollars");
    assert.equal(rows.length - 1, total);
    const sourceIndex = rows[0].indexOf("Acquisition source");
    assert.ok(sourceIndex > 0, "the source column is exported");
    assert.ok(rows.slice(1).every((r) => r[sourceIndex] === "instagram"));
    assert.equal(new Set(rows.slice(1).map((r) => r[0])).size, total, "no patient twice");
  });

  it("shows an empty state with Clear filters", async () => {
    await page.goto(`${BASE_URL}/patients?age=150-`);
    await page.getByTestId("empty-state").first().waitFor();
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await page.waitForURL(/\/patients$/);
    await waitForTotal(page, await totalRows());
  });

  it("raised no uncaught page errors", () => {
    assert.deepEqual(page.errors, []);
  });
});

describe("patient table (phone, 390px)", () => {
  let phone;
  before(async () => {
    phone = await newPage(browser, { width: 390, height: 844 });
    await signIn(phone, "/patients");
  });

  it("shows rows as cards, a collapsed nav and opens a record", async () => {
    await phone.goto(`${BASE_URL}/patients`);
    await tableIdle(phone);
    const cards = phone.locator('[data-testid="data-card"]');
    assert.ok((await cards.count()) > 0);
    assert.equal(await phone.locator('[data-testid="data-row"]').first().isVisible(), false);
    const menuLink = phone.locator("#mobile-nav").getByRole("link", { name: "Patients" });
    assert.equal(await menuLink.isVisible(), false);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scroll (scrollWidth ${width})`);
    await screenshot(phone, "patients-390");

    await phone.getByRole("button", { name: "Open menu" }).click();
    await menuLink.waitFor();
    // The front desk's menu has no business analytics (the API refuses them to this role too).
    assert.equal(await phone.locator("#mobile-nav").getByRole("link", { name: "Analytics" }).count(), 0);
    await screenshot(phone, "nav-open-390");
    await phone.getByRole("button", { name: "Close menu" }).click();

    await cards.first().locator("a").click();
    await phone.waitForURL(/\/patients\/[^/?]+$/);
    await phone.getByTestId("record-name").waitFor();
    await screenshot(phone, "record-390", { fullPage: true });
    assert.deepEqual(phone.errors, []);
  });
});
