//! Who is asking, and may they? Password sign-in with server-side sessions (axum-login over
//! tower-sessions, stored in Heard's own database), personal API tokens for `/api/v1`, sign-in rate
//! limits, and [`authorise`]: the middleware every route passes through with the [`Action`] it needs.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_login::{AuthUser, AuthnBackend};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use heard_domain::governance::{Action, ApiToken, Email, PasswordHash, Role, permits};
use heard_store::{StoreError, User};
use time::OffsetDateTime;

use crate::error::{ApiError, PageError};
use crate::render::Flash;
use crate::{AppState, WebSettings};

/// The person behind a request, as handlers see them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CurrentUser {
    pub id: i64,
    pub role: Role,
    pub display_name: String,
}

impl From<&User> for CurrentUser {
    fn from(user: &User) -> Self {
        Self { id: user.id, role: user.role, display_name: user.display_name.clone() }
    }
}

/// A signed-in user as kept in the session.
#[derive(Clone)]
pub struct SessionUser(pub User);

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionUser({})", self.0.id)
    }
}

impl AuthUser for SessionUser {
    type Id = i64;

    fn id(&self) -> i64 {
        self.0.id
    }

    /// Changing the password ends every other session of that user.
    fn session_auth_hash(&self) -> &[u8] {
        self.0.password_hash.as_bytes()
    }
}

pub struct Credentials {
    pub email: Email,
    pub password: String,
}

/// axum-login's view of Heard's accounts.
#[derive(Clone)]
pub struct Backend(pub AppState);

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = Credentials;
    type Error = StoreError;

    async fn authenticate(&self, credentials: Credentials) -> Result<Option<SessionUser>, StoreError> {
        let user = self.0.store.user_by_email(&credentials.email).await?;
        // Verify against a dummy hash for unknown emails so the time taken does not tell.
        let hash = match &user {
            Some(user) => PasswordHash::from_stored(user.password_hash.clone()),
            None => PasswordHash::dummy(),
        };
        let password = credentials.password;
        let matches = tokio::task::spawn_blocking(move || hash.verify(&password)).await.unwrap_or(false);
        // Audited by user id; an address that names no account is not kept, nor any password.
        let (actor, action, object) = match &user {
            Some(user) if matches && user.active => (Some(user.id), "sign_in", format!("user {}", user.id)),
            Some(user) => (None, "sign_in.failed", format!("user {}", user.id)),
            None => (None, "sign_in.failed", "unknown account".to_owned()),
        };
        self.0.store.record_audit(actor, action, &object).await?;
        Ok(user.filter(|user| matches && user.active).map(SessionUser))
    }

    async fn get_user(&self, id: &i64) -> Result<Option<SessionUser>, StoreError> {
        Ok(self.0.store.user(*id).await?.filter(|user| user.active).map(SessionUser))
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;

const SIGNED_IN_AT: &str = "heard.signed_in_at";

/// Marks the moment of sign-in, from which the absolute timeout counts.
pub async fn mark_signed_in(session: &tower_sessions::Session) -> Result<(), PageError> {
    session
        .insert(SIGNED_IN_AT, OffsetDateTime::now_utc().unix_timestamp())
        .await
        .map_err(|e| PageError::Internal(e.to_string()))
}

/// Checks the route's action against the permission table before the handler runs, and hands the
/// handler the [`CurrentUser`]. Pages use the session; the API uses bearer tokens only, so no
/// cookie can be used to call it from another site.
pub async fn authorise(
    State((state, action)): State<(AppState, Action)>,
    mut auth: AuthSession,
    mut request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let user = if api {
        match bearer_user(&state, request.headers().get(AUTHORIZATION).cloned()).await {
            Ok(user) => user,
            Err(error) => return error.into_response(),
        }
    } else {
        match session_user(&state, &mut auth).await {
            Ok(user) => user,
            Err(error) => return error.into_response(),
        }
    };
    let role = user.as_ref().map(|u| u.role);
    if !permits(role, action) {
        return match (api, user.is_some()) {
            (true, false) => ApiError::unauthenticated().into_response(),
            (true, true) => ApiError::forbidden().into_response(),
            (false, false) => Redirect::to("/sign-in").into_response(),
            (false, true) => PageError::Forbidden.into_response(),
        };
    }
    request.extensions_mut().insert(user);
    next.run(request).await
}

async fn bearer_user(state: &AppState, header: Option<HeaderValue>) -> Result<Option<CurrentUser>, ApiError> {
    let Some(header) = header else {
        return Ok(None);
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|token| ApiToken::parse(token.trim()))
        .ok_or_else(ApiError::unauthenticated)?;
    let user = state.store.user_by_api_token(&token.hash()).await.map_err(ApiError::internal)?;
    user.map(|user| Some(CurrentUser::from(&user))).ok_or_else(ApiError::unauthenticated)
}

async fn session_user(state: &AppState, auth: &mut AuthSession) -> Result<Option<CurrentUser>, PageError> {
    let Some(SessionUser(user)) = auth.user.clone() else {
        return Ok(None);
    };
    let signed_in_at: Option<i64> = auth.session.get(SIGNED_IN_AT).await.ok().flatten();
    let limit = i64::try_from(state.settings.absolute_timeout.as_secs()).unwrap_or(i64::MAX);
    let expired = signed_in_at.is_none_or(|at| OffsetDateTime::now_utc().unix_timestamp().saturating_sub(at) > limit);
    if expired {
        auth.logout().await.map_err(|e| PageError::Internal(e.to_string()))?;
        Flash::set(&auth.session, "You were signed out because your session reached its time limit. Sign in again.")
            .await;
        return Ok(None);
    }
    Ok(Some(CurrentUser::from(&user)))
}

/// Sign-in attempts allowed per account and per client address.
pub struct SignInLimits {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimits {
    pub fn new(settings: &WebSettings) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_account: RateLimiter::keyed(per_minute(settings.sign_in_attempts_per_account)),
            per_address: RateLimiter::keyed(per_minute(settings.sign_in_attempts_per_address)),
        }
    }

    /// Counts one attempt; false when either limit is used up.
    pub fn allow(&self, email: &str, address: Option<IpAddr>) -> bool {
        self.per_account.retain_recent();
        self.per_address.retain_recent();
        let address_ok = address.is_none_or(|ip| self.per_address.check_key(&ip).is_ok());
        address_ok && self.per_account.check_key(&email.to_lowercase()).is_ok()
    }
}

/// The API caller; present on every API route that is not public (see [`authorise`]).
pub struct ApiUser(pub CurrentUser);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Option<CurrentUser>>()
            .cloned()
            .flatten()
            .map(ApiUser)
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// The client's address when the server was started with connect info (absent in some tests).
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip())))
    }
}
