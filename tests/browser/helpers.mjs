// Shared by the browser tests: start Chromium, check a page with axe-core, sign in.
// scripts/test starts `heard serve --demo` and passes its address in HEARD_TEST_URL.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { afterEach } from "node:test";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

export const baseURL = (() => {
  const url = process.env.HEARD_TEST_URL;
  if (!url) throw new Error("HEARD_TEST_URL is not set: run the browser tests through scripts/test");
  return url.replace(/\/$/, "");
})();

/** Every demo account has this password (see `heard serve --demo`). */
export const DEMO_PASSWORD = "demo-password-heard";
export const DEMO_ROLES = ["administrator", "commissioner", "researcher", "facilitator", "viewer"];
export const demoEmail = (role) => `${role}@demo.heard.example`;

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];


/** Every page any test opened, so that an error nobody checked still fails the test. */
const watched = new Set();

/**
 * Collects script errors, console errors and Content-Security-Policy violations of `page` in
 * `page.errors`. Chromium reports a violation as a console error; the init script also reports
 * the `securitypolicyviolation` event, which names the directive and what it blocked.
 */
function watch(page) {
  if (page.errors) return page;
  page.errors = [];
  watched.add(page);
  page.on("pageerror", (error) => page.errors.push(`${page.url()}: script error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // A page may rightly answer 4xx (a form shown again with errors is 422); the tests check
    // the status of pages themselves. Failures to load what a page uses are errors.
    if (message.text().startsWith("Failed to load resource") && message.location().url === page.url()) return;
    page.errors.push(`${page.url()}: console error: ${message.text()}`);
  });
  return page;
}

function reportViolations() {
  document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`Content-Security-Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
  });
}

// Whatever a test did not check with `checkPage` is checked when it ends: any console error,
// script error or CSP violation on any page it opened fails it.
afterEach(() => {
  const errors = [...watched].flatMap((page) => page.errors.splice(0));
  assert.deepEqual(errors, [], `errors in the browser:\n${errors.join("\n")}`);
});

/**
 * Chromium from Debian's package; Playwright brings no browser of its own here. Every context
 * made from it, by `newPage` or by a test itself, has its pages watched for errors.
 */
export async function launch() {
  const browser = await launchChromium();
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.addInitScript(reportViolations);
    context.on("page", watch);
    return context;
  };
  return browser;
}

function launchChromium() {
  return chromium.launch({
    executablePath: process.env.HEARD_TEST_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * A fresh context (no cookies) and page. axe-core is added as an init script rather than a
 * script tag, so it is there on every page even under a Content-Security-Policy that forbids
 * inline scripts. Script errors, console errors and CSP violations on any page are collected in
 * `page.errors` and fail the next `checkPage`, or the test when it ends.
 */
export async function newPage(browser) {
  const context = await browser.newContext({ baseURL });
  await context.addInitScript({ path: require.resolve("axe-core/axe.min.js") });
  const page = watch(await context.newPage());
  // Pages here answer in well under a second; a missing element should fail fast.
  page.setDefaultTimeout(10_000);
  return page;
}

/** Runs axe-core on the page as it is now and fails with every violation it finds. */
export async function checkAccessibility(page) {
  await page.waitForFunction(() => typeof window.axe?.run === "function");
  const found = await page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
  }, AXE_TAGS);
  const violations = found
    .filter((v) => v.targets.length > 0);
  const report = violations
    .map((v) => `  ${v.id} (${v.impact}): ${v.help}\n${v.targets.map((t) => `      ${t}`).join("\n")}`)
    .join("\n");
  assert.equal(violations.length, 0, `axe found accessibility problems on ${page.url()}:\n${report}`);
}

/** What every page must be: accessible, free of script errors, with one h1. */
export async function checkPage(page) {
  await checkAccessibility(page);
  const errors = page.errors.splice(0);
  assert.deepEqual(errors, [], `errors in the browser:\n${errors.join("\n")}`);
  assert.equal(await page.locator("h1").count(), 1, `${page.url()} should have exactly one h1`);
}

/**
 * Clicks something that submits a form or follows a link, waits for the next page and fails
 * unless it answered 2xx (after redirects). `{ status }` names another status to expect, such as
 * 422 for a form shown again with its errors.
 */
export async function clickAndWait(page, locator, { status } = {}) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  const got = response?.status();
  const what = `${page.url()} (after clicking ${locator})`;
  if (status === undefined) assert.ok(got >= 200 && got < 300, `${what} answered ${got}`);
  else assert.ok([status].flat().includes(got), `${what} answered ${got}, not ${status}`);
  return response;
}

/** The path of the page's URL, e.g. "/sign-in". */
export const pathOf = (page) => new URL(page.url()).pathname;

/** Signs in through the sign-in form (checking that page on the way) and lands on `/`. */
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto("/sign-in");
  await checkPage(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await clickAndWait(page, page.getByRole("button", { name: "Sign in" }));
  assert.equal(pathOf(page), "/", `signing in as ${email} should lead to the dashboard`);
}
