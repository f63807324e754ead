// The front desk's day and the issue's items 1, 2, 6, 9 and 10 (issue 20), end to end as the front desk.
// The stack (scripts/e2e_stack.py) runs the client's export as of 2025-12-14 12:00: that morning's visits owe
// money, the afternoon is still to come. Every expected figure is the API's own answer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { BASE_URL, launch, newPage, query, screenshot, signIn, tableIdle, waitForTotal } from "./helpers.mjs";

let browser;
let page;
let cookie;

before(async () => {
  browser = await launch();
  page = await newPage(browser, { width: 1280, height: 900 });
  await signIn(page, "/patients");
  cookie = (await page.context().cookies()).find((c) => c.name === "medspa_session");
});

after(async () => {
  await browser?.close();
});

async function schedule(date) {
  const response = await fetch(`${BASE_URL}/api/schedule${date ? `?date=${date}` : ""}`, {
    headers: { cookie: `${cookie.name}=${cookie.value}` },
  });
  assert.equal(response.status, 200);
  return response.json();
}

const scheduleIdle = (p) =>
  p.waitForFunction(() => {
    const el = document.querySelector('[data-testid="day-schedule"]');
    return el && !el.querySelector('[aria-busy="true"]') && !el.querySelector("ol.opacity-60");
  });

describe("item 1: Today is the day's schedule", () => {
  it("lists the data's day in time order, the next arrival highlighted, money owed on past visits", async () => {
    const day = await schedule(null);
    assert.equal(day.date, "2025-12-14");
    assert.ok(day.next_arrival_id, "the afternoon is still to come");
    await page.goto(`${BASE_URL}/patients?view=today`);
    await scheduleIdle(page);
    const entries = page.getByTestId("schedule-entry");
    await entries.first().waitFor();
    assert.equal(await entries.count(), day.appointments.length);
    const names = await entries.locator("a[href^='/patients/']").allInnerTexts();
    assert.deepEqual(names.map((n) => n.trim()), day.appointments.map((a) => a.patient_name));
    const next = page.locator('[data-testid="schedule-entry"][data-next="true"]');
    assert.equal(await next.count(), 1);
    const nextAppointment = day.appointments.find((a) => a.id === day.next_arrival_id);
    assert.match(await next.innerText(), new RegExp(nextAppointment.patient_name));
    assert.match(await next.innerText(), /Next arrival/);
    const owed = day.appointments.filter((a) => a.amount_due);
    assert.ok(owed.length > 0, "a morning visit still owes");
    assert.match(await page.getByTestId("schedule-summary").innerText(), /due/);
    assert.match(await page.getByTestId("day-schedule").innerText(), /\$[\d,.]+ due/);
    await screenshot(page, "today-1280", { fullPage: true });
  });

  it("picks any day: the previous day, a typed date, back to today", async () => {
    await page.getByRole("button", { name: "Previous day" }).click();
    await page.waitForURL(/date=2025-12-13/);
    await scheduleIdle(page);
    const before13 = await schedule("2025-12-13");
    assert.equal(await page.getByTestId("schedule-entry").count(), before13.appointments.length);
    assert.equal(await page.locator('[data-testid="schedule-entry"][data-next="true"]').count(), 0, "only today has a next arrival");
    await page.getByTestId("schedule-date").fill("2025-11-20");
    await page.waitForURL(/date=2025-11-20/);
    await scheduleIdle(page);
    assert.equal(await page.getByTestId("schedule-entry").count(), (await schedule("2025-11-20")).appointments.length);
    await page.getByTestId("day-schedule").getByRole("button", { name: "Today", exact: true }).click();
    await page.waitForURL((url) => !url.search.includes("date="));
    await scheduleIdle(page);
    assert.equal(await page.locator('[data-testid="schedule-entry"][data-next="true"]').count(), 1);
  });
});

describe("item 2: search forgives", () => {
  it("finds a misspelt name first, says Did you mean, and Enter with one match opens it", async () => {
    // a top spender whose email no one else's contains (emails repeat in the export)
    const spenders = await query({
      dimensions: ["patient.id", "patient.name", "patient.first_name", "patient.last_name", "patient.email"],
      order: [{ field: "patient.lifetime_spend", dir: "desc" }],
      limit: 20,
    });
    let person = null;
    for (const row of spenders.rows) {
      const found = await query({ dimensions: ["patient.id"], filters: [{ field: "patient.search", op: "search", value: row["patient.email"] }], limit: 0 });
      if (found.total_rows === 1) {
        person = row;
        break;
      }
    }
    assert.ok(person, "a top spender has an email of their own");
    const sample = { rows: [person] };
    const { "patient.first_name": first, "patient.last_name": last, "patient.name": name } = person;
    // a letter dropped from the last name: no exact match, the patient comes first
    const typo = `${first} ${last.slice(0, 2)}${last.slice(3)}`;
    await page.goto(`${BASE_URL}/patients`);
    await tableIdle(page);
    await page.getByTestId("patient-search").fill(typo);
    await page.getByTestId("did-you-mean").waitFor();
    await tableIdle(page);
    const firstRow = page.locator('[data-testid="data-row"]').first();
    assert.match(await firstRow.innerText(), new RegExp(name));
    assert.match(await page.getByTestId("did-you-mean").innerText(), new RegExp(`Did you mean\\s+${name}`));
    await screenshot(page, "search-typo-1280");

    // "last, first": the same patient, exactly (no hint)
    await page.getByTestId("patient-search").fill(`${last}, ${first}`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="did-you-mean"]'));
    await tableIdle(page);
    assert.match(await page.locator('[data-testid="data-row"]').first().innerText(), new RegExp(name));

    // Enter with exactly one match opens the record (typed and entered at once: no wait for the list)
    const email = sample.rows[0]["patient.email"];
    await page.getByTestId("patient-search").fill(email);
    await page.getByTestId("patient-search").press("Enter");
    await page.waitForURL(/\/patients\/pat_/);
    await page.getByTestId("record-name").waitFor();
    assert.equal((await page.getByTestId("record-name").innerText()).trim(), name);
  });
});

describe("item 6: money owed reads the same everywhere", () => {
  it("the Owes money view, the record and its visits agree to the cent", async () => {
    const owing = await query({
      dimensions: ["patient.id", "patient.name", "patient.balance_due", "patient.unpaid_visit_count"],
      filters: [{ field: "patient.balance_due", op: "gt", value: 0 }],
      order: [{ field: "patient.balance_due", dir: "desc" }, { field: "patient.id", dir: "asc" }],
      limit: 1,
    });
    assert.ok(owing.total_rows > 0, "someone owes money");
    const top = owing.rows[0];
    const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(top["patient.balance_due"] / 100);
    await page.goto(`${BASE_URL}/patients?view=unpaid`);
    await waitForTotal(page, owing.total_rows);
    const row = page.locator('[data-testid="data-row"]').first();
    assert.match(await row.innerText(), new RegExp(`${money.replace(/[$.]/g, "\\$&")} due`));
    await screenshot(page, "owes-money-1280");
    await row.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("record-name").waitFor();
    assert.match(await page.getByTestId("record-balance").innerText(), new RegExp(money.replace(/[$.]/g, "\\$&")));
    const dues = await page.$$eval('[data-testid="timeline-item"][data-due]', (items) => items.map((i) => Number(i.dataset.due)));
    assert.equal(dues.reduce((a, b) => a + b, 0), top["patient.balance_due"]);
    assert.equal(dues.length, top["patient.unpaid_visit_count"], "as many visits marked as the unpaid count");
    await screenshot(page, "record-owing-1280", { fullPage: true });
  });
});

describe("item 10: phones", () => {
  it("shows one national format and dials the extension apart", async () => {
    const withExt = await query({
      dimensions: ["patient.id", "patient.name", "patient.phone"],
      filters: [{ field: "patient.phone", op: "contains", value: "x" }],
      limit: 1,
    });
    const raw = withExt.rows[0]["patient.phone"];
    const [, ext] = /x(\d+)/.exec(raw);
    await page.goto(`${BASE_URL}/patients/${withExt.rows[0]["patient.id"]}`);
    await page.getByTestId("record-name").waitFor();
    const link = page.getByTestId("phone-link").first();
    const href = await link.getAttribute("href");
    assert.match(href, new RegExp(`^tel:\\+1\\d{10};ext=${ext}$`), `${raw} dials as ${href}`);
    // the visible text (after the screen readers' "Call") is the national format, the extension apart
    assert.match(await link.innerText(), new RegExp(`^(Call\\s*)?\\(\\d{3}\\) \\d{3}-\\d{4} ext\\. ${ext}$`));
    // the table shows the same format; the stored text stays searchable as typed
    const digits = raw.replace(/x.*$/, "").replace(/\D/g, "").slice(-10);
    const found = await query({ dimensions: ["patient.id"], filters: [{ field: "patient.search", op: "search", value: raw }], limit: 0 });
    assert.ok(found.total_rows >= 1);
    await page.goto(`${BASE_URL}/patients`);
    await tableIdle(page);
    await page.getByTestId("patient-search").fill(`${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`);
    await page.waitForFunction((name) => document.querySelector('[data-testid="data-row"]')?.textContent?.includes(name), withExt.rows[0]["patient.name"]);
    const cellLink = page.locator('[data-testid="data-row"]').first().getByTestId("phone-link");
    assert.equal(await cellLink.getAttribute("href"), href);
  });
});

describe("item 9: the front desk is never shown analytics", () => {
  it("offers only its pages, and refuses the others in words without firing a query", async () => {
    const sent = [];
    const record = (request) => {
      if (new URL(request.url()).pathname === "/api/query") sent.push(request.url());
    };
    const fresh = await newPage(browser, { width: 1280, height: 900 });
    await signIn(fresh, "/patients");
    await tableIdle(fresh);
    const nav = fresh.getByRole("navigation", { name: "Main" });
    assert.deepEqual((await nav.getByRole("link").allInnerTexts()).map((t) => t.trim()), ["Patients"]);
    fresh.on("request", record);
    for (const [path, title] of [["/analytics", /Analytics is for managers/], ["/explore", /Explore is for managers/], ["/audit", /audit trail is for managers/i]]) {
      await fresh.goto(`${BASE_URL}${path}`);
      await fresh.getByTestId("role-refused").waitFor();
      assert.match(await fresh.getByTestId("role-refused").innerText(), title);
      assert.doesNotMatch(await fresh.locator("main").innerText(), /forbidden_member|Code:/);
    }
    await fresh.waitForTimeout(500);
    fresh.off("request", record);
    assert.deepEqual(sent, [], "no query was sent from the refused pages");
    await screenshot(fresh, "frontdesk-analytics-refused-1280");
    assert.deepEqual(fresh.errors, []);
    await fresh.context().close();
  });
});

describe("phone, 390px", () => {
  it("the day schedule and the owing view fit a phone", async () => {
    const phone = await newPage(browser, { width: 390, height: 844 });
    await signIn(phone, "/patients?view=today");
    await scheduleIdle(phone);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scroll (scrollWidth ${width})`);
    await screenshot(phone, "today-390", { fullPage: true });
    await phone.goto(`${BASE_URL}/patients?view=unpaid`);
    await tableIdle(phone);
    // the active quick view is scrolled into sight
    const visible = await phone.getByTestId("view-unpaid").evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.left >= 0 && box.right <= window.innerWidth;
    });
    assert.ok(visible, "the active quick view is in sight");
    await screenshot(phone, "owes-money-390");
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });

});

describe("item 11: keyboard", () => {
  it("a table is one tab stop: Tab enters it, arrows move, Tab leaves", async () => {
    await page.goto(`${BASE_URL}/patients`);
    await tableIdle(page);
    const stops = await page.$$eval('[data-testid="data-row"]', (rows) => rows.filter((r) => r.tabIndex === 0).length);
    assert.equal(stops, 1);
    const rows = page.locator('[data-testid="data-row"]');
    await rows.first().focus();
    await page.keyboard.press("ArrowDown");
    assert.equal(await rows.nth(1).evaluate((el) => el === document.activeElement), true);
    assert.deepEqual(page.errors, []);
  });
});
