// Sources in a real browser: a researcher types a story (first getting it wrong), reads the
// original, hides a name the detector missed; a commissioner finds the story by search and reads
// it redacted. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const SOURCES = "/programmes/dementia/sources";
// A word no other source holds, so the test finds only its own story however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
// Synthetic: an Ofcom drama number and a made-up place.
const STORY = `We waited eleven weeks for the memory clinic (${MARKER}). Ring me on 07700 900314.
The lunch club at Quarrybank kept us going.`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a researcher adds a story, reviews its redaction, and a commissioner finds it redacted", async () => {
  const researcher = await newPage(browser);
  await signIn(researcher, demoEmail("researcher"));
  await researcher.goto(SOURCES);
  await checkPage(researcher);
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Add a source" }));
  await checkPage(researcher);

  // Saving without text shows the error beside the field.
  await researcher.getByLabel("Story", { exact: true }).check();
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Save source" }), { status: 422 });
  await checkPage(researcher);
  assert.match(await researcher.locator(".govuk-error-summary").innerText(), /Enter the text of the source/);

  await researcher.getByLabel("Title (optional)").fill("Waiting for the memory clinic (browser test)");
  await researcher.getByLabel("Text", { exact: true }).fill(STORY);
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Save source" }));
  await checkPage(researcher);
  const sourcePath = pathOf(researcher);
  assert.match(sourcePath, /^\/programmes\/dementia\/sources\/\d+$/);
  const text = await researcher.locator(".heard-source-text").innerText();
  assert.match(text, /Ring me on \[PHONE-1\]/);
  assert.doesNotMatch(text, /900314/);

  await clickAndWait(researcher, researcher.getByRole("link", { name: "Read the original and review what was hidden" }));
  await checkPage(researcher);
  assert.match(await researcher.locator(".heard-source-text").innerText(), /07700 900314/);
  await researcher.getByLabel("Words to hide").fill("Quarrybank");
  await researcher.getByLabel("Street address").check();
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Hide it" }));
  await checkPage(researcher);
  assert.match(await researcher.locator(".govuk-notification-banner").innerText(), /Hidden in 1 place/);
  await researcher.context().close();

  const commissioner = await newPage(browser);
  await signIn(commissioner, demoEmail("commissioner"));
  await clickAndWait(commissioner, commissioner.getByRole("link", { name: "Search", exact: true }));
  await checkPage(commissioner);
  await commissioner.getByLabel("Words to find").fill(`"memory clinic" eleven ${MARKER}`);
  await clickAndWait(commissioner, commissioner.getByRole("button", { name: "Search", exact: true }));
  await checkPage(commissioner);
  assert.match(await commissioner.locator("#results").innerText(), /^1 source found/);
  const marked = (await commissioner.locator("mark").allInnerTexts()).map((t) => t.toLowerCase());
  for (const word of ["memory clinic", "eleven", MARKER]) assert.ok(marked.includes(word), `${word} is marked: ${marked}`);
  await clickAndWait(commissioner, commissioner.getByRole("link", { name: "Waiting for the memory clinic (browser test)" }));
  assert.equal(pathOf(commissioner), sourcePath);
  await checkPage(commissioner);
  const redacted = await commissioner.locator(".heard-source-text").innerText();
  assert.match(redacted, /lunch club at \[ADDRESS-1\]/);
  assert.doesNotMatch(redacted, /Quarrybank|900314/);
  assert.equal(await commissioner.getByRole("link", { name: /Read the original/ }).count(), 0);

  // Hidden words are not found.
  await commissioner.goto("/search");
  await commissioner.getByLabel("Words to find").fill(`Quarrybank ${MARKER}`);
  await clickAndWait(commissioner, commissioner.getByRole("button", { name: "Search", exact: true }));
  assert.match(await commissioner.locator("#results").innerText(), /^0 sources found/);
  await checkPage(commissioner);
  await commissioner.context().close();
});
