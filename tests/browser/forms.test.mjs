// Story forms in a real browser: a facilitator finds the demo's published form, an anonymous
// visitor on a phone-sized screen fills it in (first getting it wrong) and gets a receipt, reads
// the story back with the code and withdraws it, and a facilitator sees the pattern view. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const FORMS = "/programmes/early-years/forms";
const PHONE = { width: 375, height: 740 };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Nothing on the page is wider than the screen. */
async function fitsTheScreen(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${page.url()} is ${width}px wide on a ${PHONE.width}px screen`);
}

test("an anonymous visitor on a phone answers the demo's story form and reads it back", async () => {
  // A facilitator finds the form's public link and its pattern view.
  const staff = await newPage(browser);
  await signIn(staff, demoEmail("facilitator"));
  await staff.goto(`${FORMS}/new`);
  await checkPage(staff);
  await clickAndWait(staff, staff.getByRole("button", { name: "Save story form" }), { status: 422 });
  await checkPage(staff);
  assert.match(await staff.locator(".govuk-error-summary").innerText(), /Enter a title/);
  await staff.goto(FORMS);
  await checkPage(staff);
  await clickAndWait(staff, staff.getByRole("link", { name: /Getting help in the early years \(demo\)/ }));
  await checkPage(staff);
  const publicPath = await staff.locator('a[href^="/forms/"]').first().getAttribute("href");
  assert.match(publicPath, /^\/forms\/[0-9a-z]{16}$/);
  await clickAndWait(staff, staff.getByRole("link", { name: "See the pattern of answers" }));
  await checkPage(staff);
  const dots = await staff.locator('svg[data-signifier="s1"] a').count();
  assert.ok(dots >= 12, `a dot per demo story, found ${dots}`);

  const page = await newPage(browser);
  await page.setViewportSize(PHONE);
  const opened = await page.goto(publicPath);
  assert.equal(opened.status(), 200);
  await checkPage(page);
  await fitsTheScreen(page);

  // Sent without the required consent: shown again with the error summary.
  const story = "When our baby would not feed, the drop-in group found us a health visitor the same week (browser test).";
  await page.locator("#story").fill(story);
  await page.getByRole("radio", { name: "Parent", exact: true }).check();
  await clickAndWait(page, page.getByRole("button", { name: "Send your story" }), { status: 422 });
  await checkPage(page);
  await fitsTheScreen(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /Tick/);
  assert.equal(await page.locator("#story").inputValue(), story, "the story is kept as typed");

  await page.getByLabel("Family and friends", { exact: true }).fill("20");
  await page.getByLabel("Professionals", { exact: true }).fill("50");
  await page.getByLabel("Community groups", { exact: true }).fill("30");
  await page.getByLabel(/How did it feel\?/).fill("80");
  await page.getByRole("radio", { name: "Days", exact: true }).check();
  await page.getByRole("checkbox", { name: /used in research/ }).check();
  await clickAndWait(page, page.getByRole("button", { name: "Send your story" }));
  await checkPage(page);
  await fitsTheScreen(page);
  assert.equal(pathOf(page), publicPath, "the receipt code is never in the address");
  const code = (await page.locator(".heard-receipt-code").innerText()).trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

  await clickAndWait(page, page.getByRole("link", { name: "read your story or withdraw it" }));
  await checkPage(page);
  await page.getByLabel("Receipt code").fill(code);
  await clickAndWait(page, page.getByRole("button", { name: "Find my story" }));
  await checkPage(page);
  await fitsTheScreen(page);
  assert.equal(pathOf(page), "/forms/receipt");
  assert.ok(!page.url().includes(code), "the code is sent in the body, not the address");
  assert.match(await page.locator(".heard-story-text").innerText(), /drop-in group/);
  assert.match(await page.locator("main").innerText(), /Professionals 50/);

  // The pattern view now has one more dot, and fewer when filtered to one kind.
  await staff.reload();
  await checkPage(staff);
  assert.equal(await staff.locator('svg[data-signifier="s1"] a').count(), dots + 1);
  await staff.goto(`${pathOf(staff)}?kind=parent`);
  await checkPage(staff);
  assert.ok((await staff.locator('svg[data-signifier="s1"] a').count()) < dots + 1, "filtered by participant kind");

  // The visitor withdraws the story.
  await clickAndWait(page, page.getByRole("button", { name: "Withdraw my story" }));
  await checkPage(page);
  assert.match(await page.locator("h1").innerText(), /withdrawn/);
});
