//! Single sign-on by OpenID Connect (Microsoft Entra ID, or any certified provider): discovery
//! from the issuer, the authorization code flow with PKCE, state and nonce checked, the ID token's
//! signature, issuer, audience and expiry verified (the `openidconnect` crate), and the claims
//! mapped to a Heard role ([`RoleMapping`]). Accounts are linked by issuer and subject in the store.
//!
//! Nothing a provider sends about a person (claims, tokens, codes) is logged or shown: failures are
//! logged by a fixed word for their kind.

use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use heard_domain::Invalid;
use heard_domain::error::Collector;
use heard_domain::governance::{Action, Email, PasswordHash, display_name};
use heard_domain::sso::RoleMapping;
use heard_store::sso::{SsoIdentity, SsoRefusal, SsoSignIn};
use minijinja::context;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenClaims, IdTokenFields,
    IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse,
    StandardTokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::{AuthSession, SessionUser, mark_signed_in};
use crate::error::PageError;
use crate::render::{Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![Route::get(START, Action::Public, start), Route::get(CALLBACK, Action::Public, callback)]
}

/// Where the sign-in page's button leads.
pub const START: &str = "/sign-in/sso";
/// Where the provider sends people back: the redirect URI to register with it.
pub const CALLBACK: &str = "/sign-in/sso/callback";

/// How long a person may take at the provider before the sign-in must be started again.
const PENDING_FOR: Duration = Duration::from_secs(10 * 60);
/// How long Heard waits for the provider's answer to one request.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
const PENDING: &str = "heard.sso";

/// Single sign-on as configured, as text, before it is checked (see [`Sso::new`]). The CLI
/// fills it from flags and `HEARD_*` variables; field names in errors are the flags'.
#[derive(Debug, Clone, Default)]
pub struct SsoConfig {
    /// What the button calls the provider: "Sign in with {name}".
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// Heard's address as people reach it, e.g. `https://heard.example.gov.uk`.
    pub public_url: String,
    /// The claim whose values are mapped to roles, e.g. `roles` or `groups`.
    pub role_claim: String,
    /// `value=role` rules separated by commas, in order of precedence.
    pub roles: String,
}

/// Single sign-on, checked and ready.
#[derive(Debug)]
pub struct Sso {
    name: String,
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: SecretString,
    redirect: RedirectUrl,
    mapping: RoleMapping,
    http: openidconnect::reqwest::Client,
    /// The password hash new accounts are made with: of a random password nobody was told, so they
    /// sign in only through the provider. Hashed once, at the first sign-in that needs it (argon2
    /// is slow on purpose), and shared: a hash of a password nobody knows reveals nothing.
    unusable_password: tokio::sync::OnceCell<PasswordHash>,
}

/// A URL Heard talks to or sends people to: https, or http on this machine only (for tests and
/// a provider on loopback), with no query or fragment.
fn url(field: &str, label: &str, raw: &str) -> Result<openidconnect::url::Url, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::one(field, format!("Enter {label}")));
    }
    let parsed = openidconnect::url::Url::parse(raw)
        .map_err(|_| Invalid::one(field, format!("Enter {label} as a full address, such as https://…")))?;
    let loopback = match parsed.host() {
        Some(openidconnect::url::Host::Domain(domain)) => domain == "localhost",
        Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(Invalid::one(field, format!("{label} must start with https:// (http only on this machine)"))),
    }
    if parsed.query().is_some() || parsed.fragment().is_some() || !parsed.username().is_empty() {
        return Err(Invalid::one(field, format!("{label} must not have a query, fragment or user name")));
    }
    Ok(parsed)
}

impl Sso {
    /// Checks a configuration, with every problem named by its field (the flag's name).
    pub fn new(config: SsoConfig) -> Result<Self, Invalid> {
        let mut errors = Collector::new();
        let name = config.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 60 {
            errors.push("oidc-name", "Enter the identity provider's name, in 60 characters or fewer");
        }
        let issuer = errors.take(url("oidc-issuer", "the issuer URL", &config.issuer));
        let client_id = config.client_id.trim().to_owned();
        if client_id.is_empty() {
            errors.push("oidc-client-id", "Enter the client id the identity provider gave Heard");
        }
        let client_secret = config.client_secret.filter(|secret| !secret.expose_secret().trim().is_empty());
        if client_secret.is_none() {
            errors.push(
                "oidc-client-secret",
                "Give the client secret in HEARD_OIDC_CLIENT_SECRET or a file named by --oidc-client-secret-file",
            );
        }
        let public = errors.take(url("public-url", "Heard's public URL", &config.public_url));
        let mapping =
            errors.take(RoleMapping::parse("oidc-role-claim", &config.role_claim, "oidc-roles", &config.roles));
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider's answer send Heard anywhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build();
        let http = match http {
            Ok(http) => Some(http),
            Err(_) => {
                errors.push("oidc-issuer", "Heard could not set up its HTTP client for the identity provider");
                None
            }
        };
        let (issuer, public, mapping, client_secret, http) =
            match errors.finish(|| (issuer, public, mapping, client_secret, http)) {
                Ok((Some(issuer), Some(public), Some(mapping), Some(secret), Some(http))) => {
                    (issuer, public, mapping, secret, http)
                }
                Ok(_) => return Err(Invalid::one("oidc-issuer", "a checked setting went missing")),
                Err(invalid) => return Err(invalid),
            };
        let redirect = format!("{}{CALLBACK}", public.as_str().trim_end_matches('/'));
        let redirect =
            RedirectUrl::new(redirect).map_err(|_| Invalid::one("public-url", "Enter Heard's public URL"))?;
        // The issuer as configured, without a trailing slash added by parsing: the provider's
        // discovery document must name exactly this issuer, and its ID tokens too.
        let issuer = IssuerUrl::new(config.issuer.trim().to_owned())
            .map_err(|_| Invalid::one("oidc-issuer", format!("Enter the issuer URL ({issuer})")))?;
        Ok(Sso {
            name,
            issuer,
            client_id: ClientId::new(client_id),
            client_secret,
            redirect,
            mapping,
            http,
            unusable_password: tokio::sync::OnceCell::new(),
        })
    }

    /// The provider's name, for the button.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The redirect URI to register with the provider.
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    pub fn mapping(&self) -> &RoleMapping {
        &self.mapping
    }

    /// The provider's client, from its discovery document (fetched each sign-in, so its signing
    /// keys are always current).
    async fn client(&self) -> Result<OidcClient, Problem> {
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http).await.map_err(|error| {
            tracing::warn!(error = %error, "single sign-on: the identity provider's discovery document could not be read");
            Problem::Unreachable
        })?;
        Ok(OidcClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(ClientSecret::new(self.client_secret.expose_secret().to_owned())),
        )
        .set_redirect_uri(self.redirect.clone()))
    }
}

/// Claims beyond the standard ones, such as `roles` and `groups`, kept whole so the configured
/// claim can be read whatever it is called.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type OidcTokenResponse = StandardTokenResponse<
    IdTokenFields<
        OtherClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    OidcTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in started here and not yet finished, kept in the person's session.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    started_at: i64,
}

/// Why a single sign-on did not end signed in: each has its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// The provider could not be reached, or its discovery document read.
    Unreachable,
    /// The person said no at the provider, or cancelled.
    Denied,
    /// The provider answered with an error of its own.
    ProviderError,
    /// No sign-in was started in this browser, or it was started too long ago.
    Expired,
    /// The state sent back is not the one this browser was given.
    BadState,
    /// The code could not be exchanged, or the ID token failed verification.
    Untrusted,
    /// The ID token names no usable email address.
    NoEmail,
    Refused(SsoRefusal),
}

impl Problem {
    fn page(self, sso_name: &str) -> (StatusCode, &'static str, String) {
        match self {
            Problem::Unreachable => (
                StatusCode::BAD_GATEWAY,
                "Sign-in is not working at the moment",
                format!("Heard could not reach {sso_name}. Try again in a few minutes. If it keeps happening, tell your administrator."),
            ),
            Problem::Denied => (
                StatusCode::FORBIDDEN,
                "You did not sign in",
                format!("{sso_name} did not let Heard know who you are, because sign-in was cancelled or not allowed. You can try again."),
            ),
            Problem::ProviderError => (
                StatusCode::BAD_GATEWAY,
                "Sign-in is not working at the moment",
                format!("{sso_name} could not sign you in. Try again in a few minutes. If it keeps happening, tell your administrator."),
            ),
            Problem::Expired => (
                StatusCode::BAD_REQUEST,
                "Your sign-in has expired",
                "Sign-in has to finish within 10 minutes, in the browser it was started in. Start again.".to_owned(),
            ),
            Problem::BadState => (
                StatusCode::BAD_REQUEST,
                "Your sign-in could not be checked",
                "The answer from the sign-in service did not match the sign-in started in this browser, so it was not used. Start again.".to_owned(),
            ),
            Problem::Untrusted => (
                StatusCode::BAD_GATEWAY,
                "Your sign-in could not be checked",
                format!("Heard could not confirm the answer from {sso_name}, so it was not used. Try again. If it keeps happening, tell your administrator."),
            ),
            Problem::NoEmail => (
                StatusCode::FORBIDDEN,
                "Your account has no email address",
                format!("{sso_name} did not give Heard an email address for you, which every Heard account needs. Ask your administrator."),
            ),
            Problem::Refused(SsoRefusal::NoRole) => (
                StatusCode::FORBIDDEN,
                "You do not have access to Heard",
                format!("Your {sso_name} account is not in any group or role that gives access to Heard. If you need access, ask your administrator to add you."),
            ),
            Problem::Refused(SsoRefusal::Deactivated) => (
                StatusCode::FORBIDDEN,
                "Your Heard account is deactivated",
                "An administrator has deactivated your account. If you need access, ask your administrator.".to_owned(),
            ),
            Problem::Refused(SsoRefusal::EmailTaken) => (
                StatusCode::FORBIDDEN,
                "There is already a Heard account with your email address",
                format!("That account was not made through {sso_name}, so Heard will not sign you into it this way. Sign in with your password, or ask your administrator."),
            ),
        }
    }
}

/// What the sign-in page offers: the single sign-on button (`sso_name`) and the password form.
pub(crate) fn sign_in_options(state: &AppState) -> minijinja::Value {
    context! {
        sso_name => state.settings.sso.as_ref().map(|sso| sso.name()),
        password_sign_in => state.settings.password_sign_in || state.settings.sso.is_none(),
    }
}

fn problem_page(state: &AppState, page: &Page, problem: Problem) -> PageResult {
    let Some(sso) = &state.settings.sso else { return Err(PageError::NotFound) };
    let (status, title, message) = problem.page(sso.name());
    let html = page.render(
        "governance/sso_problem.html",
        context! { title, message, password_sign_in => state.settings.password_sign_in, sso_name => sso.name() },
    )?;
    Ok((status, html).into_response())
}

/// The button on the sign-in page: a new pending sign-in in the session, then off to the provider.
async fn start(State(state): State<AppState>, page: Page) -> PageResult {
    let Some(sso) = state.settings.sso.clone() else { return Err(PageError::NotFound) };
    if page.user.is_some() {
        return see_other("/");
    }
    let client = match sso.client().await {
        Ok(client) => client,
        Err(problem) => return problem_page(&state, &page, problem),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        started_at: OffsetDateTime::now_utc().unix_timestamp(),
    };
    page.session.insert(PENDING, pending).await.map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(Redirect::to(url.as_str()).into_response())
}

/// What the provider sends back, as the query of the redirect URI.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider's answer: checked, the account found or made, and the person signed in.
async fn callback(
    State(state): State<AppState>,
    mut auth: AuthSession,
    page: Page,
    RawQuery(query): RawQuery,
) -> PageResult {
    let Some(sso) = state.settings.sso.clone() else { return Err(PageError::NotFound) };
    match finish(&state, &sso, &page, query.as_deref().unwrap_or_default()).await {
        Ok(user) => {
            auth.login(&SessionUser(user)).await.map_err(|e| PageError::Internal(e.to_string()))?;
            mark_signed_in(&auth.session).await?;
            see_other("/")
        }
        Err(problem) => {
            let word = match problem {
                Problem::Unreachable => "unreachable",
                Problem::Denied => "denied",
                Problem::ProviderError => "provider error",
                Problem::Expired => "expired",
                Problem::BadState => "state mismatch",
                Problem::Untrusted => "untrusted",
                Problem::NoEmail => "no email",
                Problem::Refused(_) => "refused",
            };
            tracing::info!(problem = word, "single sign-on did not sign anyone in");
            problem_page(&state, &page, problem)
        }
    }
}

async fn finish(state: &AppState, sso: &Sso, page: &Page, query: &str) -> Result<heard_store::User, Problem> {
    let query: CallbackQuery = serde_html_form::from_str(query).unwrap_or_default();
    // One use: whatever happens next, this pending sign-in is gone.
    let pending: Option<Pending> = page.session.remove(PENDING).await.ok().flatten();
    let Some(pending) = pending else {
        return Err(Problem::Expired);
    };
    if !same(query.state.as_deref().unwrap_or_default(), &pending.state) {
        record_failure(state, "sso state mismatch").await;
        return Err(Problem::BadState);
    }
    let age = OffsetDateTime::now_utc().unix_timestamp().saturating_sub(pending.started_at);
    if age < 0 || age.unsigned_abs() > PENDING_FOR.as_secs() {
        return Err(Problem::Expired);
    }
    if let Some(error) = query.error {
        return Err(if error == "access_denied" { Problem::Denied } else { Problem::ProviderError });
    }
    let Some(code) = query.code.filter(|code| !code.is_empty()) else {
        return Err(Problem::ProviderError);
    };
    let client = sso.client().await?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| {
            tracing::warn!("single sign-on: the identity provider names no token endpoint");
            Problem::Unreachable
        })?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&sso.http)
        .await
        .map_err(|error| {
            let kind = match error {
                openidconnect::RequestTokenError::ServerResponse(_) => "the provider refused the code",
                openidconnect::RequestTokenError::Request(_) => "the token endpoint could not be reached",
                openidconnect::RequestTokenError::Parse(..) => "the token response could not be read",
                openidconnect::RequestTokenError::Other(_) => "the token request failed",
            };
            tracing::warn!(kind, "single sign-on: the code was not exchanged");
            Problem::Untrusted
        })?;
    let Some(id_token) = response.extra_fields().id_token() else {
        tracing::warn!("single sign-on: the token response held no ID token");
        return Err(Problem::Untrusted);
    };
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, &Nonce::new(pending.nonce)).map_err(|error| {
        tracing::warn!(kind = verification_failure(error), "single sign-on: the ID token failed verification");
        Problem::Untrusted
    })?;
    let identity = identity(sso, claims)?;
    let unusable = sso
        .unusable_password
        .get_or_try_init(|| async { tokio::task::spawn_blocking(PasswordHash::dummy).await })
        .await
        .map_err(|_| Problem::Untrusted)?;
    match state.store.sso_sign_in(&identity, unusable).await {
        Ok(SsoSignIn::SignedIn { user, .. }) => Ok(user),
        Ok(SsoSignIn::Refused(refusal)) => Err(Problem::Refused(refusal)),
        Err(error) => {
            tracing::error!(error = %error, "single sign-on: the store could not sign the person in");
            Err(Problem::Unreachable)
        }
    }
}

/// The account the claims describe: the role their configured claim maps to, an email address
/// (`email`, else `preferred_username` when it is one, as Entra ID sends) and a name.
fn identity(sso: &Sso, claims: &IdTokenClaims<OtherClaims, CoreGenderClaim>) -> Result<SsoIdentity, Problem> {
    let values = claim_values(claims.additional_claims().claims.get(sso.mapping.claim()));
    let role = sso.mapping.role_for(values.iter().map(String::as_str));
    let email = claims
        .email()
        .and_then(|email| Email::parse("email", email.as_str()).ok())
        .or_else(|| claims.preferred_username().and_then(|name| Email::parse("email", name.as_str()).ok()))
        .ok_or(Problem::NoEmail)?;
    let name = claims.name().and_then(|name| name.get(None)).map(|name| name.as_str().to_owned());
    let name = name
        .and_then(|name| display_name("name", &name).ok())
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_owned());
    Ok(SsoIdentity {
        issuer: claims.issuer().as_str().to_owned(),
        subject: claims.subject().as_str().to_owned(),
        email,
        display_name: name,
        role,
    })
}

/// A claim's values: a string is one value, an array of strings many; anything else none.
fn claim_values(claim: Option<&serde_json::Value>) -> Vec<String> {
    match claim {
        Some(serde_json::Value::String(value)) => vec![value.clone()],
        Some(serde_json::Value::Array(values)) => {
            values.iter().filter_map(|value| value.as_str().map(str::to_owned)).collect()
        }
        _ => Vec::new(),
    }
}

/// A word for why an ID token failed verification; never the token's contents.
fn verification_failure(error: ClaimsVerificationError) -> &'static str {
    match error {
        ClaimsVerificationError::Expired(_) => "expired",
        ClaimsVerificationError::InvalidAudience(_) => "audience",
        ClaimsVerificationError::InvalidIssuer(_) => "issuer",
        ClaimsVerificationError::InvalidNonce(_) => "nonce",
        ClaimsVerificationError::SignatureVerification(_) => "signature",
        ClaimsVerificationError::Unsupported(_) => "unsupported",
        _ => "other",
    }
}

/// Compares in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn record_failure(state: &AppState, object: &str) {
    if let Err(error) = state.store.record_audit(None, "sign_in.failed", object).await {
        tracing::error!(error = %error, "single sign-on: a failed sign-in could not be audited");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SsoConfig {
        SsoConfig {
            name: "Council Entra ID".into(),
            issuer: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0".into(),
            client_id: "heard".into(),
            client_secret: Some(SecretString::from("s3cret-value")),
            public_url: "https://heard.example.gov.uk/".into(),
            role_claim: "roles".into(),
            roles: "Heard.Admin=administrator,Heard.Research=researcher".into(),
        }
    }

    fn fields(invalid: &Invalid) -> Vec<&str> {
        invalid.0.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_full_configuration_is_accepted_with_the_redirect_uri_under_the_public_url() {
        let sso = Sso::new(config()).expect("valid");
        assert_eq!(sso.redirect_uri(), "https://heard.example.gov.uk/sign-in/sso/callback");
        assert_eq!(sso.name(), "Council Entra ID");
        assert_eq!(sso.mapping().claim(), "roles");
        assert!(!format!("{sso:?}").contains("s3cret-value"), "the secret never prints");
    }

    #[test]
    fn http_is_refused_except_on_this_machine() {
        let plain = Sso::new(SsoConfig { issuer: "http://login.example.com/tenant".into(), ..config() }).unwrap_err();
        assert_eq!(fields(&plain), ["oidc-issuer"]);
        let public = Sso::new(SsoConfig { public_url: "http://heard.example.gov.uk".into(), ..config() }).unwrap_err();
        assert_eq!(fields(&public), ["public-url"]);
        let loopback = Sso::new(SsoConfig {
            issuer: "http://127.0.0.1:48500".into(),
            public_url: "http://localhost:48501".into(),
            ..config()
        });
        assert_eq!(
            loopback.expect("loopback may be http").redirect_uri(),
            "http://localhost:48501/sign-in/sso/callback"
        );
    }

    #[test]
    fn every_missing_setting_is_named() {
        let invalid = Sso::new(SsoConfig::default()).unwrap_err();
        assert_eq!(
            fields(&invalid),
            [
                "oidc-name",
                "oidc-issuer",
                "oidc-client-id",
                "oidc-client-secret",
                "public-url",
                "oidc-role-claim",
                "oidc-roles"
            ]
        );
        let blank_secret =
            Sso::new(SsoConfig { client_secret: Some(SecretString::from("  ")), ..config() }).unwrap_err();
        assert_eq!(fields(&blank_secret), ["oidc-client-secret"]);
    }

    #[test]
    fn a_bad_mapping_is_named_by_its_flag() {
        let invalid = Sso::new(SsoConfig { roles: "Heard.Admin=root".into(), ..config() }).unwrap_err();
        assert_eq!(fields(&invalid), ["oidc-roles"]);
        assert!(invalid.0[0].message.starts_with("Rule 1 names no Heard role"), "{invalid}");
    }

    #[test]
    fn claim_values_read_strings_and_arrays_of_strings() {
        let one = serde_json::json!("Heard.Admin");
        let many = serde_json::json!(["a", 7, "b", null]);
        assert_eq!(claim_values(Some(&one)), ["Heard.Admin"]);
        assert_eq!(claim_values(Some(&many)), ["a", "b"]);
        assert!(claim_values(Some(&serde_json::json!({"a": "b"}))).is_empty());
        assert!(claim_values(None).is_empty());
    }

    #[test]
    fn states_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert!(!same("", "a"));
    }
}
