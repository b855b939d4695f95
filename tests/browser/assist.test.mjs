// Assisted coding and theme discovery in a real browser: the demo researcher opens both pages of
// a demo programme (checked with axe), has codes suggested where the demo allows and sees the
// error when deciding with nothing selected; then makes a code of a discovered theme and lands
// on the new code's page. The demo's coding may or may not include a theme run: the test
// discovers themes itself when none is waiting to become a code.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/early-years";
// A word no other code holds, so each run makes a code of its own.
const MARKER = `run${Date.now().toString(36)}`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a researcher has codes suggested and makes a discovered theme a code; both pages are accessible", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("researcher"));
  await page.goto(PROGRAMME);
  await clickAndWait(page, page.getByRole("link", { name: "Assisted coding" }));
  assert.equal(pathOf(page), `${PROGRAMME}/suggestions`);
  await checkPage(page);
  assert.equal(await page.locator("h1").innerText(), "Assisted coding");
  assert.match(await page.locator("main").innerText(), /Coded examples to learn from/);

  const suggest = page.getByRole("button", { name: "Suggest codes" });
  if ((await suggest.count()) > 0) {
    await clickAndWait(page, suggest);
    assert.equal(pathOf(page), `${PROGRAMME}/suggestions`);
    await checkPage(page);
    assert.match(await page.locator(".govuk-notification-banner").innerText(), /suggest/i);
  }
  const reject = page.getByRole("button", { name: "Reject selected" });
  if ((await reject.count()) > 0) {
    // Deciding with nothing selected is shown again with the error by the checkboxes.
    await clickAndWait(page, reject, { status: 422 });
    await checkPage(page);
    assert.match(await page.locator(".govuk-error-summary").innerText(), /Select the suggestions to accept or reject/);
  }

  await page.goto(PROGRAMME);
  await clickAndWait(page, page.getByRole("link", { name: "Theme discovery" }));
  assert.equal(pathOf(page), `${PROGRAMME}/themes`);
  await checkPage(page);
  assert.equal(await page.locator("h1").innerText(), "Theme discovery");

  const makeCode = page.getByRole("button", { name: /^Make this a code/ });
  const discover = page.getByRole("button", { name: "Discover themes" });
  if ((await makeCode.count()) === 0 && (await discover.count()) > 0) {
    await clickAndWait(page, discover);
    await checkPage(page);
    assert.match(await page.locator(".govuk-notification-banner").innerText(), /found among/);
  }
  if ((await page.locator(".govuk-summary-card").count()) === 0 || (await makeCode.count()) === 0) {
    await page.context().close();
    return;
  }
  const card = page.locator(".govuk-summary-card", { has: makeCode }).first();
  assert.match(await card.innerText(), /Representative quotes/);
  await card.getByRole("textbox").fill(`Theme as a code (${MARKER})`);
  await clickAndWait(page, card.getByRole("button", { name: /^Make this a code/ }));
  assert.match(pathOf(page), /^\/programmes\/early-years\/codebook\/\d+$/);
  await checkPage(page);
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /made from the theme/);
  assert.match(await page.locator("h1").innerText(), new RegExp(MARKER));
  await page.context().close();
});
