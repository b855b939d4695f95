//! Heard's web layer: server-rendered pages (GOV.UK Design System), the JSON API under `/api/v1`
//! and its OpenAPI document. Each area has a module with `pages` and `api`; [`routes`] lists every
//! route with the action it needs, and that one list both builds the router and drives the tests.

mod assets;
mod audit;
mod auth;
mod causes;
mod coding;
mod csrf;
mod decisions;
pub mod deliberation;
mod error;
mod governance;
mod health;
mod horizon;
mod journeys;
mod learning;
mod multipart;
mod openapi;
mod propositions;
pub mod protection;
mod render;
pub mod reports;
mod routes;
mod voice;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use heard_store::Store;
use heard_store::media::MediaStore;

/// What the benchmarks time that the crate does not otherwise export.
#[doc(hidden)]
pub mod bench {
    pub use crate::causes::picture::{FactorMark, Highlight, Picture, PictureError, png, svg};
}

pub use auth::SignInLimits;
pub use error::{ApiErrorBody, ApiErrorDetail};
pub use governance::sso::{Sso, SsoConfig};
pub use openapi::openapi_document;
pub use routes::{Audited, CONTENT_SECURITY_POLICY, RouteSpec, Surface, route_specs};

/// Settings the web layer needs; the CLI fills them from flags and `HEARD_*` variables.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure`: set when Heard is reached over HTTPS (through a proxy).
    pub secure_cookies: bool,
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout: Duration,
    /// Sign-in attempts allowed per account, and per client address, each minute.
    pub sign_in_attempts_per_account: u32,
    pub sign_in_attempts_per_address: u32,
    /// The largest film recording (video or audio file) accepted, in bytes.
    pub max_media_bytes: u64,
    /// Single sign-on by OpenID Connect, when configured.
    pub sso: Option<Arc<Sso>>,
    /// Whether people may sign in with an email address and password (always, without single sign-on).
    pub password_sign_in: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            sign_in_attempts_per_account: 5,
            sign_in_attempts_per_address: 30,
            max_media_bytes: 200 * 1024 * 1024,
            sso: None,
            password_sign_in: true,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    /// Where film recordings are kept.
    pub media: Arc<dyn MediaStore>,
    pub settings: WebSettings,
    /// Open deliberations' change announcements, for the projector and the analysis.
    pub live: deliberation::live::Live,
    sign_in_limits: SignInLimits,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, media: Arc<dyn MediaStore>, settings: WebSettings) -> Self {
        let sign_in_limits = SignInLimits::new(&settings);
        Self(Arc::new(Inner { store, media, sign_in_limits, settings, live: Default::default() }))
    }
}

/// The whole application as one router, ready to serve.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
