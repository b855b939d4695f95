// A participant's data protection in a real browser: a researcher registers a participant with
// consent to research and a story they are heard in, exports everything held about them for a
// subject access request, then records their withdrawal (first without a date, which is asked
// for) and sees what was erased as counts; the story is gone. A commissioner has no export button.
// Every page is checked with axe.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/dementia";
// Letters only, unique per run, so the test finds only its own participant however often it runs.
const MARKER = `Zq${Date.now().toString(36).replace(/[0-9]/g, (d) => "abcdefghij"[d])}`;
const PSEUDONYM = `Carer ${MARKER}`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Fills the GOV.UK date input whose legend is `legend`. */
async function fillDate(page, legend, [day, month, year]) {
  const date = page.getByRole("group", { name: legend });
  await date.getByLabel("Day").fill(String(day));
  await date.getByLabel("Month").fill(String(month));
  await date.getByLabel("Year").fill(String(year));
}

const now = new Date();
const TODAY = [now.getUTCDate(), now.getUTCMonth() + 1, now.getUTCFullYear()];

test("a researcher exports what is held about a participant, records their withdrawal, and sees what was erased", async () => {
  const researcher = await newPage(browser);
  await signIn(researcher, demoEmail("researcher"));
  await researcher.goto(`${PROGRAMME}/participants`);
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Register a participant" }));
  await researcher.getByLabel("Pseudonym").fill(PSEUDONYM);
  await researcher.getByLabel("Carer", { exact: true }).check();
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Save participant" }));
  const participantPath = pathOf(researcher);
  assert.match(participantPath, /^\/programmes\/dementia\/participants\/\d+$/);
  await researcher.getByLabel("Take part in research").check();
  await fillDate(researcher, "When was consent given?", TODAY);
  await researcher.getByLabel("In writing").check();
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Record consent" }));
  await checkPage(researcher);

  // A story they are heard in, added through the API with a token the researcher makes on their
  // account page (the "Add a source" form offers no participants to tick: see the report).
  await researcher.goto("/account");
  await researcher.getByLabel("Name for a new API token").fill(`erasure test ${MARKER}`);
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Create API token" }));
  await checkPage(researcher);
  const token = (await researcher.locator("code.heard-token").innerText()).trim();
  const id = Number(participantPath.split("/").pop());
  const added = await researcher.request.post(`/api/v1${PROGRAMME}/sources`, {
    headers: { authorization: `Bearer ${token}` },
    data: {
      kind: "story",
      title: `Respite that came too late (${MARKER})`,
      text: `The respite place came after the crisis, not before (${MARKER}).`,
      participant_ids: [id],
    },
  });
  assert.equal(added.status(), 201, await added.text());
  const sourcePath = `${PROGRAMME}/sources/${(await added.json()).id}`;
  await researcher.goto(sourcePath);
  await checkPage(researcher);
  assert.match(await researcher.locator("main").innerText(), new RegExp(PSEUDONYM), "the source names who is heard");

  // Subject access: one zip with the data and a readable page.
  await researcher.goto(participantPath);
  await checkPage(researcher);
  assert.equal(await researcher.getByRole("heading", { name: "Erasures" }).count(), 0, "nothing erased yet");
  const [download] = await Promise.all([
    researcher.waitForEvent("download"),
    researcher.getByRole("button", { name: "Export everything held" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `subject-access-participant-${id}.zip`);
  const zip = await readFile(await download.path());
  assert.equal(zip.subarray(0, 4).toString("latin1"), "PK\u0003\u0004", "a zip file");
  for (const name of ["subject-access.json", "subject-access.html"]) {
    assert.ok(zip.includes(Buffer.from(name)), `the zip holds ${name}`);
  }

  // Withdrawal: the warning says what goes; the date is asked for by name.
  await clickAndWait(researcher, researcher.getByRole("link", { name: "Withdraw consent to take part in research" }));
  await checkPage(researcher);
  assert.match(await researcher.locator(".govuk-warning-text").innerText(), /Everything they gave is erased at once/);
  await fillDate(researcher, "When was consent withdrawn?", ["", "", ""]);
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Withdraw consent" }), { status: 422 });
  await checkPage(researcher);
  assert.equal(await researcher.locator(".govuk-error-summary a").first().getAttribute("href"), "#withdrawn_on");
  await fillDate(researcher, "When was consent withdrawn?", TODAY);
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Withdraw consent" }));
  assert.equal(pathOf(researcher), participantPath);
  await checkPage(researcher);
  assert.match(await researcher.locator(".govuk-notification-banner").innerText(), /Consent withdrawn: Take part in research/);
  const erasures = researcher.locator("table", { has: researcher.locator("caption", { hasText: "What each withdrawal erased" }) });
  const row = await erasures.locator("tbody tr").first().locator("td").allInnerTexts();
  assert.match(row[1], /Consent to “take part in research” withdrawn/);
  assert.match(row[2], /^1 source, 0 excerpts, 0 codings, 0 quotes, 0 recordings$/);
  assert.match(await researcher.locator("main").innerText(), /Withdrawn/);

  // The story is gone: not found, and not in the programme's list.
  const gone = await researcher.goto(sourcePath);
  assert.equal(gone.status(), 404);
  await checkPage(researcher);
  await researcher.goto(`${PROGRAMME}/sources`);
  assert.doesNotMatch(await researcher.locator("main").innerText(), new RegExp(MARKER));
  await researcher.context().close();

  // A commissioner reads the participant and what was erased, but cannot export them.
  const commissioner = await newPage(browser);
  await signIn(commissioner, demoEmail("commissioner"));
  await commissioner.goto(participantPath);
  await checkPage(commissioner);
  assert.equal(await commissioner.getByRole("heading", { name: "Subject access" }).count(), 0);
  assert.equal(await commissioner.getByRole("button", { name: "Export everything held" }).count(), 0);
  assert.equal(await commissioner.getByRole("heading", { name: "Erasures" }).count(), 1);
  await commissioner.context().close();
});
