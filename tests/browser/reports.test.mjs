// The programme report in a real browser: a commissioner opens Early Years, follows the link to its
// report (checked with axe: its tables, its contents list, and the cause map, radar and opinion map
// drawn as on their own pages), finds every section (the outcomes with the demo's indicators), and
// downloads the PDF from the report's button and from the programme page's.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkPage, clickAndWait, demoEmail, launch, newPage, pathOf, signIn } from "./helpers.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const SECTIONS = [
  "1. Journey and timeline",
  "2. Who was heard",
  "3. Key insights",
  "4. Cause maps",
  "5. Horizon scanning",
  "6. Propositions",
  "7. Deliberation Day results",
  "8. Decisions and their evidence",
  "9. Outcomes and progress",
  "10. Reflections: the learning log",
];

async function downloadPdf(page, button) {
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  assert.equal(download.suggestedFilename(), "early-years-report.pdf");
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const pdf = Buffer.concat(chunks);
  assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
  assert.ok(pdf.length > 20_000, `a PDF of ${pdf.length} bytes`);
}

test("a commissioner reads Early Years' report, which passes axe, and downloads it as PDF", async () => {
  const page = await newPage(browser);
  await signIn(page, demoEmail("commissioner"));
  await page.goto("/programmes/early-years");
  await checkPage(page);
  await clickAndWait(page, page.getByRole("link", { name: /^Programme report/ }));
  assert.equal(pathOf(page), "/programmes/early-years/report");
  await checkPage(page);

  for (const name of SECTIONS) {
    await page.getByRole("heading", { level: 2, name }).waitFor();
  }
  const contents = page.getByRole("navigation", { name: "Contents" });
  await contents.getByRole("link", { name: "Cause maps" }).click();
  await page.waitForURL(/#cause-maps$/);
  // The pictures are the pages' own SVG: the cause map's factors are links, the opinion map an image.
  assert.ok((await page.locator("#main-content svg").count()) >= 3, "a cause map, the radar and an opinion map");
  assert.ok((await page.locator("#main-content blockquote").count()) >= 1, "consented quotes under the insights");
  // Outcomes: the demo's first decision's indicators in a table, the programme's progress stated.
  await contents.getByRole("link", { name: "Outcomes and progress" }).click();
  await page.waitForURL(/#outcomes$/);
  const outcomes = page.locator("#outcomes ~ table").first();
  await outcomes.getByRole("rowheader", { name: /Families first seen before their child is one \(demo\)/ }).waitFor();
  await page.getByText(/Programme's progress: \d+% of the way/).waitFor();

  await downloadPdf(page, page.getByRole("button", { name: "Download the report as PDF" }));
  await page.goto("/programmes/early-years");
  await downloadPdf(page, page.getByRole("button", { name: "Download the report as PDF" }));
  await page.context().close();
});
