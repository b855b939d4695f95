// The audit log in a real browser: a researcher reads a source's original text; the administrator
// finds that look by its kind, who acted and the source, then by date, is told which filter is
// wrong when the dates are back to front, and clears the filters. Other roles have no way in.
// Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The rows of the log's table as [when, event, who, object] texts. */
async function rows(page) {
  const found = [];
  for (const row of await page.locator("table.govuk-table tbody tr").all()) {
    found.push(await row.locator("td").allInnerTexts());
  }
  return found;
}

/** Fills the GOV.UK date input whose legend is `legend`. */
async function fillDate(page, legend, [day, month, year]) {
  const date = page.getByRole("group", { name: legend });
  await date.getByLabel("Day").fill(String(day));
  await date.getByLabel("Month").fill(String(month));
  await date.getByLabel("Year").fill(String(year));
}

test("an administrator finds a researcher's look at original text in the audit log, by filter", async () => {
  // The look to find: the researcher opens a demo source's original text.
  const researcher = await newPage(browser);
  await signIn(researcher, demoEmail("researcher"));
  await researcher.goto("/programmes/early-years/sources");
  const sources = await researcher.locator("main h3 a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  let source;
  for (const path of sources) {
    await researcher.goto(path);
    const original = researcher.getByRole("link", { name: /Read the original/ });
    if ((await original.count()) === 0) continue; // not everyone heard in it consents to research
    source = path.match(/\/sources\/(\d+)$/)[1];
    await clickAndWait(researcher, original);
    break;
  }
  assert.ok(source, "a demo source whose original the researcher may read");
  await checkPage(researcher);
  await researcher.context().close();

  const admin = await newPage(browser);
  await signIn(admin, demoEmail("administrator"));
  await clickAndWait(admin, admin.getByRole("link", { name: "Audit log", exact: true }));
  assert.equal(pathOf(admin), "/admin/audit");
  await checkPage(admin);
  const caption = await admin.locator("table caption").innerText();
  const total = Number(caption.match(/^(\d+) entr/)?.[1]);
  assert.ok(total > 0, `the log has entries: ${caption}`);
  assert.equal(await admin.getByRole("link", { name: "Clear filters" }).count(), 0, "nothing to clear yet");

  // By kind, who acted and object: the look just taken, and only looks of that source by them.
  await admin.getByLabel("Kind of event").selectOption({ label: "View of original text" });
  await admin.getByLabel("Who acted").selectOption({ label: "Riley Researcher (demo)" });
  await admin.getByLabel("Object").fill(`source ${source}`);
  await clickAndWait(admin, admin.getByRole("button", { name: "Apply filters" }));
  await checkPage(admin);
  const looks = await rows(admin);
  assert.ok(looks.length >= 1, "the researcher's look is found");
  for (const [, event, who, object] of looks) {
    assert.match(event, /^View of original text/);
    assert.match(who, /^Riley Researcher \(demo\)/);
    assert.match(object, new RegExp(`^source ${source}\\b`));
  }
  assert.ok(Number((await admin.locator("table caption").innerText()).match(/^\d+/)[0]) < total, "fewer than all");
  assert.equal(await admin.getByLabel("Kind of event").inputValue(), "original_viewed", "the filters stay as chosen");
  assert.equal(await admin.getByLabel("Object").inputValue(), `source ${source}`);

  // By date: today's sign-ins include the two just made, and nothing else.
  const now = new Date();
  const today = [now.getUTCDate(), now.getUTCMonth() + 1, now.getUTCFullYear()];
  await clickAndWait(admin, admin.getByRole("link", { name: "Clear filters" }));
  await checkPage(admin);
  await admin.getByLabel("Kind of event").selectOption({ label: "Sign-in" });
  await fillDate(admin, "From", today);
  await fillDate(admin, "To", today);
  await clickAndWait(admin, admin.getByRole("button", { name: "Apply filters" }));
  await checkPage(admin);
  const signIns = await rows(admin);
  assert.ok(signIns.some(([, , who]) => who.startsWith("Riley Researcher (demo)")), "the researcher's sign-in");
  assert.ok(signIns.some(([, , who]) => who.startsWith("Demo Administrator")), "the administrator's sign-in");
  assert.ok(signIns.every(([, event]) => event.startsWith("Sign-in")), "only sign-ins");

  // Dates back to front: 422, the end date named, what was typed kept, no entries shown.
  await fillDate(admin, "From", [10, 11, 2026]);
  await fillDate(admin, "To", [1, 11, 2026]);
  await clickAndWait(admin, admin.getByRole("button", { name: "Apply filters" }), { status: 422 });
  await checkPage(admin);
  assert.match(await admin.title(), /^Error: /);
  const summary = admin.locator(".govuk-error-summary");
  assert.match(await summary.innerText(), /The end date must be the same as or after the start date/);
  assert.equal(await summary.locator("a").first().getAttribute("href"), "#to");
  assert.equal(await admin.getByRole("group", { name: "From" }).getByLabel("Day").inputValue(), "10");
  assert.equal(await admin.locator("table.govuk-table").count(), 0, "no entries under a wrong filter");

  // A date that is no date names its own field.
  await fillDate(admin, "From", [31, 2, 2026]);
  await fillDate(admin, "To", ["", "", ""]);
  await clickAndWait(admin, admin.getByRole("button", { name: "Apply filters" }), { status: 422 });
  await checkPage(admin);
  assert.equal(await admin.locator(".govuk-error-summary a").first().getAttribute("href"), "#from");
  await admin.context().close();
});

test("only administrators have the audit log", async () => {
  for (const role of ["commissioner", "researcher", "facilitator", "viewer"]) {
    const page = await newPage(browser);
    await signIn(page, demoEmail(role));
    assert.equal(await page.getByRole("link", { name: "Audit log" }).count(), 0, `no link for a ${role}`);
    const response = await page.goto("/admin/audit");
    assert.equal(response.status(), 403, `a ${role} is refused`);
    await checkPage(page);
    await page.context().close();
  }
});
