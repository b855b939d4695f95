// A real OpenID Connect provider for the single sign-on tests: `oidc-provider` (the certified
// Node.js implementation) on loopback, with one confidential client for Heard, a fresh RSA signing
// key, PKCE required, its own development login and consent pages, and test accounts whose ID
// tokens carry `roles` and `groups` as Microsoft Entra ID's do. Accounts are looked up when a
// person signs in, so a test can change someone's roles between two sign-ins.
//
// Run alone to try it by hand: node tests/oidc/provider.mjs PORT REDIRECT_URI

import { generateKeyPairSync, randomBytes } from "node:crypto";
import net from "node:net";
import Provider from "oidc-provider";

/** Synthetic accounts, by the login typed on the provider's page. Claims as Entra ID sends them. */
export function testAccounts() {
  return new Map([
    ["sso-research", { email: "sso.research@oidc.heard.example", name: "Test Researcher Sso", roles: ["Heard.Research"], groups: [] }],
    ["sso-admin", { email: "sso.admin@oidc.heard.example", name: "Test Administrator Sso", roles: ["Heard.Admin", "Heard.Research"], groups: [] }],
    ["sso-outsider", { email: "sso.outsider@oidc.heard.example", name: "Test Outsider Sso", roles: ["Finance.Reader"], groups: [] }],
  ]);
}

/** The first port from `from` to `to` that this machine lets us listen on at 127.0.0.1. */
export async function freePort(from, to) {
  for (let port = from; port <= to; port++) {
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${from} and ${to}`);
}

/**
 * Starts the provider at http://127.0.0.1:PORT with a client `clientId`/`clientSecret` whose one
 * redirect URI is `redirectUri`. Returns { issuer, accounts, close }.
 */
export async function startProvider({ port, clientId, clientSecret, redirectUri, accounts = testAccounts() }) {
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "heard-test", use: "sig", alg: "RS256" };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    // Entra ID puts app roles and groups in the ID token whatever the scope.
    claims: { openid: ["sub", "roles", "groups"], email: ["email", "email_verified"], profile: ["name"] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          const { email, name, roles, groups } = accounts.get(id) ?? account;
          return { sub: `subject-${id}`, email, email_verified: true, name, roles, groups };
        },
      };
    },
  });
  // The development pages warn on every start; the tests know.
  provider.on("server_error", (_ctx, error) => console.error("oidc-provider:", error));
  const server = await new Promise((resolve, reject) => {
    const listening = provider.listen(port, "127.0.0.1", () => resolve(listening));
    listening.once("error", reject);
  });
  return {
    issuer,
    accounts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, redirectUri] = process.argv.slice(2);
  const { issuer } = await startProvider({
    port: Number(port),
    clientId: "heard",
    clientSecret: "heard-test-secret",
    redirectUri,
  });
  console.log(`oidc-provider at ${issuer} (client heard, secret heard-test-secret); logins: ${[...testAccounts().keys()].join(", ")}`);
}
