// A small live Deliberation Day in real browsers: the demo facilitator sets one up with eight
// statements through the setup pages, opens it and puts the projector up; two attendees, each in
// a browser context of their own (no account), join with the code, declare who they are and vote
// on every statement. The projector's counts follow through server-sent events without a reload,
// and the projector and results pages pass axe before and after.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/early-years";
// A word no other deliberation holds, so the test finds only its own however often it runs.
const MARKER = `live${Date.now().toString(36)}`;
const STATEMENTS = [
  "Short breaks for parents should come first",
  "Children's centres should open at weekends",
  "Families should be able to refer themselves",
  "Health visitors should visit at home",
  "Support should follow the family when they move",
  "Waiting times should be published",
  "Every family should have one named contact",
  "Groups should meet in the evening too",
].map((s) => `${s} (${MARKER})`);

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The projector's vote count as shown now. */
const votesShown = (projector) => projector.locator('[data-count="votes"]').innerText();

/** An attendee joins with `code` on a fresh "phone", declares `kind`, and agrees or disagrees with every statement. */
async function attend(code, kind, stanceFor) {
  const phone = await newPage(browser);
  await phone.setViewportSize({ width: 360, height: 740 });
  await phone.goto("/join");
  await checkPage(phone);
  await phone.getByLabel("Code").fill(code);
  await clickAndWait(phone, phone.getByRole("button", { name: "Join" }));
  await checkPage(phone);
  await phone.getByLabel(kind, { exact: true }).check();
  await clickAndWait(phone, phone.getByRole("button", { name: "Join and start voting" }));
  for (let i = 0; i < STATEMENTS.length; i += 1) {
    if (i === 0) await checkPage(phone);
    const statement = (await phone.locator("legend").innerText()).trim();
    await clickAndWait(phone, phone.getByRole("button", { name: stanceFor(statement), exact: true }));
  }
  assert.match(await phone.locator("h1").innerText(), /voted on every statement/);
  await checkPage(phone);
  await phone.goto(`/d/${code.replace("-", "")}/votes`);
  await checkPage(phone);
  await phone.context().close();
}

test("a facilitator runs a small live session: two phones vote and the projector follows", async () => {
  const facilitator = await newPage(browser);
  await signIn(facilitator, demoEmail("facilitator"));
  await facilitator.goto(`${PROGRAMME}/deliberations`);
  await clickAndWait(facilitator, facilitator.getByRole("button", { name: "Set up a Deliberation Day" }));
  await facilitator.getByLabel("Title", { exact: true }).fill(`Live test day (${MARKER})`);
  await facilitator.getByLabel("Day").fill("14");
  await facilitator.getByLabel("Month").fill("3");
  await facilitator.getByLabel("Year").fill("2027");
  await facilitator.getByLabel("No prioritisation").check();
  await clickAndWait(facilitator, facilitator.getByRole("button", { name: "Set up", exact: true }));
  assert.match(pathOf(facilitator), /^\/programmes\/early-years\/deliberations\/\d+$/);
  const dayPath = pathOf(facilitator);
  for (const statement of STATEMENTS) {
    await facilitator.getByLabel("Statement", { exact: true }).fill(statement);
    await clickAndWait(facilitator, facilitator.getByRole("button", { name: "Add statement" }));
  }
  await clickAndWait(facilitator, facilitator.getByRole("button", { name: "Open for attendees" }));
  const code = (await facilitator.locator("#join-code").innerText()).trim();
  assert.match(code, /^[0-9A-Z]{3}-[0-9A-Z]{3}$/);

  // The projector, from the deliberation's page, in the facilitator's browser.
  await clickAndWait(facilitator, facilitator.getByRole("link", { name: /^Projector view/ }));
  assert.equal(pathOf(facilitator), `${dayPath}/projector`);
  const projector = facilitator;
  assert.equal((await projector.locator("#projector-code").innerText()).trim(), code);
  assert.match(await projector.locator(".heard-projector__qr").getAttribute("aria-label"), new RegExp(`/d/${code.replace("-", "")}$`));
  assert.equal(await votesShown(projector), "0");
  await checkPage(projector);
  // Live once the stream is open; a mark on the window shows later that it never reloaded.
  await projector.locator("#projector-live").waitFor({ state: "visible" });
  await projector.evaluate(() => {
    window.heardNotReloaded = true;
  });

  // Two phones: a parent who agrees with the first half and a practitioner who agrees with the second.
  const firstHalf = new Set(STATEMENTS.slice(0, 4));
  await attend(code, "Service user", (s) => (firstHalf.has(s) ? "Agree" : "Disagree"));
  await projector.waitForFunction(() => document.querySelector('[data-count="votes"]')?.textContent.trim() === "8");
  await attend(code, "Practitioner", (s) => (firstHalf.has(s) ? "Disagree" : "Agree"));
  await projector.waitForFunction(() => document.querySelector('[data-count="votes"]')?.textContent.trim() === "16");
  assert.equal(await projector.evaluate(() => window.heardNotReloaded), true, "updated without a reload");
  assert.match(await projector.locator("#projector-counts").innerText(), /Service user: 1/);
  assert.match(await projector.locator("#projector-counts").innerText(), /Practitioner: 1/);
  // The analysis follows within seconds: both attendees are counted in.
  await projector.waitForFunction(
    () => !/\(0 counted so far\)/.test(document.getElementById("projector-map")?.textContent ?? ""),
    null,
    { timeout: 15_000 },
  );
  await checkPage(projector);

  // The results page, with the statements' counts.
  // Straight after the last vote: the page waits for an analysis that counts it.
  await facilitator.goto(`${dayPath}/results`);
  await checkPage(facilitator);
  assert.match(await facilitator.locator("[data-figure=votes]").innerText(), /^16$/);
  const rows = await facilitator.locator("#statements-table tbody tr").count();
  assert.equal(rows, STATEMENTS.length);
});
