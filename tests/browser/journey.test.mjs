// A commissioner's day in a real browser: sign in, move a stage of Early Years forward,
// record an activity (first getting it wrong), sign out. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/early-years";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The stages in the programme page's task list: link, name and status text. */
async function stages(page) {
  const items = page.locator(".govuk-task-list__item");
  const found = [];
  for (const item of await items.all()) {
    const link = item.locator('a[href*="/stages/"]');
    if ((await link.count()) !== 1) continue;
    found.push({
      href: await link.getAttribute("href"),
      name: (await link.innerText()).trim(),
      status: (await item.locator(".govuk-task-list__status").innerText()).trim(),
    });
  }
  return found;
}

test("a commissioner moves a stage forward, records an activity and signs out", async () => {
  const page = await newPage(browser);

  await signIn(page, demoEmail("commissioner"));
  await checkPage(page);
  assert.equal(await page.locator("h1").innerText(), "Programmes");

  await clickAndWait(page, page.getByRole("link", { name: "Early Years" }));
  assert.equal(pathOf(page), PROGRAMME);
  await checkPage(page);

  // A stage that can still move: not started or in progress.
  const before = await stages(page);
  assert.ok(before.length > 0, "the programme page lists the journey's stages in a task list");
  const stage = before.find((s) => /not started|in progress/i.test(s.status));
  assert.ok(stage, `some stage can move forward: ${JSON.stringify(before)}`);

  await clickAndWait(page, page.getByRole("link", { name: stage.name, exact: true }));
  assert.equal(pathOf(page), stage.href);
  await checkPage(page);
  await clickAndWait(page, page.getByRole("button", { name: "Move stage forward" }));
  await checkPage(page);

  await page.goto(PROGRAMME);
  await checkPage(page);
  const moved = (await stages(page)).find((s) => s.href === stage.href);
  assert.ok(moved, `${stage.name} is still listed`);
  assert.notEqual(moved.status, stage.status, `${stage.name} moved on from "${stage.status}"`);

  // Recording an activity: first with nothing filled in.
  // A link styled as a button may carry role="button"; either way it must have this name.
  const record = { name: "Record an activity", exact: true };
  await clickAndWait(page, page.getByRole("link", record).or(page.getByRole("button", record)));
  assert.equal(pathOf(page), `${PROGRAMME}/activities/new`);
  await checkPage(page);

  // GOV.UK pattern: the form comes back with its errors; 422 says so to machines too.
  await clickAndWait(page, page.getByRole("button", { name: "Save activity" }), { status: [200, 422] });
  const summary = page.locator(".govuk-error-summary");
  await summary.getByText("There is a problem").waitFor();
  // govuk-frontend's ErrorSummary moves focus to the summary, so screen readers announce it.
  await page.waitForFunction(() => document.activeElement?.classList.contains("govuk-error-summary"), null, {
    timeout: 5000,
  });
  const targets = await summary.locator(".govuk-error-summary__list a").evaluateAll((links) =>
    links.map((a) => ({ href: a.getAttribute("href"), exists: !!document.getElementById(a.hash.slice(1)) })),
  );
  assert.ok(targets.length > 0, "the error summary links to the fields to fix");
  for (const target of targets) assert.ok(target.exists, `error summary link ${target.href} points at a field`);
  await checkPage(page);

  // Then properly.
  const title = `Browser test workshop ${Date.now()}`;
  const today = new Date();
  const workshop = page.getByRole("radio", { name: "Workshop" });
  await ((await workshop.count()) === 1 ? workshop : page.getByRole("radio").first()).check();
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Day", { exact: true }).fill(String(today.getDate()));
  await page.getByLabel("Month", { exact: true }).fill(String(today.getMonth() + 1));
  await page.getByLabel("Year", { exact: true }).fill(String(today.getFullYear()));
  await page.getByLabel("Place", { exact: true }).fill("Children's centre, Market Street");
  await page.getByLabel("Facilitator", { exact: true }).fill("Sam Okafor");
  // Three professionals, counted once by sector and once by kind.
  await page.getByLabel("Health", { exact: true }).fill("2");
  await page.getByLabel("Social care", { exact: true }).fill("1");
  await page.getByLabel("Professionals", { exact: true }).fill("3");
  // 422 is let through here so that the check below can say what the form objected to.
  await clickAndWait(page, page.getByRole("button", { name: "Save activity" }), { status: [200, 422] });

  const problems = await page.locator(".govuk-error-summary").allInnerTexts();
  assert.deepEqual(problems, [], "the filled-in activity form is accepted");
  await page.locator(".govuk-notification-banner").getByText("Activity recorded").waitFor();
  await checkPage(page);
  if (pathOf(page) !== PROGRAMME) {
    await page.goto(PROGRAMME);
    await checkPage(page);
  }
  await page.getByText(title).first().waitFor();

  await clickAndWait(page, page.getByRole("button", { name: "Sign out" }));
  assert.equal(pathOf(page), "/sign-in", "signing out leads back to the sign-in page");
  await checkPage(page);
  await page.goto("/");
  assert.equal(pathOf(page), "/sign-in", "after signing out, the dashboard asks for sign-in again");

  await page.context().close();
});
