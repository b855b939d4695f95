// Decisions in a real browser: a commissioner records a decision (refused first with its errors,
// then for the missing reason of a departure from what the Deliberation Day favoured), reads it
// and its evidence trail, changes it through the same form (the reason asked for again) and
// deletes it after its confirmation page; the demo decision's measured outcomes keep it from being
// deleted; anyone, without signing in, reads Early Years' "You said, we did" page and is refused a
// receipt code no story has. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

// A word no other decision holds, so the test finds only its own however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
const TITLE = `Saturday clinics (${MARKER})`;
const REASON = `It is cheaper to commission with the hubs (${MARKER}).`;
const CHANGED = `Saturday and Sunday clinics (${MARKER})`;
const REASON_AGAIN = `Weekend clinics share the hubs' staff (${MARKER}).`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a commissioner records a decision, gives the reason for a departure and reads its trail", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("commissioner"));
  await page.goto("/programmes/early-years");
  await clickAndWait(page, page.getByRole("link", { name: /^Decisions:/ }));
  assert.equal(pathOf(page), "/programmes/early-years/decisions");
  await checkPage(page);
  await clickAndWait(page, page.getByRole("link", { name: "Record a decision" }));
  await checkPage(page);

  // Nothing filled in: the form comes back with every error.
  await clickAndWait(page, page.getByRole("button", { name: "Record the decision" }), { status: 422 });
  await checkPage(page);
  const summary = await page.locator(".govuk-error-summary").innerText();
  assert.match(summary, /Enter a title/);
  assert.match(summary, /Choose the propositions this decision takes up/);

  // Take up a proposition the room did not favour: the reason is asked for, by name.
  await page.getByLabel("Title").fill(TITLE);
  await page.getByLabel("The service change").fill("Open two clinics on Saturday mornings.");
  await page.getByLabel("Budget (optional)").fill("£40,000");
  await page.getByRole("group", { name: "Who decided" }).getByLabel("A committee").check();
  await page.getByLabel("Name of the person, board or committee").fill("Early Years Committee (demo)");
  const date = page.getByRole("group", { name: "When it was decided" });
  await date.getByLabel("Day").fill("10");
  await date.getByLabel("Month").fill("3");
  await date.getByLabel("Year").fill("2015");
  await page.getByLabel("Why", { exact: true }).fill("Parents told us weekdays are impossible.");
  const unfavoured = page.locator(".govuk-checkboxes__item").filter({ hasText: "not favoured" }).first();
  const title = (await unfavoured.locator("label").innerText()).trim();
  await unfavoured.locator("input").check();
  await clickAndWait(page, page.getByRole("button", { name: "Record the decision" }), { status: 422 });
  await checkPage(page);
  const refused = await page.locator(".govuk-error-summary").innerText();
  assert.ok(refused.includes(`Say why this decision takes up “${title}”`), refused);
  assert.equal(await page.getByLabel("Title").inputValue(), TITLE, "what was typed is kept");

  await page.getByLabel(`Why, for “${title}”`).fill(REASON);
  await clickAndWait(page, page.getByRole("button", { name: "Record the decision" }));
  await checkPage(page);
  assert.match(pathOf(page), /^\/programmes\/early-years\/decisions\/\d+$/);
  assert.ok(await page.getByRole("heading", { level: 1, name: TITLE }).isVisible());
  assert.ok(await page.getByText(REASON).isVisible());
  assert.ok(await page.getByText("£40,000").isVisible());
  const recorded = pathOf(page);

  await clickAndWait(page, page.getByRole("link", { name: /^Evidence trail/ }));
  await checkPage(page);
  assert.ok(await page.getByRole("heading", { name: "Who is behind it" }).isVisible());
  assert.ok(await page.getByRole("link", { name: title }).first().isVisible());

  // The demo decision's trail, with its excerpts and the room's ranking.
  await page.goto("/programmes/early-years/decisions");
  await clickAndWait(page, page.getByRole("link", { name: "Family hubs with one front door (demo)" }));
  await checkPage(page);
  await clickAndWait(page, page.getByRole("link", { name: /^Evidence trail/ }));
  await checkPage(page);
  assert.ok(await page.getByRole("table").filter({ hasText: "how the room ranked" }).isVisible());

  // Its outcomes were measured, so the demo decision cannot be deleted.
  await page.goto("/programmes/early-years/decisions");
  await clickAndWait(page, page.getByRole("link", { name: "Family hubs with one front door (demo)" }));
  await clickAndWait(page, page.getByRole("link", { name: "Delete this decision" }));
  await checkPage(page);
  assert.ok(await page.getByRole("heading", { level: 1, name: "This decision cannot be deleted" }).isVisible());
  assert.equal(await page.getByRole("button", { name: /delete/i }).count(), 0);

  // The decision recorded above, changed through the same form, filled in as it was saved.
  await page.goto(recorded);
  await clickAndWait(page, page.getByRole("link", { name: "Change this decision" }));
  await checkPage(page);
  assert.equal(pathOf(page), `${recorded}/edit`);
  assert.equal(await page.getByLabel("Title").inputValue(), TITLE);
  assert.equal(await page.getByLabel("Budget (optional)").inputValue(), "£40,000");
  const reason = page.getByLabel(`Why, for “${title}”`);
  assert.equal(await reason.inputValue(), REASON);
  // The rule runs again: the reason left blank is asked for by name, nothing saved.
  await page.getByLabel("Title").fill(CHANGED);
  await reason.fill("");
  await clickAndWait(page, page.getByRole("button", { name: "Save the changes" }), { status: 422 });
  await checkPage(page);
  const again = await page.locator(".govuk-error-summary").innerText();
  assert.ok(again.includes(`Say why this decision takes up “${title}”`), again);
  assert.equal(await page.getByLabel("Title").inputValue(), CHANGED, "what was typed is kept");
  await page.getByLabel(`Why, for “${title}”`).fill(REASON_AGAIN);
  await clickAndWait(page, page.getByRole("button", { name: "Save the changes" }));
  await checkPage(page);
  assert.equal(pathOf(page), recorded);
  assert.ok(await page.getByRole("heading", { level: 1, name: CHANGED }).isVisible());
  assert.ok(await page.getByText(REASON_AGAIN).isVisible());
  assert.equal(await page.getByText(REASON).count(), 0);
  assert.ok(await page.getByRole("listitem").filter({ hasText: title }).filter({ hasText: "(commissioned)" }).isVisible());

  // Deleted after the confirmation page: gone from the list.
  await clickAndWait(page, page.getByRole("link", { name: "Delete this decision" }));
  await checkPage(page);
  assert.ok(await page.getByRole("heading", { level: 1, name: "Are you sure you want to delete this decision?" }).isVisible());
  await clickAndWait(page, page.getByRole("button", { name: "Yes, delete this decision" }));
  await checkPage(page);
  assert.equal(pathOf(page), "/programmes/early-years/decisions");
  assert.equal(await page.getByRole("link", { name: CHANGED }).count(), 0);
  assert.equal((await page.goto(recorded)).status(), 404);
});

test("anyone reads You said, we did without signing in", async () => {
  const page = await newPage(browser);
  const response = await page.goto("/you-said-we-did/early-years");
  assert.equal(response.status(), 200);
  await checkPage(page);
  assert.ok(await page.getByRole("heading", { level: 1, name: "You said, we did" }).isVisible());
  assert.ok(await page.getByRole("heading", { name: "Family hubs with one front door (demo)" }).isVisible());
  assert.equal(await page.getByRole("link", { name: "Sign out" }).count(), 0);

  // A receipt code no story has: refused beside the field.
  await page.getByLabel("Your receipt code").fill("ABCD-EFGH-JKMN");
  await clickAndWait(page, page.getByRole("button", { name: "Look up my story" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /could not find a story/);

  // An unpublished programme's page is not there.
  const missing = await page.goto("/you-said-we-did/adults-with-disabilities");
  assert.equal(missing.status(), 404);
});
