// Insights in a real browser: a researcher states an insight on a demo programme (first leaving
// it blank), finds it listed and opens it; the insights list, an insight, who have we not heard,
// the matrices and agreement pages are checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/dementia";
// A word no other insight holds, so the test finds only its own however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
const STATEMENT = `Carers wait too long for respite and stop asking (${MARKER}).`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a researcher states an insight, finds it listed and opens it; the make-sense pages are accessible", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("researcher"));
  await page.goto(PROGRAMME);
  await clickAndWait(page, page.getByRole("link", { name: "Insights and their evidence" }));
  assert.equal(pathOf(page), `${PROGRAMME}/insights`);
  await checkPage(page);

  // A blank statement is shown again with the error beside the field.
  await clickAndWait(page, page.getByRole("button", { name: "Add insight" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /Enter the insight in a sentence/);

  await page.getByLabel("The insight in a sentence").fill(STATEMENT);
  await clickAndWait(page, page.getByRole("button", { name: "Add insight" }));
  await checkPage(page);
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /Insight added/);
  const link = page.getByRole("link", { name: STATEMENT });
  assert.equal(await link.count(), 1, "the new insight is listed");

  await clickAndWait(page, link);
  assert.match(pathOf(page), /^\/programmes\/dementia\/insights\/\d+$/);
  await checkPage(page);
  assert.equal(await page.locator("h1").innerText(), STATEMENT);
  assert.match(await page.locator("main").innerText(), /No supporting evidence yet/);

  for (const [path, heading] of [
    [`${PROGRAMME}/gaps`, "Who have we not heard"],
    [`${PROGRAMME}/matrices`, "Matrices"],
    [`${PROGRAMME}/agreement`, "Agreement between coders"],
  ]) {
    const response = await page.goto(path);
    assert.equal(response.status(), 200, path);
    await checkPage(page);
    assert.equal(await page.locator("h1").innerText(), heading);
  }
  await page.context().close();
});
