// Shared helpers for the browser tests: one Chromium, the UI's base URL, screenshots, API calls.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const BASE_URL = (process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../screenshots");
mkdirSync(SCREENSHOT_DIR, { recursive: true });

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

/** A page that fails the test on uncaught page errors (collected, checked by the caller). */
export async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  return page;
}

export async function screenshot(page, name, options = {}) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), ...options });
}

// The demo front-desk account that `medspa users demo` creates (override for other stacks).
export const USERNAME = process.env.E2E_USERNAME ?? "frontdesk";
export const PASSWORD = process.env.E2E_PASSWORD ?? "frontdesk-demo-pass";

/** Sign in through the UI's own form, as a person would. */
export async function signIn(page, next = "/patients") {
  await page.goto(`${BASE_URL}${next}`);
  await page.waitForURL(/\/login\?/);
  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === next.split("?")[0]);
}

let cookie = null;
async function session() {
  if (cookie) return cookie;
  const response = await fetch(`${BASE_URL}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in as ${USERNAME} failed: ${response.status} ${await response.text()}`);
  cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  return cookie;
}

/** POST /api/query through the UI's own proxy (the same origin the browser uses), signed in. */
export async function query(body) {
  const response = await fetch(`${BASE_URL}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: await session() },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST /api/query ${response.status}: ${await response.text()}`);
  return response.json();
}

export async function totalRows(filters = []) {
  return (await query({ dimensions: ["patient.id"], filters, limit: 0 })).total_rows;
}

/** Wait until the table shows settled data (not loading, not refetching). */
export async function tableIdle(page) {
  await page.waitForFunction(() => {
    const table = document.querySelector('[data-testid="data-table"]');
    return table && (table.dataset.state === "idle" || table.dataset.state === "placeholder");
  });
}

/** The "of N" of "Viewing 1-50 of 4,000 patients". */
export async function viewingTotal(page) {
  const text = await page.locator('[data-testid="viewing"]').innerText();
  const match = /of\s+([\d,]+)/.exec(text);
  return match ? Number(match[1].replace(/,/g, "")) : null;
}

export async function waitForTotal(page, expected) {
  await page.waitForFunction(
    (n) => {
      const el = document.querySelector('[data-testid="viewing"]');
      const table = document.querySelector('[data-testid="data-table"]');
      const m = el && /of\s+([\d,]+)/.exec(el.textContent ?? "");
      return m && Number(m[1].replace(/,/g, "")) === n && table?.dataset.state === "idle";
    },
    expected,
  );
}

/** Minimal RFC 4180 parser (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  const body = text.replace(/^\ufeff/, "");
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
