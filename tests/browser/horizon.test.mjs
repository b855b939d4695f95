// Horizon scanning in a real browser: a researcher adds a signal (first with errors), scores it
// again, finds it moved on the radar (an SVG link naming its movement) and opens it from there,
// opens the matrix, and downloads the signals as CSV; then changes a signal's title (first with
// an error), unlinks it from its programme, sees a programme's drivers and deletes the signal.
// Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

// A word no other signal holds, so the test finds only its own however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
const TITLE = `Sensors at home for people with dementia (${MARKER})`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a researcher adds a signal, scores it again, sees it move on the radar, opens the matrix and downloads CSV", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("researcher"));
  await page.goto("/");
  await clickAndWait(page, page.getByRole("link", { name: "Signals", exact: true }));
  assert.equal(pathOf(page), "/signals");
  await checkPage(page);

  await clickAndWait(page, page.getByRole("link", { name: "Add a signal" }));
  await checkPage(page);
  // Without a title, summary, category or horizon, the form comes back with its errors.
  await clickAndWait(page, page.getByRole("button", { name: "Add signal" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /title/i);

  await page.getByLabel("Title").fill(TITLE);
  await page.getByLabel("Summary").fill("Families buy sensors to watch over a relative living alone.");
  await page.getByRole("group", { name: "Main category" }).getByLabel("Technological").check();
  await page.getByLabel("Programme (optional)", { exact: true }).selectOption("dementia");
  await page.getByRole("group", { name: "Horizon" }).getByLabel("H3: 5 years or more").check();
  await clickAndWait(page, page.getByRole("button", { name: "Add signal" }));
  assert.match(pathOf(page), /^\/signals\/\d+$/);
  const signalPath = pathOf(page);
  await checkPage(page);
  assert.equal(await page.locator("h1").innerText(), TITLE);

  // Scored again: nearer, with more impact. The first scoring stays in the history.
  await page.getByRole("group", { name: "Horizon" }).getByLabel("H1: 0 to 2 years").check();
  await page.getByRole("group", { name: /^Impact/ }).getByLabel("5").check();
  await page.getByLabel("What changed (optional)").fill("Now sold in high-street shops");
  await clickAndWait(page, page.getByRole("button", { name: "Save scores" }));
  await checkPage(page);
  assert.match(await page.locator("#history caption").innerText(), /Scored 2 times/);

  await page.goto("/signals/radar?programme=dementia");
  await checkPage(page);
  const marker = page.locator(`svg[data-picture="radar"] a[href="${signalPath}"]`);
  assert.equal(await marker.count(), 1, "the signal is a link on the radar");
  assert.equal(await marker.getAttribute("data-movement"), "in");
  assert.match(await marker.getAttribute("aria-label"), /moved in from H3/);
  assert.match(await page.locator("#radar-list").innerText(), new RegExp(`${MARKER}.*moved in from H3`));
  await clickAndWait(page, marker);
  assert.equal(pathOf(page), signalPath);

  await page.goto("/signals/matrix?programme=dementia");
  await checkPage(page);
  assert.equal(await page.locator(`svg[data-picture="matrix"] a[href="${signalPath}"]`).count(), 1);
  assert.match(await page.locator("main").innerText(), /Candidates for scenario axes|candidate/i);

  for (const path of ["/signals/review", "/drivers", "/signals/import"]) {
    const response = await page.goto(path);
    assert.equal(response.status(), 200, path);
    await checkPage(page);
  }

  await page.goto("/signals?programme=dementia");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Build Your Own Radar sheet" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "dementia-radar.csv");
  const stream = await download.createReadStream();
  let text = "";
  for await (const chunk of stream) text += chunk;
  assert.match(text, /^name,ring,quadrant,isNew,description/);
  assert.ok(text.includes(MARKER), "the new signal is in the CSV");
  await page.context().close();
});

test("a researcher changes a signal's title, unlinks its programme, sees the programme's drivers and deletes it", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("researcher"));
  const title = `Smart speakers as reminders (${MARKER})`;
  const changed = `Smart speakers as reminders in care homes (${MARKER})`;
  await page.goto("/signals/new");
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Summary").fill("Families set speakers to remind a relative to take medicines.");
  await page.getByRole("group", { name: "Main category" }).getByLabel("Technological").check();
  await page.getByLabel("Programme (optional)", { exact: true }).selectOption("dementia");
  await page.getByRole("group", { name: "Horizon" }).getByLabel("H2: 2 to 5 years").check();
  await clickAndWait(page, page.getByRole("button", { name: "Add signal" }));
  const signalPath = pathOf(page);
  assert.match(signalPath, /^\/signals\/\d+$/);

  await clickAndWait(page, page.getByRole("link", { name: /^Change the signal's details/ }));
  assert.equal(pathOf(page), `${signalPath}/edit`);
  await checkPage(page);
  assert.equal(await page.getByLabel("Title", { exact: true }).inputValue(), title, "the form holds the title");

  // A blank title comes back with its error and the other values as typed.
  await page.getByLabel("Title", { exact: true }).fill("");
  await page.getByLabel("Spotted by (optional)").fill("A researcher (demo)");
  await clickAndWait(page, page.getByRole("button", { name: "Save changes" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /title/i);
  assert.equal(await page.getByLabel("Spotted by (optional)").inputValue(), "A researcher (demo)");

  await page.getByLabel("Title", { exact: true }).fill(changed);
  await clickAndWait(page, page.getByRole("button", { name: "Save changes" }));
  assert.equal(pathOf(page), signalPath);
  await checkPage(page);
  assert.equal(await page.locator("h1").innerText(), changed);
  assert.match(await page.locator("main").innerText(), /by A researcher \(demo\)/);
  assert.match(await page.locator("#history caption").innerText(), /Scored 1 time/, "no new scoring");
  await page.goto("/signals?programme=dementia");
  assert.ok((await page.locator("main").innerText()).includes(changed), "the list shows the new title");
  // The programme's list names its drivers.
  assert.match(await page.locator("#drivers").innerText(), /drivers/);
  await clickAndWait(page, page.getByRole("link", { name: /^Add or change .* drivers$/ }));
  assert.equal(pathOf(page), "/drivers");
  assert.match(page.url(), /[?&]programme=dementia$/, "the programme's drivers");
  await checkPage(page);
  assert.match(await page.locator("h2", { hasText: /^Add a driver to / }).innerText(), /Add a driver to/);

  await page.goto(signalPath);
  await clickAndWait(page, page.locator("#programmes").getByRole("button", { name: /^Unlink from / }));
  await checkPage(page);
  assert.match(await page.locator("main").innerText(), /Not linked to a programme/);

  // Deleting needs the box ticked.
  await clickAndWait(page, page.getByRole("button", { name: "Delete signal" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /Tick the box/);
  await page.getByLabel(/^Delete this signal/).check();
  await clickAndWait(page, page.getByRole("button", { name: "Delete signal" }));
  assert.equal(pathOf(page), "/signals");
  assert.ok(!(await page.locator("main").innerText()).includes(changed), "the signal is gone");
  assert.equal((await page.goto(signalPath)).status(), 404);
  await page.context().close();
});
