// Cause maps in a real browser: a facilitator makes a map, adds factors (one by keyboard alone),
// draws arrows that close a loop, sees the loop detected in the table and highlighted in the
// picture, opens a factor from the picture, and downloads the map as Graphviz DOT and as PNG.
// Every page is checked with axe.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/mental-health";
// A word no other map holds, so the test finds only its own however often it runs.
const MARKER = `run${Date.now().toString(36)}`;
const CENTRAL = `Young people wait for help (${MARKER})`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a facilitator builds a small map, sees its loop and exports it", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("facilitator"));
  await page.goto(PROGRAMME);
  await clickAndWait(page, page.getByRole("link", { name: "Cause maps: why the problem happens" }));
  assert.equal(pathOf(page), `${PROGRAMME}/cause-maps`);
  await checkPage(page);

  // A map with no central event is refused, with the error beside the field.
  await clickAndWait(page, page.getByRole("button", { name: "Make map" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /Enter the central event/);
  await page.getByLabel("Central event", { exact: true }).fill(CENTRAL);
  await clickAndWait(page, page.getByRole("button", { name: "Make map" }));
  assert.match(pathOf(page), /^\/programmes\/mental-health\/cause-maps\/\d+$/);
  const mapPath = pathOf(page);
  await checkPage(page);

  // A factor added by keyboard alone: type it, choose what it leads to, press Enter.
  await page.getByLabel("Factor", { exact: true }).focus();
  await page.keyboard.type("Problems grow while waiting");
  await page.getByLabel("It contributes to (optional)").selectOption({ label: CENTRAL });
  await page.getByLabel("Factor", { exact: true }).focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  await checkPage(page);
  assert.match(await page.locator(".govuk-notification-banner").innerText(), /Factor “Problems grow while waiting” added/);

  await page.getByLabel("Factor", { exact: true }).fill("Referrals rise");
  await page.getByLabel("It contributes to (optional)").selectOption({ label: CENTRAL });
  await clickAndWait(page, page.getByRole("button", { name: "Add factor" }));

  // Close the loop: the central event makes problems grow, which raise referrals.
  for (const [from, to] of [
    [CENTRAL, "Problems grow while waiting"],
    ["Problems grow while waiting", "Referrals rise"],
  ]) {
    await page.getByLabel("From this factor").selectOption({ label: from });
    await page.getByLabel("It contributes to", { exact: true }).selectOption({ label: to });
    await clickAndWait(page, page.getByRole("button", { name: "Draw arrow" }));
    await checkPage(page);
  }
  // Drawing the same arrow twice is refused with a reason.
  await page.getByLabel("From this factor").selectOption({ label: "Referrals rise" });
  await page.getByLabel("It contributes to", { exact: true }).selectOption({ label: CENTRAL });
  await clickAndWait(page, page.getByRole("button", { name: "Draw arrow" }), { status: 422 });
  await checkPage(page);
  assert.match(await page.locator(".govuk-error-summary").innerText(), /already an arrow/);

  // The loops are detected and listed, shortest first.
  await page.goto(mapPath);
  const loops = await page.locator("#loops-list + p + ol li").allInnerTexts();
  assert.equal(loops.length, 2, `two loops: ${loops.join(" | ")}`);
  assert.ok(loops[0].includes(CENTRAL) && loops[0].includes("Problems grow while waiting"), loops[0]);
  assert.ok(loops[1].includes("Referrals rise"), loops[1]);

  // Highlighting loops marks the picture; each factor in it is a link to its page.
  await page.getByLabel("Loops (vicious circles)").check();
  await clickAndWait(page, page.getByRole("button", { name: "Show" }));
  await checkPage(page);
  const picture = page.locator(".heard-picture svg");
  assert.equal(await picture.count(), 1, "the map is drawn inline");
  const highlighted = await picture.innerHTML();
  await page.goto(mapPath);
  const unhighlighted = await page.locator(".heard-picture svg").innerHTML();
  assert.notEqual(highlighted, unhighlighted, "the loop highlight changes the picture");
  const factorLink = page.locator(".heard-picture svg a", { hasText: "Referrals rise" });
  assert.equal(await factorLink.count(), 1, "the factor is a link in the picture");
  await clickAndWait(page, factorLink);
  assert.match(pathOf(page), /\/factors\/\d+$/);
  await checkPage(page);
  assert.equal(await page.locator("h1").innerText(), "Referrals rise");
  assert.match(await page.locator("main").innerText(), /No evidence linked yet/);

  // Downloads: DOT with the map's factors and arrows, and a PNG.
  await page.goto(mapPath);
  const [dot] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download as Graphviz DOT" }).click(),
  ]);
  const text = await readFile(await dot.path(), "utf8");
  assert.match(text, /^digraph/);
  assert.ok(text.includes("Referrals rise") && text.includes(CENTRAL), "the DOT holds the factors");
  assert.ok((text.match(/->/g) ?? []).length >= 4, "and the arrows");
  const [png] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: /Download the picture as PNG/ }).click(),
  ]);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
  await page.context().close();
});
