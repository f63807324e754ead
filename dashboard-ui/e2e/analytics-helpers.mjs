// Helpers for the Analytics and Explore browser tests: a signed-in manager (the owner's role),
// console-error collection, API queries as that manager, and waits on the pages' data-state.
import { BASE_URL, newPage } from "./helpers.mjs";

export const MANAGER = process.env.E2E_MANAGER_USERNAME ?? "manager";
export const MANAGER_PASSWORD = process.env.E2E_MANAGER_PASSWORD ?? "manager-demo-pass";

/**
 * A page signed in as the manager through the API (POST /api/auth/login sets the HttpOnly
 * cookie in the browser context), collecting console errors and failed responses.
 */
export async function managerPage(browser, size = {}) {
  const page = await newPage(browser, size);
  page.consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") page.consoleErrors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400) page.consoleErrors.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
  });
  const response = await page.context().request.post(`${BASE_URL}/api/auth/login`, {
    data: { username: MANAGER, password: MANAGER_PASSWORD },
  });
  if (!response.ok()) throw new Error(`sign-in as ${MANAGER} failed: ${response.status()} ${await response.text()}`);
  return page;
}

let cookie = null;
async function managerCookie() {
  if (cookie) return cookie;
  const response = await fetch(`${BASE_URL}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: MANAGER, password: MANAGER_PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in as ${MANAGER} failed: ${response.status} ${await response.text()}`);
  cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  return cookie;
}

/** POST /api/query as the manager, through the UI's own origin. */
export async function managerQuery(body) {
  const response = await fetch(`${BASE_URL}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: await managerCookie() },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST /api/query ${response.status}: ${await response.text()}`);
  return response.json();
}

/** The KPI row has data and nothing is refetching. */
export async function kpisIdle(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid="kpi-row"]')?.dataset.state === "idle");
}

/** Every section card has settled (ready or empty; an error fails the wait with its text). */
export async function sectionsSettled(page) {
  await page.waitForFunction(
    () => {
      const cards = [...document.querySelectorAll('[data-testid^="section-"]')];
      return cards.length > 0 && cards.every((c) => ["ready", "empty", "error"].includes(c.dataset.state ?? ""));
    },
    undefined,
    { timeout: 30_000 },
  );
  const errors = await page.$$eval('[data-testid^="section-"][data-state="error"]', (cards) =>
    cards.map((c) => `${c.dataset.testid}: ${c.querySelector('[data-testid="card-error"]')?.textContent ?? ""}`),
  );
  return errors;
}

/** A KPI's exact value (data-value, the raw number from the engine). */
export async function kpiValue(page, measure) {
  const text = await page.getByTestId(`kpi-${measure}`).getAttribute("data-value");
  return text === "" || text === null ? null : Number(text);
}

/** No element makes the page scroll sideways. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
