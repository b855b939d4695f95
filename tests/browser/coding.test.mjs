// Coding in a real browser: a researcher adds a code, codes a span by selecting it in the text
// (coding.js turns the selection into character offsets) and another by typing its words (the
// path that needs no mouse), states an insight and attaches an excerpt to it; a commissioner
// reads the insight. Every page is checked with axe.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, signIn } from "./helpers.mjs";

// Names no other run holds, so the test finds only its own code and insight.
const MARKER = `run${Date.now().toString(36)}`;
const CODE = `Early contact (${MARKER})`;
const INSIGHT = `Families want to be seen early (${MARKER}).`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("a researcher codes a selected span and typed words, then builds an insight from an excerpt", async () => {
  const researcher = await newPage(browser);
  await signIn(researcher, demoEmail("researcher"));

  // The codebook, and a new code in it.
  await researcher.goto("/programmes/early-years/codebook");
  await checkPage(researcher);
  await researcher.getByLabel("Name", { exact: true }).fill(CODE);
  await researcher.getByLabel("Parent code (optional)").selectOption({ label: "Access to support" });
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Add code" }));
  await checkPage(researcher);
  assert.match(await researcher.locator(".govuk-notification-banner").innerText(), /added/);

  // The source, then its coding page.
  await researcher.goto("/programmes/early-years/sources?kind=interview_transcript");
  await clickAndWait(researcher, researcher.getByRole("link", { name: "Interview with a health visitor" }));
  await clickAndWait(researcher, researcher.getByRole("link", { name: "Code this source" }));
  await checkPage(researcher);

  // Select words in the text as a person would with a mouse; the script fills the form.
  await researcher.evaluate(() => {
    const container = document.querySelector("[data-coding-text]");
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf("seeing families early");
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + "seeing families early".length);
      const selection = document.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      container.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
      return;
    }
    throw new Error("the words to select are not in the text");
  });
  assert.match(await researcher.locator("[data-coding-selected]").innerText(), /Selected characters \d+ to \d+/);
  assert.equal(await researcher.getByLabel("Words to code").inputValue(), "seeing families early");
  await researcher.getByLabel(CODE, { exact: false }).check();
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Code passage" }));
  await checkPage(researcher);
  const selected = researcher.locator(".govuk-summary-card", { hasText: "seeing families early" });
  assert.match(await selected.innerText(), new RegExp(CODE.replace(/[()]/g, "\\$&")));
  assert.equal(await researcher.locator("mark.heard-coded", { hasText: "seeing families early" }).count(), 1);

  // The keyboard path: type the words; a phrase that repeats asks which occurrence.
  await researcher.getByLabel("Words to code").fill("What would help?");
  await researcher.getByLabel(CODE, { exact: false }).check();
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Code passage" }));
  await checkPage(researcher);
  assert.equal(await researcher.locator(".govuk-summary-card", { hasText: "What would help?" }).count(), 1);
  await researcher.getByLabel("Words to code").fill("Q:");
  await researcher.getByLabel(CODE, { exact: false }).check();
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Code passage" }), { status: 422 });
  await checkPage(researcher);
  assert.match(await researcher.locator(".govuk-error-summary").innerText(), /appear 2 times/);

  // An insight, then the selected excerpt attached to it from the coding page.
  await researcher.goto("/programmes/early-years/insights");
  await checkPage(researcher);
  await researcher.getByLabel("The insight in a sentence").fill(INSIGHT);
  await clickAndWait(researcher, researcher.getByRole("button", { name: "Add insight" }));
  await checkPage(researcher);
  await researcher.goto("/programmes/early-years/sources?kind=interview_transcript");
  await clickAndWait(researcher, researcher.getByRole("link", { name: "Interview with a health visitor" }));
  await clickAndWait(researcher, researcher.getByRole("link", { name: "Code this source" }));
  // Each excerpt's forms open one excerpt at a time, from a link in its card.
  await clickAndWait(
    researcher,
    researcher
      .locator(".govuk-summary-card", { hasText: "seeing families early" })
      .getByRole("link", { name: /Write a memo, add to an insight/ }),
  );
  await checkPage(researcher);
  const card = researcher.locator(".govuk-summary-card", { hasText: "seeing families early" });
  await card.getByLabel("Insight").selectOption({ label: INSIGHT });
  await card.getByLabel("Supports").check();
  await clickAndWait(researcher, card.getByRole("button", { name: "Add to insight" }));
  await checkPage(researcher);
  assert.match(await researcher.locator("h1").innerText(), new RegExp(MARKER));
  assert.match(await researcher.locator("main").innerText(), /seeing families early/);
  const insightPath = new URL(researcher.url()).pathname;
  await researcher.context().close();

  // The commissioner reads the insight: the health visitor has not consented to anonymous
  // quotation in the demo, so the words are withheld and the source is still named.
  const commissioner = await newPage(browser);
  await signIn(commissioner, demoEmail("commissioner"));
  await commissioner.goto(insightPath);
  await checkPage(commissioner);
  const main = await commissioner.locator("main").innerText();
  assert.match(main, new RegExp(MARKER));
  assert.doesNotMatch(main, /seeing families early/);
  assert.match(main, /Interview with a health visitor/);
  await commissioner.context().close();
});
