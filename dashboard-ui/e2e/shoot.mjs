// Screenshots for looking at pages by hand (not a test):
//   node e2e/shoot.mjs <role> <width> <name>=<path> [...]     (E2E_BASE_URL, SHOT_DIR)
import { mkdirSync } from "node:fs";
import path from "node:path";

import { chromium } from "playwright-core";

const BASE = (process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const OUT = process.env.SHOT_DIR ?? "screenshots";
const ACCOUNTS = { manager: ["manager", "manager-demo-pass"], frontdesk: ["frontdesk", "frontdesk-demo-pass"] };
const [role, width, ...pages] = process.argv.slice(2);
mkdirSync(OUT, { recursive: true });

const [username, password] = ACCOUNTS[role];
const response = await fetch(`${BASE}/api/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username, password }),
});
const token = /medspa_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext({ viewport: { width: Number(width), height: 900 } });
await context.addCookies([{ name: "medspa_session", value: token, url: BASE }]);
const page = await context.newPage();
page.on("pageerror", (error) => console.error("pageerror", error.message));
for (const spec of pages) {
  const cut = spec.indexOf("=");
  const [name, target] = [spec.slice(0, cut), spec.slice(cut + 1)];
  await page.goto(`${BASE}${target}`, { timeout: 180_000 });
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(Number(process.env.SHOT_WAIT ?? 800));
  // SHOT_PARTS=n: the full page in n slices of 1,200 px (for reading a long page at full size)
  const parts = Number(process.env.SHOT_PARTS ?? 0);
  if (parts > 0) {
    for (let i = 0; i < parts; i++) {
      await page.screenshot({
        path: path.join(OUT, `${name}-${role}-${width}-${i + 1}.png`),
        fullPage: true,
        clip: { x: 0, y: i * 1200, width: Number(width), height: 1200 },
      });
    }
  } else {
    await page.screenshot({ path: path.join(OUT, `${name}-${role}-${width}.png`), fullPage: process.env.SHOT_FULL !== "0" });
  }
  console.log("shot", name);
}
await browser.close();
