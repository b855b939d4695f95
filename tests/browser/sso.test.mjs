// Single sign-on by OpenID Connect in a real browser, against a real provider: `oidc-provider`
// (tests/oidc/provider.mjs) and a `heard serve` of this test's own, configured for it, both on
// loopback. People click through the provider's login and consent pages and land signed in with
// the role their `roles` claim maps to; the role follows the provider at the next sign-in; someone
// whose roles map to nothing, a tampered state, a replayed answer and a cancelled sign-in each get
// a clear page and no session; and the server's log holds nothing the provider said about anyone.
//
// The binary is HEARD_BIN (scripts/test sets it), else target/debug/heard.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort, startProvider } from "../oidc/provider.mjs";
import { checkPage, clickAndWait, launch, pathOf } from "./helpers.mjs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const heardBin = process.env.HEARD_BIN ?? path.join(root, "target/debug/heard");

const PROVIDER_NAME = "Test Council ID";
const CLIENT_ID = "heard-sso-test";
const CLIENT_SECRET = `secret-${Date.now().toString(36)}`;

let browser;
let provider;
let heard;
let heardURL;
let dataDir;
let serverLog = "";

before(async () => {
  const providerPort = await freePort(48400, 48499);
  const heardPort = await freePort(48500, 48599);
  // People reach Heard at localhost and the provider at 127.0.0.1: two sites, as in life.
  heardURL = `http://localhost:${heardPort}`;
  provider = await startProvider({
    port: providerPort,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${heardURL}/sign-in/sso/callback`,
  });
  dataDir = mkdtempSync(path.join(tmpdir(), "heard-sso-"));
  heard = spawn(heardBin, ["serve", "--data-dir", dataDir, "--listen", `127.0.0.1:${heardPort}`], {
    env: {
      ...process.env,
      HEARD_LOG: "info",
      HEARD_OIDC_ISSUER: provider.issuer,
      HEARD_OIDC_CLIENT_ID: CLIENT_ID,
      HEARD_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      HEARD_OIDC_NAME: PROVIDER_NAME,
      HEARD_OIDC_ROLE_CLAIM: "roles",
      HEARD_OIDC_ROLES: "Heard.Admin=administrator,Heard.Research=researcher",
      HEARD_PUBLIC_URL: heardURL,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  heard.stdout.on("data", (chunk) => (serverLog += chunk));
  heard.stderr.on("data", (chunk) => (serverLog += chunk));
  const exited = new Promise((resolve) => heard.once("exit", resolve));
  for (let i = 0; i < 240; i++) {
    const up = await fetch(`http://127.0.0.1:${heardPort}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("running"), 250))]);
    if (code !== "running") throw new Error(`heard serve exited (${code}):\n${serverLog}`);
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (heard && heard.exitCode === null) {
    const exited = new Promise((resolve) => heard.once("exit", resolve));
    heard.kill("SIGTERM");
    await exited;
  }
  await provider?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/**
 * A fresh browser (no cookies at Heard or the provider). axe-core is there on Heard's pages; the
 * provider's development pages ask for a web font, answered empty here so nothing leaves loopback.
 */
async function freshPage() {
  const context = await browser.newContext({ baseURL: heardURL });
  await context.addInitScript({ path: require.resolve("axe-core/axe.min.js") });
  await context.route(
    (url) => !["localhost", "127.0.0.1"].includes(url.hostname),
    (route) => route.fulfill({ status: 200, contentType: "text/css", body: "" }),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** From Heard's sign-in page to the provider's login page. */
async function toProvider(page) {
  await page.goto("/sign-in");
  await checkPage(page);
  const authorization = page.waitForRequest((r) => r.url().startsWith(`${provider.issuer}/auth?`));
  await clickAndWait(page, page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}` }));
  assert.equal(new URL(page.url()).origin, provider.issuer, "the button leads to the provider");
  const query = new URL((await authorization).url()).searchParams;
  assert.equal(query.get("code_challenge_method"), "S256", "PKCE is used");
  assert.ok(query.get("state") && query.get("nonce"), "state and nonce are sent");
}

/** Types a login at the provider and agrees, if asked; resolves once the provider sends the browser back. */
async function atProvider(page, login, { expectStatus } = {}) {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  const callback = page.waitForResponse((r) => new URL(r.url()).pathname === "/sign-in/sso/callback");
  await page.getByRole("button", { name: "Sign-in" }).click();
  // The consent page, the first time this browser's provider session meets Heard.
  const consent = page.getByRole("button", { name: "Continue" });
  const first = await Promise.race([callback.then(() => "back"), consent.waitFor().then(() => "consent")]);
  if (first === "consent") await consent.click();
  const response = await callback;
  await page.waitForLoadState();
  if (expectStatus !== undefined) assert.equal(response.status(), expectStatus, `the callback answered ${response.status()}`);
  return response;
}

async function signInWithSso(page, login) {
  await toProvider(page);
  await atProvider(page, login, { expectStatus: 303 });
  assert.equal(pathOf(page), "/", `${login} lands on the dashboard`);
  await checkPage(page);
}

async function roleOf(page) {
  await page.goto("/account");
  assert.equal(pathOf(page), "/account", "signed in");
  await checkPage(page);
  const row = page.locator(".govuk-summary-list__row", { has: page.locator("dt", { hasText: "Role" }) });
  return (await row.locator("dd").innerText()).trim();
}

async function assertSignedOut(page) {
  await page.goto("/account");
  assert.equal(pathOf(page), "/sign-in", "no one is signed in");
}

test("the sign-in page offers the provider's button and still the password form", async () => {
  const page = await freshPage();
  await page.goto("/sign-in");
  await checkPage(page);
  const button = page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}` });
  assert.equal(await button.getAttribute("href"), "/sign-in/sso");
  assert.ok(await page.getByLabel("Email address").isVisible(), "password sign-in stays available");
  await page.context().close();
});

test("a researcher signs in at the provider and lands signed in as a researcher", async () => {
  const page = await freshPage();
  await signInWithSso(page, "sso-research");
  assert.equal(await roleOf(page), "Researcher");
  // Signed in again later, in another browser: the same account, not a second one.
  const again = await freshPage();
  await signInWithSso(again, "sso-research");
  assert.equal(await roleOf(again), "Researcher");
  await page.context().close();
  await again.context().close();
});

test("someone whose roles map to no Heard role is refused with a clear page", async () => {
  const page = await freshPage();
  await toProvider(page);
  await atProvider(page, "sso-outsider", { expectStatus: 403 });
  assert.equal(pathOf(page), "/sign-in/sso/callback");
  assert.equal(await page.locator("h1").innerText(), "You do not have access to Heard");
  assert.match(await page.locator("main").innerText(), new RegExp(`Your ${PROVIDER_NAME} account is not in any group or role`));
  await checkPage(page);
  await assertSignedOut(page);
  await page.context().close();
});

test("the role follows the provider's claims at each sign-in, and the change is audited", async () => {
  const research = provider.accounts.get("sso-research");
  const before = research.roles;
  research.roles = ["Heard.Admin"];
  try {
    const page = await freshPage();
    await signInWithSso(page, "sso-research");
    assert.equal(await roleOf(page), "Administrator");
    await page.goto("/admin/users");
    await checkPage(page);
    const row = page.locator("tr", { hasText: "Test Researcher Sso" });
    assert.equal(await row.count(), 1, "one account for the person, however often they sign in");
    assert.match(await row.innerText(), /Administrator/);
    assert.equal(await page.locator("tr", { hasText: "Test Outsider Sso" }).count(), 0, "no account for the refused");
    await page.goto("/admin/audit");
    await checkPage(page);
    const log = await page.locator("main").innerText();
    assert.match(log, /user\.role_changed/, "the role change is in the audit log");
    assert.match(log, /from:researcher to:administrator via:sso/);
    assert.match(log, /via:sso no role/, "the refused sign-in is in the audit log");
    await page.context().close();
  } finally {
    research.roles = before;
  }
  const page = await freshPage();
  await signInWithSso(page, "sso-research");
  assert.equal(await roleOf(page), "Researcher", "and back again when the provider says so");
  await page.context().close();
});

test("a tampered state is refused, and the provider's answer cannot be used twice", async () => {
  // The authorization request as Heard makes it, its state changed on the way to the provider.
  const page = await freshPage();
  const start = await page.request.get("/sign-in/sso", { maxRedirects: 0 });
  assert.equal(start.status(), 303);
  const authorization = new URL(start.headers().location);
  const state = authorization.searchParams.get("state");
  authorization.searchParams.set("state", `${state.slice(0, -1)}${state.endsWith("A") ? "B" : "A"}`);
  await page.goto(authorization.toString());
  await atProvider(page, "sso-admin", { expectStatus: 400 });
  assert.equal(await page.locator("h1").innerText(), "Your sign-in could not be checked");
  await checkPage(page);
  await assertSignedOut(page);
  await page.context().close();

  // A true answer, used once to sign in, then again in another browser: refused.
  const first = await freshPage();
  await toProvider(first);
  const callback = first.waitForRequest((r) => new URL(r.url()).pathname === "/sign-in/sso/callback");
  await atProvider(first, "sso-admin", { expectStatus: 303 });
  const answer = (await callback).url();
  assert.ok(new URL(answer).searchParams.get("code"), "the provider answered with a code");
  assert.equal(await roleOf(first), "Administrator");
  const other = await freshPage();
  const replayed = await other.goto(answer);
  assert.equal(replayed.status(), 400);
  assert.equal(await other.locator("h1").innerText(), "Your sign-in has expired");
  await checkPage(other);
  await assertSignedOut(other);
  await first.context().close();
  await other.context().close();
});

test("cancelling at the provider comes back to a clear page", async () => {
  const page = await freshPage();
  await toProvider(page);
  const callback = page.waitForResponse((r) => new URL(r.url()).pathname === "/sign-in/sso/callback");
  await page.getByRole("link", { name: "[ Cancel ]" }).click();
  assert.equal((await callback).status(), 403);
  await page.waitForLoadState();
  assert.equal(await page.locator("h1").innerText(), "You did not sign in");
  await checkPage(page);
  await assertSignedOut(page);
  await page.context().close();
});

test("the server's log holds nothing the provider said about anyone", () => {
  assert.match(serverLog, /single sign-on did not sign anyone in/, "the refusals were logged, by kind");
  for (const account of provider.accounts.values()) {
    for (const value of [account.email, account.name]) {
      assert.ok(!serverLog.includes(value), `the log names ${value}`);
    }
  }
  assert.ok(!serverLog.includes("subject-sso"), "the log holds a subject");
  assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(serverLog), "the log holds a token");
  assert.ok(!serverLog.includes(CLIENT_SECRET), "the log holds the client secret");
});
