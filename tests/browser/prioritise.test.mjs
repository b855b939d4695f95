// Prioritising the propositions and the questionnaire before and after, on phones, in real browsers.
// The demo facilitator sets up two Deliberation Days in Early Years through the setup pages: one with
// pairwise choices over three of the demo's propositions and a questionnaire of two questions, one
// with dot votes. Three attendees each join on a phone of their own (360x740, a browser context
// each, no account), answer the questions before, vote, choose in every pair or place their dots,
// and answer the questions again after; one of them has JavaScript turned off throughout. Every
// attendee page type passes axe and fits the phone's width. The facilitator's results page then
// shows what they did: wins and losses counted from the choices made, the proposition chosen in
// every pair first, the dots as placed, and each question's means and shift from the answers given.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { baseURL, checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

const PROGRAMME = "/programmes/early-years";
// A word no other deliberation holds, so the test finds only its own however often it runs.
const MARKER = `prio${Date.now().toString(36)}`;
const STATEMENTS = [
  "Short breaks for parents should come first",
  "Families should be able to refer themselves",
  "Every family should have one named contact",
].map((s) => `${s} (${MARKER})`);
const QUESTIONS = ["I know where to find support for my family", "Services listen to what parents say"];
// The five-point scale as attendees see it, 1 to 5.
const SCALE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"];
const PHONE = { width: 360, height: 740 };

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A phone: a fresh context at 360x740, with JavaScript (and axe) or without. */
async function phone({ javaScript = true } = {}) {
  if (javaScript) {
    const page = await newPage(browser);
    await page.setViewportSize(PHONE);
    return page;
  }
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false, viewport: PHONE });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.noScript = true;
  return page;
}

/** An attendee page as it must be on a phone: accessible, one h1, no wider than the screen. */
async function checkPhone(page) {
  if (page.noScript) {
    // Scripts really are off: the first one of every page would have marked the body.
    assert.doesNotMatch(await page.locator("body").getAttribute("class"), /js-enabled/);
  } else {
    await checkPage(page);
  }
  const [wide, screen] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(wide <= screen, `${page.url()} is ${wide}px wide on a ${screen}px phone`);
}

/** The demo facilitator sets up a day: `prioritisation` of three propositions, `questions`, the statements; opens it. */
async function setUp(facilitator, title, prioritisation, { dots, questions = [] } = {}) {
  await facilitator.goto(`${PROGRAMME}/deliberations`);
  await clickAndWait(facilitator, facilitator.getByRole("button", { name: "Set up a Deliberation Day" }));
  await facilitator.getByLabel("Title", { exact: true }).fill(title);
  await facilitator.getByLabel("Day").fill("21");
  await facilitator.getByLabel("Month").fill("4");
  await facilitator.getByLabel("Year").fill("2027");
  await facilitator.getByRole("radio", { name: prioritisation }).check();
  if (dots) await facilitator.getByLabel("Dots each attendee has (for dot votes)").fill(String(dots));
  const boxes = facilitator.locator("input[name=propositions]");
  assert.ok((await boxes.count()) >= 3, "the demo programme has at least three propositions");
  const propositions = [];
  for (let i = 0; i < 3; i += 1) {
    const box = boxes.nth(i);
    await box.check();
    const id = await box.getAttribute("id");
    propositions.push((await facilitator.locator(`label[for="${id}"]`).innerText()).trim());
  }
  assert.equal(new Set(propositions).size, 3, "three propositions with titles of their own");
  if (questions.length) {
    await facilitator.getByLabel("Questionnaire before and after (optional)").fill(questions.join("\n"));
  }
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
  return { dayPath, code, propositions };
}

/** Joins with `code` on `page`, declaring `kind`; lands on the questions before, or on voting. */
async function join(page, code, kind) {
  await page.goto("/join");
  await checkPhone(page);
  await page.getByLabel("Code").fill(code);
  await clickAndWait(page, page.getByRole("button", { name: "Join" }));
  await checkPhone(page);
  await page.getByLabel(kind, { exact: true }).check();
  await clickAndWait(page, page.getByRole("button", { name: "Join and start voting" }));
}

/** Answers each question with its point on the scale (1 to 5) and saves. */
async function answer(page, answers) {
  for (const [i, question] of QUESTIONS.entries()) {
    await page.getByRole("group", { name: question }).getByLabel(SCALE[answers[i] - 1], { exact: true }).check();
  }
  await clickAndWait(page, page.getByRole("button", { name: "Save my answers" }));
}

/** Agrees with every statement, from the voting page. */
async function voteOnEvery(page) {
  for (let i = 0; i < STATEMENTS.length; i += 1) {
    assert.equal(await page.locator("h1").innerText(), "Do you agree?");
    if (i === 0) await checkPhone(page);
    await clickAndWait(page, page.getByRole("button", { name: "Agree", exact: true }));
  }
  assert.match(await page.locator("h1").innerText(), /voted on every statement/);
}

/** The cells of the row of table `table` whose first cell is `first`. */
async function row(table, first) {
  const rows = table.locator("tbody tr");
  for (let i = 0; i < (await rows.count()); i += 1) {
    const cells = (await rows.nth(i).locator("th, td").allInnerTexts()).map((c) => c.trim());
    if (cells[0] === first || cells[1] === first) return cells;
  }
  assert.fail(`no row for ${first} in ${await table.locator("caption").innerText()}`);
}

/** Loads the results page until `ready` holds (the live analysis follows within seconds). */
async function results(facilitator, dayPath, ready) {
  for (let tries = 0; tries < 15; tries += 1) {
    await facilitator.goto(`${dayPath}/results`);
    if (await ready()) return;
    await facilitator.waitForTimeout(1000);
  }
  assert.fail(`the results at ${dayPath}/results never caught up with what the attendees did`);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const near = (shown, expected, what) =>
  assert.ok(
    Math.abs(Number.parseFloat(shown) - expected) < 0.006,
    `${what}: shown ${shown}, expected ${expected.toFixed(2)}`,
  );

test("phones choose in pairs and answer the questions before and after; the results follow", async () => {
  const facilitator = await newPage(browser);
  await signIn(facilitator, demoEmail("facilitator"));
  const title = `Pairs and questions (${MARKER})`;
  const pairwise = "Pairwise choices: which of two matters more";
  const { dayPath, code, propositions } = await setUp(facilitator, title, pairwise, { questions: QUESTIONS });
  const [favourite] = propositions;

  // Each attendee: a kind, answers before and after (1 to 5 per question), and in the pair that
  // leaves the favourite out, which of the two others they pick ("skip" for "I can't decide").
  const attendees = [
    { kind: "Service user", before: [2, 4], after: [4, 3], other: propositions[1] },
    { kind: "Carer", before: [1, 5], after: [3, 5], other: propositions[2] },
    { kind: "Practitioner", before: [3, 2], after: [3, 2], other: "skip", javaScript: false },
  ];
  const wins = new Map(propositions.map((p) => [p, 0]));
  const losses = new Map(propositions.map((p) => [p, 0]));

  for (const attendee of attendees) {
    const page = await phone(attendee);
    await join(page, code, attendee.kind);
    // The questions come first.
    assert.equal(pathOf(page), `/d/${code.replace("-", "")}/before`);
    assert.equal(await page.locator("h1").innerText(), "Before you vote");
    await checkPhone(page);
    // Sending with nothing chosen is refused, naming every question.
    await clickAndWait(page, page.getByRole("button", { name: "Save my answers" }), { status: 422 });
    assert.equal(await page.locator(".govuk-error-summary li").count(), QUESTIONS.length);
    await checkPhone(page);
    await answer(page, attendee.before);
    assert.equal(pathOf(page), `/d/${code.replace("-", "")}/vote`);
    await voteOnEvery(page);

    // Every pair of the three, once each.
    await clickAndWait(page, page.getByRole("link", { name: "Choose which propositions matter more" }));
    assert.equal(await page.locator("h1").innerText(), "Which of these two matters more?");
    await checkPhone(page);
    const seen = new Set();
    for (let made = 0; made < 3; made += 1) {
      assert.match(await page.locator("main").innerText(), new RegExp(`You have made ${made} choices?\\.`));
      const pair = (await page.locator("form .govuk-inset-text h2").allInnerTexts()).map((t) => t.trim());
      assert.equal(pair.length, 2);
      const key = [...pair].sort().join(" | ");
      assert.ok(!seen.has(key), `the pair ${key} came again before every pair was seen`);
      seen.add(key);
      const pick = pair.includes(favourite) ? favourite : attendee.other;
      if (pick === "skip") {
        await clickAndWait(page, page.getByRole("button", { name: "I can't decide" }));
      } else {
        // Named for screen readers by its proposition ("This matters more: ..."), in a hidden span.
        const name = new RegExp(`^This matters more\\s*:\\s*${pick.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
        await clickAndWait(page, page.getByRole("button", { name }));
        wins.set(pick, wins.get(pick) + 1);
        const other = pair.find((p) => p !== pick);
        losses.set(other, losses.get(other) + 1);
      }
      assert.equal(pathOf(page), `/d/${code.replace("-", "")}/pairs`);
    }
    assert.match(await page.locator("main").innerText(), /You have made 3 choices\. You have seen every pair/);
    await checkPhone(page);

    // The same questions again, from the link on every page.
    await clickAndWait(page, page.getByRole("link", { name: "Answer the questions again at the end" }));
    assert.equal(await page.locator("h1").innerText(), "Now that you have voted");
    await checkPhone(page);
    await answer(page, attendee.after);
    assert.equal(pathOf(page), `/d/${code.replace("-", "")}/after`);
    assert.match(await page.locator(".govuk-notification-banner").innerText(), /your answers are saved/);
    await checkPhone(page);
    await page.context().close();
  }
  // The favourite met each of the other two once per attendee and always won.
  assert.equal(wins.get(favourite), 2 * attendees.length);

  // The facilitator's results: the pairwise table counts exactly the choices made.
  const everyone = facilitator.locator("#priorities-all");
  const answered = facilitator.locator(".govuk-summary-list__row", { hasText: "Answered the questionnaire" });
  await results(facilitator, dayPath, async () => {
    if ((await everyone.count()) === 0 || (await answered.count()) === 0) return false;
    const n = attendees.length;
    if (!(await answered.innerText()).includes(`${n} before, ${n} after`)) return false;
    const cells = await everyone.locator("tbody tr").allInnerTexts();
    const won = cells.map((c) => Number(c.split("\t")[2]));
    return won.reduce((a, b) => a + b, 0) === [...wins.values()].reduce((a, b) => a + b, 0);
  });
  await checkPage(facilitator);
  const first = (await everyone.locator("tbody tr").first().locator("td").allInnerTexts()).map((c) => c.trim());
  assert.deepEqual(first.slice(0, 2), ["1", favourite], "the proposition chosen in every pair ranks first");
  for (const p of propositions) {
    const cells = await row(everyone, p);
    assert.equal(Number(cells[2]), wins.get(p), `wins of ${p}`);
    assert.equal(Number(cells[3]), losses.get(p), `losses of ${p}`);
  }
  const secondRank = Number((await everyone.locator("tbody tr").nth(1).locator("td").first().innerText()).trim());
  assert.ok(secondRank > 1, "nothing shares the first rank with the favourite");
  // By kind too: each kind chose the favourite whenever it was shown.
  for (const code of ["service_user", "carer", "practitioner"]) {
    const top = await facilitator.locator(`#priorities-${code} tbody tr`).first().locator("td").nth(1).innerText();
    assert.equal(top.trim(), favourite, `first for ${code}`);
  }

  // Before and after: the means, the shift and who moved, per question, from the answers given.
  for (const [q, question] of QUESTIONS.entries()) {
    const table = facilitator.locator("table", { has: facilitator.locator("caption", { hasText: question }) });
    const beforeAnswers = attendees.map((a) => a.before[q]);
    const afterAnswers = attendees.map((a) => a.after[q]);
    const cells = await row(table, "Everyone");
    const [beforeMean, beforeCount] = cells[1].match(/^([\d.]+) \((\d+)\)$/).slice(1);
    const [afterMean, afterCount] = cells[2].match(/^([\d.]+) \((\d+)\)$/).slice(1);
    assert.equal(Number(beforeCount), attendees.length);
    assert.equal(Number(afterCount), attendees.length);
    near(beforeMean, mean(beforeAnswers), `${question}: before`);
    near(afterMean, mean(afterAnswers), `${question}: after`);
    near(cells[3].split(" ")[0], mean(afterAnswers) - mean(beforeAnswers), `${question}: shift`);
    const moved = (sign) => attendees.filter((a) => Math.sign(a.after[q] - a.before[q]) === sign).length;
    assert.equal(cells[4], `${moved(1)}, ${moved(-1)}, ${moved(0)}`, `${question}: up, down, same`);
    for (const a of attendees) {
      const mine = await row(table, a.kind);
      near(mine[3].split(" ")[0], a.after[q] - a.before[q], `${question}: shift for ${a.kind}`);
    }
  }
});

test("phones place their dots, over the allowance refused, changed once; the results add them up", async () => {
  const facilitator = await newPage(browser);
  await signIn(facilitator, demoEmail("facilitator"));
  const title = `Dot votes (${MARKER})`;
  const DOTS = 5;
  const { dayPath, code, propositions } = await setUp(facilitator, title, "Dot votes", { dots: DOTS });

  // Dots per proposition, in the order of `propositions`; `first` is placed, then changed to `dots`.
  const attendees = [
    { kind: "Service user", dots: [3, 0, 2] },
    { kind: "Carer", first: [5, 0, 0], dots: [1, 4, 0] },
    { kind: "Commissioner", dots: [2, 0, 1], javaScript: false },
  ];

  for (const attendee of attendees) {
    const page = await phone(attendee);
    await join(page, code, attendee.kind);
    // No questionnaire here: straight to voting.
    assert.equal(pathOf(page), `/d/${code.replace("-", "")}/vote`);
    await voteOnEvery(page);
    await clickAndWait(page, page.getByRole("link", { name: "Place your dots on the propositions" }));
    assert.equal(await page.locator("h1").innerText(), "Place your dots");
    assert.match(await page.locator("#dots-hint").innerText(), new RegExp(`You have ${DOTS} dots`));
    await checkPhone(page);
    const place = async (dots, status) => {
      for (const [i, p] of propositions.entries()) {
        await page.getByLabel(p, { exact: true }).fill(dots[i] ? String(dots[i]) : "");
      }
      await clickAndWait(page, page.getByRole("button", { name: "Save my dots" }), { status });
    };
    // One too many: refused, nothing saved, the numbers kept.
    const over = [...attendee.dots];
    over[0] += DOTS + 1 - over.reduce((a, b) => a + b, 0);
    await place(over, 422);
    assert.match(
      await page.locator(".govuk-error-summary").innerText(),
      new RegExp(`You have ${DOTS} dots to place but placed ${DOTS + 1}: take 1 away`),
    );
    assert.equal(await page.getByLabel(propositions[0], { exact: true }).inputValue(), String(over[0]));
    await checkPhone(page);
    for (const dots of [attendee.first, attendee.dots].filter(Boolean)) {
      await place(dots);
      assert.equal(pathOf(page), `/d/${code.replace("-", "")}/dots`);
      assert.match(await page.locator(".govuk-notification-banner").innerText(), /Your dots are saved/);
      for (const [i, p] of propositions.entries()) {
        const shown = await page.getByLabel(p, { exact: true }).inputValue();
        assert.equal(Number(shown || 0), dots[i], `dots kept on ${p}`);
      }
    }
    await checkPhone(page);
    await page.context().close();
  }

  // The totals are the latest dots of each attendee, added up.
  const totals = propositions.map((_, i) => attendees.reduce((sum, a) => sum + a.dots[i], 0));
  const spent = totals.reduce((a, b) => a + b, 0);
  const everyone = facilitator.locator("#priorities-all");
  await results(facilitator, dayPath, async () => {
    if ((await everyone.count()) === 0) return false;
    const shown = await everyone.locator("tbody tr").allInnerTexts();
    return shown.map((c) => Number(c.split("\t")[2])).reduce((a, b) => a + b, 0) === spent;
  });
  await checkPage(facilitator);
  for (const [i, p] of propositions.entries()) {
    const cells = await row(everyone, p);
    assert.equal(Number(cells[2]), totals[i], `dots on ${p}`);
    near(cells[3].replace("%", ""), Math.round((1000 * totals[i]) / spent) / 10, `share of ${p}`);
    const rank = 1 + totals.filter((t) => t > totals[i]).length;
    assert.equal(Number(cells[0]), rank, `rank of ${p}`);
  }
  const order = (await everyone.locator("tbody tr").allInnerTexts()).map((c) => c.split("\t")[1].trim());
  const most = [...propositions.keys()].sort((a, b) => totals[b] - totals[a]).map((i) => propositions[i]);
  assert.deepEqual(order, most, "most dots first");
  // By kind: each attendee's own dots.
  for (const a of attendees) {
    const code = a.kind.toLowerCase().replace(" ", "_");
    for (const [i, p] of propositions.entries()) {
      const cells = await row(facilitator.locator(`#priorities-${code}`), p);
      assert.equal(Number(cells[2]), a.dots[i], `${a.kind} on ${p}`);
    }
  }
});
