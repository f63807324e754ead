// Ask end to end, on the real stack with no language model configured: the built-in parser answers a
// revenue-by-source question with the figure POST /api/query gives, shows how it understood it, opens
// the query in Explore, and offers questions it can answer when it cannot map one.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { horizontalOverflow, managerPage, managerQuery } from "./analytics-helpers.mjs";
import { BASE_URL, launch, screenshot } from "./helpers.mjs";

const QUESTION = "Which acquisition source brought the most revenue in the last 90 days?";
const EXPECTED_QUERY = {
  measures: ["revenue"],
  dimensions: ["patient.source"],
  time: { range: "last_90_days" },
  order: [{ field: "revenue", dir: "desc" }],
};
const money = (cents) =>
  `$${(cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function askIn(page, question) {
  await page.getByTestId("ask-input").fill(question);
  await page.getByTestId("ask-submit").click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="ask-answer"], [data-testid="ask-declined"]') !== null,
    null,
    { timeout: 30_000 },
  );
}

describe("ask without a language model (desktop, 1280px)", () => {
  it("answers revenue by source with the figures of /api/query and shows its interpretation", async () => {
    const page = await managerPage(browser, { width: 1280, height: 900 });
    await page.goto(`${BASE_URL}/explore`);
    await askIn(page, QUESTION);

    const expected = await managerQuery(EXPECTED_QUERY);
    const [top, second] = expected.rows;
    const answer = await page.getByTestId("ask-answer-text").innerText();
    assert.match(answer, new RegExp(`${top["patient.source"]} is highest with ${money(top.revenue).replace(/[$.]/g, "\\$&")}`));
    assert.ok(answer.includes(`${second["patient.source"]} (${money(second.revenue)})`), answer);
    assert.equal(
      (await page.getByTestId("ask-interpretation").innerText()).replace(/\s+/g, " ").trim().replace(/ Open in Explore$/, ""),
      "Understood as: revenue by acquisition source, last 90 days",
    );
    // the chart draws the same rows: one bar per source
    const bars = page.getByRole("list", { name: /Revenue by Acquisition source/i }).getByRole("listitem");
    assert.equal(await bars.count(), expected.rows.length);
    await screenshot(page, "ask-answer-1280", { fullPage: true });

    // the interpretation opens the very query in Explore
    await page.getByTestId("ask-open-query").click();
    await page.waitForURL(/\/explore\?q=/);
    const opened = JSON.parse(new URL(page.url()).searchParams.get("q"));
    assert.deepEqual(opened, EXPECTED_QUERY);
    assert.deepEqual(page.consoleErrors, []);
    await page.context().close();
  });

  it("says when it cannot answer and asks a suggested question in one click", async () => {
    const page = await managerPage(browser, { width: 1280, height: 900 });
    await page.goto(`${BASE_URL}/explore`);
    await askIn(page, "Which city do most of our patients live in?");
    const declined = page.getByTestId("ask-declined");
    await declined.waitFor();
    assert.match(await declined.innerText(), /I can't answer that yet\. I don't know “city”/);
    const suggestions = page.getByTestId("ask-suggestion");
    const count = await suggestions.count();
    assert.ok(count >= 1 && count <= 3, `${count} suggestions`);
    assert.equal(await page.getByText("LLM_BASE_URL").count(), 0, "no setup text for an administrator");
    await screenshot(page, "ask-declined-1280");
    const first = (await suggestions.first().innerText()).trim();
    await suggestions.first().click();
    await page.getByTestId("ask-answer").waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId("ask-input").inputValue(), first);
    assert.ok((await page.getByTestId("ask-interpretation").innerText()).includes("Understood as:"));
    await page.context().close();
  });
});

describe("ask (phone, 390px)", () => {
  it("fits a phone", async () => {
    const phone = await managerPage(browser, { width: 390, height: 844 });
    await phone.goto(`${BASE_URL}/explore`);
    await askIn(phone, QUESTION);
    await phone.getByTestId("ask-answer").waitFor();
    assert.ok((await horizontalOverflow(phone)) <= 0, "no horizontal overflow");
    await screenshot(phone, "ask-answer-390", { fullPage: true });
    await phone.context().close();
  });
});
