// Propositions in a real browser: a facilitator writes one (a blank one refused first), links an
// insight, a factor and a signal from the lists, records who shaped it, edits it into a second
// version and sees the difference word by word, and opens it for deliberation; a commissioner
// recommends it. The demo's flagged proposition (no citizen evidence), a merged one, the merge and
// split pages are visited too. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/early-years";
// A word no other proposition holds, so the test finds only its own however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
const TITLE = `Stay and play in the evening (${MARKER})`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a facilitator writes, links, edits and opens a proposition; a commissioner recommends it", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("facilitator"));
  await page.goto(PROGRAMME);
  await clickAndWait(page, page.getByRole("link", { name: "Propositions: the changes proposed, and what they stand on" }));
  assert.equal(pathOf(page), `${PROGRAMME}/propositions`);
  await checkPage(page);
  // The demo's proposition on a signal and an unevidenced factor is flagged in the list.
  const flagged = page.getByRole("row").filter({ hasText: "Open children's centres into the evening (demo)" });
  assert.match(await flagged.innerText(), /No citizen evidence/);

  // The demo's merged proposition links to its parts, and a part back to it.
  await clickAndWait(page, page.getByRole("link", { name: "One family plan, one named worker (demo)" }));
  await checkPage(page);
  assert.match(await page.locator("#lineage").innerText(), /Merged from/);
  await clickAndWait(page, page.locator("#lineage").getByRole("link", { name: "A named worker for each family (demo)" }));
  await checkPage(page);
  assert.match(await page.locator("#lineage").innerText(), /Merged into/);

  // Write one: blank is refused beside the fields, then saved as a draft.
  await page.goto(`${PROGRAMME}/propositions`);
  await clickAndWait(page, page.getByRole("link", { name: "Write a proposition" }));
  await checkPage(page);
  await clickAndWait(page, page.getByRole("button", { name: "Save as draft" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /Enter a title/);
  await page.getByLabel("Title", { exact: true }).fill(TITLE);
  await page.getByLabel("The change it proposes").fill("Run stay and play sessions on two evenings a week at the family hub.");
  await clickAndWait(page, page.getByRole("button", { name: "Save as draft" }));
  assert.match(pathOf(page), /^\/programmes\/early-years\/propositions\/\d+$/);
  const proposition = pathOf(page);
  await checkPage(page);
  assert.match(await page.locator("h1").innerText(), new RegExp(MARKER));
  assert.match(await page.locator("main").innerText(), /No citizen evidence/);

  // Link an insight, a factor and a signal from the lists; the flag goes once citizens are heard.
  await page.getByLabel("An insight").selectOption({ label: "Families hear about support too late, often only after a crisis." });
  await clickAndWait(page, page.getByRole("button", { name: "Link insight" }));
  await checkPage(page);
  await page.getByLabel("A cause-map factor").selectOption({ label: "Why families reach help late (demo): Children's centres open short hours" });
  await clickAndWait(page, page.getByRole("button", { name: "Link factor" }));
  await page.getByLabel("A signal linked to this programme").selectOption({ label: "Grandparents as main childcare (demo)" });
  await clickAndWait(page, page.getByRole("button", { name: "Link signal" }));
  await checkPage(page);
  const evidence = await page.locator("main").innerText();
  assert.ok(evidence.includes("Families hear about support too late"), "the insight is listed");
  assert.ok(evidence.includes("Grandparents as main childcare (demo)"), "the signal is listed");
  assert.doesNotMatch(evidence, /No citizen evidence/);
  assert.match(evidence, /People heard\s+[1-9]\d* (person|people)/);

  // Unlink the signal again from its list.
  const unlink = page.getByRole("button", { name: "Unlink the signal Grandparents as main childcare (demo)" });
  await clickAndWait(page, unlink);
  assert.equal(await unlink.count(), 0, "the signal is no longer linked");

  // Who shaped it: a count refused, then recorded.
  await page.getByLabel("Kind of people").selectOption({ label: "Parents" });
  await page.getByLabel("How many").fill("many");
  await clickAndWait(page, page.getByRole("button", { name: "Record" }), { status: 422 });
  await checkPage(page);
  await page.getByLabel("Kind of people").selectOption({ label: "Parents" });
  await page.getByLabel("How many").fill("7");
  await page.getByLabel("Where (optional)").selectOption({ label: "Listening event with parents" });
  await clickAndWait(page, page.getByRole("button", { name: "Record" }));
  assert.match(await page.locator("#shapers ~ p").first().innerText(), /7 people, 7 of them/);

  // Edit it into version 2 and see the difference.
  await clickAndWait(page, page.getByRole("link", { name: "Edit the proposition" }));
  await checkPage(page);
  await page.getByLabel("The change it proposes").fill("Run stay and play sessions on three evenings a week at the family hub and the library.");
  await page.getByLabel("What you changed (optional)").fill("After the parents' evening");
  await clickAndWait(page, page.getByRole("button", { name: "Save new version" }));
  await checkPage(page);
  await clickAndWait(page, page.getByRole("link", { name: /2 versions/ }));
  await checkPage(page);
  assert.match(await page.locator("del").first().innerText(), /two/);
  assert.match(await page.locator("ins").first().innerText(), /three/);

  // Open it for deliberation; the facilitator is not offered decisions.
  await page.goto(proposition);
  assert.equal(await page.getByLabel("Recommended").count(), 0);
  await page.getByLabel("Open for deliberation").check();
  await page.getByLabel("Why (optional)").fill("For the next Deliberation Day");
  await clickAndWait(page, page.getByRole("button", { name: "Change status" }));
  await checkPage(page);
  assert.match(await page.locator("#history ~ table").innerText(), /Draft to Open for deliberation/);

  // The split and merge pages pass axe too.
  await page.goto(`${proposition}/split`);
  await checkPage(page);
  await page.goto(`${PROGRAMME}/propositions/merge`);
  await checkPage(page);

  // A commissioner recommends it.
  const commissioner = await newPage(browser);
  await signIn(commissioner, demoEmail("commissioner"));
  await commissioner.goto(proposition);
  await commissioner.getByLabel("Recommended").check();
  await clickAndWait(commissioner, commissioner.getByRole("button", { name: "Change status" }));
  await checkPage(commissioner);
  assert.match(await commissioner.locator("#history ~ table").innerText(), /Open for deliberation to Recommended/);
});
