// The learning log, the story of transformation and outcomes in a real browser: a facilitator
// writes a reflection (first refused with its errors), finds it in the log, filtered by kind and
// on the programme's story among its stages and activities; a commissioner records a measurement
// of an outcome (first refused), corrects and deletes it, opens the forms to change the outcome and
// its review date and the confirmation before deleting it, and sees its progress and the
// decision's. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

// A word no other reflection holds, so the test finds only its own however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
const TEXT = `Carers asked for the next café to start earlier (${MARKER}).`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a facilitator writes a reflection and finds it in the learning log and on the story", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("facilitator"));
  await page.goto("/programmes/dementia");
  await clickAndWait(page, page.getByRole("link", { name: /^Learning log/ }));
  assert.equal(pathOf(page), "/programmes/dementia/reflections");
  await checkPage(page);

  // Without a kind or words, the form comes back with its errors beside the fields.
  await page.getByLabel("Your reflection").fill("");
  await clickAndWait(page, page.getByRole("button", { name: "Add to the learning log" }), { status: 422 });
  await checkPage(page);
  const summary = await page.locator(".govuk-error-summary").innerText();
  assert.match(summary, /what kind of reflection/i);
  assert.match(summary, /Enter your reflection/);

  await page.getByRole("group", { name: "What kind of reflection is it?" }).getByLabel("Lesson").check();
  await page.getByLabel("Your reflection").fill(TEXT);
  const date = page.getByRole("group", { name: "Date" });
  await date.getByLabel("Day").fill("3");
  await date.getByLabel("Month").fill("2");
  await date.getByLabel("Year").fill("2015");
  await page.getByLabel("Stage it is about (optional)").selectOption({ label: "1. Case for change" });
  await clickAndWait(page, page.getByRole("button", { name: "Add to the learning log" }));
  assert.equal(pathOf(page), "/programmes/dementia/reflections");
  await checkPage(page);
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /Reflection added/);
  assert.ok(await page.getByText(TEXT).isVisible());

  // Only lessons: ours is there, a demo down is not.
  await clickAndWait(page, page.getByRole("navigation", { name: "Reflections by kind" }).getByRole("link", { name: "Lesson" }));
  await checkPage(page);
  assert.ok(await page.getByText(TEXT).isVisible());
  assert.equal(await page.getByText(/Primary care was hard to get into the room/).count(), 0);

  // On the story: under February 2015, after the demo's screening in January.
  await page.goto("/programmes/dementia/story");
  await checkPage(page);
  const months = await page.locator("h2.govuk-heading-m").allInnerTexts();
  const february = months.indexOf("February 2015");
  assert.ok(february > months.indexOf("January 2015") && months.indexOf("January 2015") >= 0, months.join(", "));
  const februaryList = page.locator("ol.heard-timeline").nth(february);
  assert.ok(await februaryList.getByText(TEXT).isVisible(), "the reflection sits in February's list");
  assert.ok(await page.getByRole("link", { name: "1. Case for change" }).first().isVisible());

  // Its writer opens it from the log and deletes it (the box ticked), so runs do not pile up.
  await page.goto("/programmes/dementia/reflections?kind=lesson");
  await clickAndWait(page, page.getByRole("link", { name: /Change or delete.*3 February 2015/ }).first());
  await checkPage(page);
  await page.getByLabel("Yes, delete this reflection").check();
  await clickAndWait(page, page.getByRole("button", { name: "Delete reflection" }));
  assert.equal(await page.getByText(TEXT).count(), 0);
  await page.close();
});

test("a commissioner records a measurement of an outcome, corrects and deletes it, and sees the progress", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("commissioner"));
  await page.goto("/");
  await checkPage(page);
  // The demo's review due is on the dashboard; it leads to its outcome.
  assert.ok(await page.getByRole("heading", { name: "Outcome reviews due" }).isVisible());
  await clickAndWait(page, page.getByRole("link", { name: /Families first seen before their child is one/ }));
  assert.match(pathOf(page), /^\/programmes\/early-years\/decisions\/\d+\/outcomes\/\d+$/);
  await checkPage(page);

  // A value that is no number is refused beside its field.
  await page.getByLabel("Value measured").fill("about half");
  await clickAndWait(page, page.getByRole("button", { name: "Record measurement" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /value measured as a number/);

  // 70% reaches the target of 70% from 38%: 100% of the way.
  await page.getByLabel("Value measured").fill("70");
  const date = page.getByRole("group", { name: "Date measured" });
  await date.getByLabel("Day").fill("31");
  await date.getByLabel("Month").fill("12");
  await date.getByLabel("Year").fill("2015");
  await page.getByLabel("Note (optional)").fill(`Browser test (${MARKER})`);
  await clickAndWait(page, page.getByRole("button", { name: "Record measurement" }));
  await checkPage(page);
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /Measurement recorded/);
  assert.match(await page.locator(".govuk-summary-list").innerText(), /100% of the way/);
  assert.ok(await page.getByRole("cell", { name: `Browser test (${MARKER})` }).isVisible());
  const outcome = pathOf(page);

  // The measurement corrected: 54 is half the way from 38 to 70; a date to come is refused first.
  const mine = page.getByRole("row").filter({ hasText: `Browser test (${MARKER})` });
  await clickAndWait(page, mine.getByRole("link", { name: /Correct or delete/ }));
  await checkPage(page);
  await page.getByLabel("Value measured").fill("54");
  const when = page.getByRole("group", { name: "Date measured" });
  await when.getByLabel("Year").fill("2199");
  await clickAndWait(page, page.getByRole("button", { name: "Save the correction" }), { status: 422 });
  await checkPage(page);
  await page.getByRole("group", { name: "Date measured" }).getByLabel("Year").fill("2015");
  await clickAndWait(page, page.getByRole("button", { name: "Save the correction" }));
  assert.equal(pathOf(page), outcome);
  assert.match(await page.locator(".govuk-summary-list").innerText(), /50% of the way/);
  // Then deleted, once the box is ticked.
  await clickAndWait(page, mine.getByRole("link", { name: /Correct or delete/ }));
  await clickAndWait(page, page.getByRole("button", { name: "Delete measurement" }), { status: 422 });
  await checkPage(page);
  await page.getByLabel(/Yes, delete the measurement/).check();
  await clickAndWait(page, page.getByRole("button", { name: "Delete measurement" }));
  assert.equal(await page.getByRole("cell", { name: `Browser test (${MARKER})` }).count(), 0);

  // Changing the outcome, its review date and the confirmation before deleting it (not confirmed).
  await clickAndWait(page, page.getByRole("link", { name: "Change this outcome" }));
  await checkPage(page);
  assert.match(await page.getByLabel("Indicator").inputValue(), /^Families first seen before their child is one/);
  await page.goto(outcome);
  await clickAndWait(page, page.getByRole("link", { name: /Change or delete the review/ }).first());
  await checkPage(page);
  await page.goto(outcome);
  await clickAndWait(page, page.getByRole("link", { name: "Delete this outcome" }));
  await checkPage(page);
  assert.ok(await page.getByRole("heading", { level: 1, name: "Are you sure you want to delete this outcome?" }).isVisible());
  await clickAndWait(page, page.getByRole("link", { name: "No, keep it" }));
  assert.equal(pathOf(page), outcome);

  await clickAndWait(page, page.getByRole("link", { name: "Back to the decision's outcomes" }));
  await checkPage(page);
  assert.match(await page.locator("main").innerText(), /Decision's progress:\s*\d+% of the way/);
  await page.goto("/programmes/early-years/outcomes");
  await checkPage(page);
  assert.match(await page.locator("main").innerText(), /Programme's progress:/);
  await page.close();
});
