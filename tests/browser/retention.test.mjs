// Retention rules in a real browser: the administrator saves a rule only once every field is right
// (each wrong one named), sees what a run would erase today (a dry run: the list stays the same on
// a second look), lengthens the period until nothing is due, and removes the rule. Other roles have
// no way in. Every page is checked with axe.

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

/** The sources the page says would go today, as [id, kind, dated, erased] texts. */
async function due(page) {
  const table = page.locator("table", { has: page.locator("caption", { hasText: "Sources past their retention period" }) });
  const found = [];
  for (const row of await table.locator("tbody tr").all()) found.push(await row.locator("td").allInnerTexts());
  return found;
}

async function saveRule(page, { kind, days, erase }, options) {
  if (kind) await page.getByLabel("Kind of source").selectOption({ label: kind });
  await page.getByLabel("Days kept").fill(days);
  if (erase) await page.getByLabel(erase).check();
  return clickAndWait(page, page.getByRole("button", { name: "Save rule" }), options);
}

test("an administrator sets a retention rule, sees what would go, and removes it", async () => {
  const admin = await newPage(browser);
  await signIn(admin, demoEmail("administrator"));
  await clickAndWait(admin, admin.getByRole("link", { name: "Retention", exact: true }));
  assert.equal(pathOf(admin), "/admin/retention");
  await checkPage(admin);
  assert.match(await admin.locator("main").innerText(), /No retention rules/);
  assert.match(await admin.locator("main").innerText(), /Nothing is past its period today/);

  // Nothing chosen (what is erased has a choice made already): each field named, nothing saved.
  assert.ok(await admin.getByLabel("The original text (the redacted copy stays)").isChecked(), "the milder choice first");
  await saveRule(admin, { days: "" }, { status: 422 });
  await checkPage(admin);
  const summary = await admin.locator(".govuk-error-summary").innerText();
  for (const message of ["Choose a kind of source", "Enter how many days"]) {
    assert.match(summary, new RegExp(message), `${message} is asked for`);
  }
  const links = await admin.locator(".govuk-error-summary a").evaluateAll((a) => a.map((l) => l.getAttribute("href")));
  assert.deepEqual(links, ["#kind", "#keep_days"]);
  // Days out of range: only that field, with the kind and choice kept.
  await saveRule(admin, { kind: "Field note", days: "0", erase: "The whole source" }, { status: 422 });
  await checkPage(admin);
  assert.match(await admin.locator(".govuk-error-summary").innerText(), /1 to 36500/);
  assert.equal(await admin.locator(".govuk-error-summary a").count(), 1);
  assert.equal(await admin.getByLabel("Kind of source").inputValue(), "field_note");
  assert.ok(await admin.getByLabel("The whole source").isChecked());
  assert.match(await admin.locator("main").innerText(), /No retention rules/, "nothing saved");

  // A rule that catches the demo's field notes, all collected years ago.
  await saveRule(admin, { days: "30", erase: "The original text (the redacted copy stays)" });
  await checkPage(admin);
  assert.match(await admin.locator(".govuk-notification-banner").innerText(), /Retention rule saved: Field note/);
  const rule = admin.locator("table", { has: admin.locator("caption", { hasText: "Rules in force" }) });
  assert.deepEqual((await rule.locator("tbody tr").first().innerText()).split("\t").slice(0, 3).map((t) => t.trim()), [
    "Field note",
    "30",
    "The original text (the redacted copy stays)",
  ]);
  const going = await due(admin);
  assert.ok(going.length > 0, "the demo's field notes are past 30 days");
  for (const [, kind, , erased] of going) {
    assert.equal(kind, "Field note");
    assert.equal(erased, "Original text");
  }
  assert.match(
    await admin.locator("main").innerText(),
    new RegExp(`${going.length} sources? past (its|their) period, erased at the next run`),
  );
  // A dry run: looking again erases nothing, so the same sources are still due.
  await admin.reload();
  await checkPage(admin);
  assert.deepEqual(await due(admin), going);

  // The same kind again replaces the rule: a hundred years, and nothing is due.
  await saveRule(admin, { kind: "Field note", days: "36500", erase: "The whole source" });
  await checkPage(admin);
  assert.equal(await rule.locator("tbody tr").count(), 1, "one rule per kind");
  assert.match(await rule.locator("tbody tr").first().innerText(), /36500\s+The whole source/);
  assert.deepEqual(await due(admin), []);
  assert.match(await admin.locator("main").innerText(), /Nothing is past its period today/);

  await clickAndWait(admin, admin.getByRole("button", { name: "Remove the rule for field note" }));
  await checkPage(admin);
  assert.match(await admin.locator(".govuk-notification-banner").innerText(), /Retention rule removed: Field note/);
  assert.match(await admin.locator("main").innerText(), /No retention rules/);
  await admin.context().close();
});

test("only administrators have the retention rules", async () => {
  for (const role of ["commissioner", "researcher", "facilitator", "viewer"]) {
    const page = await newPage(browser);
    await signIn(page, demoEmail(role));
    assert.equal(await page.getByRole("link", { name: "Retention", exact: true }).count(), 0, `no link for a ${role}`);
    const response = await page.goto("/admin/retention");
    assert.equal(response.status(), 403, `a ${role} is refused`);
    await checkPage(page);
    await page.context().close();
  }
});
