// Setting up a Deliberation Day in a real browser: the demo facilitator opens the programme's
// Deliberation Days, is refused a set-up without a title or date, sets one up, writes a statement,
// adds two from the programme's insights, opens it for attendees and sees its join code. Every page
// is checked with axe. The live session itself is in deliberation.test.mjs and attend.test.mjs.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/early-years";
// A word no other deliberation holds, so the test finds only its own however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
const TITLE = `Shaping early years support (${MARKER})`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a facilitator sets up a Deliberation Day, adds and seeds statements, and opens it", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("facilitator"));
  await page.goto(PROGRAMME);
  await clickAndWait(page, page.getByRole("link", { name: /^Deliberation Days/ }));
  assert.equal(pathOf(page), `${PROGRAMME}/deliberations`);
  await checkPage(page);

  await clickAndWait(page, page.getByRole("button", { name: "Set up a Deliberation Day" }));
  await checkPage(page);
  // Nothing filled in: refused, with the errors beside their fields.
  await clickAndWait(page, page.getByRole("button", { name: "Set up", exact: true }), { status: 422 });
  await checkPage(page);
  const summary = await page.locator(".govuk-error-summary").innerText();
  assert.match(summary, /title/i);
  assert.match(summary, /date of the Deliberation Day/);

  await page.getByLabel("Title", { exact: true }).fill(TITLE);
  await page.getByLabel("Day").fill("14");
  await page.getByLabel("Month").fill("3");
  await page.getByLabel("Year").fill("2027");
  await page.getByLabel("Venue (optional)").fill("Test Hall");
  await page.getByLabel(/Attendees may add statements/).check();
  await page.getByRole("radio", { name: "Dot votes" }).check();
  await page.getByLabel("Dots each attendee has (for dot votes)").fill("5");
  await page.getByLabel("Questionnaire before and after (optional)").fill("I trust the council\nServices listen to carers");
  await clickAndWait(page, page.getByRole("button", { name: "Set up", exact: true }));
  assert.match(pathOf(page), /^\/programmes\/early-years\/deliberations\/\d+$/);
  const dayPath = pathOf(page);
  await checkPage(page);
  const code = (await page.locator("#join-code").innerText()).trim();
  assert.match(code, /^[0-9A-Z]{3}-[0-9A-Z]{3}$/);

  // A statement written fresh.
  await page.getByLabel("Statement", { exact: true }).fill(`Families should be able to refer themselves (${MARKER})`);
  await clickAndWait(page, page.getByRole("button", { name: "Add statement" }));
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /Statement added/);
  await checkPage(page);

  // Two from the programme's insights.
  const insights = page.locator("input[name=insights]");
  assert.ok((await insights.count()) >= 2, "the demo programme has insights to add");
  await insights.nth(0).check();
  await insights.nth(1).check();
  await clickAndWait(page, page.getByRole("button", { name: "Add as statements" }));
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /2 statements added/);
  assert.match(await page.locator("#statements + table caption").innerText(), /3 accepted statements/);
  await checkPage(page);

  // Closing a day being set up is not offered; opening it is.
  assert.equal(await page.getByRole("button", { name: "Close" }).count(), 0);
  await clickAndWait(page, page.getByRole("button", { name: "Open for attendees" }));
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /attendees can join with the code/);
  assert.equal((await page.locator("#join-code").innerText()).trim(), code);
  await checkPage(page);

  // The change form, and the list with the new day.
  await clickAndWait(page, page.getByRole("link", { name: /^Change the set-up/ }));
  await checkPage(page);
  await page.goto(`${PROGRAMME}/deliberations`);
  assert.match(await page.locator("table").innerText(), new RegExp(MARKER));
  await checkPage(page);
  assert.ok(dayPath);
});
