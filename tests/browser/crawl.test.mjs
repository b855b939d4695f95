// Every page each demo role can reach by following links: it answers 200, has one h1 and
// passes axe. Catches a link shown to a role that may not follow it, and pages nobody checked.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DEMO_ROLES, baseURL, checkPage, demoEmail, launch, newPage, signIn } from "./helpers.mjs";

const MAX_PAGES_PER_ROLE = 60;
const SKIPPED = [/^\/sign-out\b/, /^\/assets\//, /^\/api\//, /^\/healthz\b/, /^\/favicon\.ico$/];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Same-origin links on the page worth visiting, without their #fragment. */
async function linksOn(page) {
  const hrefs = await page
    .locator("a[href]:not([download])")
    // getAttribute, resolved here: an SVG link's `href` is an SVGAnimatedString, not a string.
    .evaluateAll((links) => links.map((a) => new URL(a.getAttribute("href"), document.baseURI).href));
  const origin = new URL(baseURL).origin;
  const found = new Set();
  for (const href of hrefs) {
    const url = new URL(href);
    if (url.origin !== origin || SKIPPED.some((pattern) => pattern.test(url.pathname))) continue;
    url.hash = "";
    found.add(url.href);
  }
  return found;
}

/** Breadth-first from the page the browser is on; returns the URLs visited. */
async function crawl(page, { signedIn }) {
  const queue = [page.url()];
  const seen = new Set(queue);
  const visited = [];
  while (queue.length > 0 && visited.length < MAX_PAGES_PER_ROLE) {
    const url = queue.shift();
    let response;
    try {
      response = await page.goto(url);
    } catch (error) {
      // A link to a file (an export, say) starts a download instead of showing a page.
      if (!/download is starting/i.test(error.message)) throw error;
      const file = await page.request.get(url);
      assert.equal(file.status(), 200, `${url} should answer 200`);
      visited.push(url);
      continue;
    }
    const from = `${url}${page.url() === url ? "" : ` (redirected to ${page.url()})`}`;
    assert.equal(response?.status(), 200, `${from} should answer 200`);
    if (signedIn) assert.notEqual(new URL(page.url()).pathname, "/sign-in", `${from} lost the session`);
    visited.push(url);
    if (!(response.headers()["content-type"] ?? "").startsWith("text/html")) continue;
    await checkPage(page);
    for (const link of await linksOn(page)) {
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  return visited;
}

test("the sign-in page, signed out", async () => {
  const page = await newPage(browser);
  const response = await page.goto("/sign-in");
  assert.equal(response?.status(), 200);
  await checkPage(page);
  await page.context().close();
});

for (const role of DEMO_ROLES) {
  test(`every page a ${role} can reach`, async (t) => {
    const page = await newPage(browser);
    await signIn(page, demoEmail(role));
    const visited = await crawl(page, { signedIn: true });
    t.diagnostic(`${role}: ${visited.length} pages checked`);
    assert.ok(visited.length > 1, `a ${role} can reach some page from the dashboard`);
    await page.context().close();
  });
}
