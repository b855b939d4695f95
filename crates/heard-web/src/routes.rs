//! Every route Heard serves, each with the one [`Action`] it needs. This list builds the router
//! (each route wrapped in [`auth::authorise`] with its action) and is what the HTTP tests walk to
//! try every route as every role, so the table cannot drift from what is served.

use axum::Router;
use axum::handler::Handler;
use axum::http::{Method, header};
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};
use axum_login::AuthManagerLayerBuilder;
use heard_domain::audit::AuditKind;
use heard_domain::governance::Action;
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    AppState, assets, audit, auth, causes, coding, governance, health, horizon, journeys, openapi, propositions, voice,
};

/// Pages are for people in a browser; the API is for programs with a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Page,
    Api,
}

/// One route: method, path (axum syntax, `{name}` for a parameter), the action it needs, and how
/// its use is written to the audit log.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub action: Action,
    pub audited: Audited,
}

/// How a route's use reaches the audit log ([`audited`] decides, from the route alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audited {
    /// Not recorded.
    No,
    /// The router records each successful (2xx) answer: the caller's user id and the path asked for.
    ByRouter(AuditKind),
    /// The handler or the store records it, because only it knows what was shown or changed
    /// (whether consent let the original text be shown; which span was reviewed).
    ByHandler(AuditKind),
}

/// Exports are every route whose last segment is `export` or a file: whatever a person takes
/// out of Heard as a file is recorded, including routes added later.
fn is_export(path: &str) -> bool {
    const FILES: &[&str] = &[".csv", ".json", ".pdf", ".qdpx", ".qdc", ".zip", ".dot", ".html", ".xlsx"];
    let last = path.rsplit('/').next().unwrap_or(path);
    path != "/api/v1/openapi.json" && (last == "export" || FILES.iter().any(|ext| last.ends_with(ext)))
}

/// The audit mark of a route: exports are recorded by the router; original text where it is
/// shown (the handler knows whether consent allowed it); sign-in and API token use by `auth`.
pub fn audited(method: &Method, path: &str, action: Action) -> Audited {
    match action {
        _ if is_export(path) && (method == Method::GET || method == Method::POST) => {
            Audited::ByRouter(AuditKind::Export)
        }
        Action::ViewOriginalText if method == Method::GET => Audited::ByHandler(AuditKind::OriginalViewed),
        // Reviewing and correcting a redaction: the store records what changed, in its transaction.
        Action::ViewOriginalText => Audited::ByHandler(AuditKind::Change),
        Action::ManageUsers if method != Method::GET => Audited::ByHandler(AuditKind::AccessChange),
        _ if path == "/sign-in" && method == Method::POST => Audited::ByHandler(AuditKind::SignIn),
        // Single sign-on: the store records the sign-in (or its refusal) and any role change.
        _ if path == crate::governance::sso::CALLBACK => Audited::ByHandler(AuditKind::SignIn),
        _ => Audited::No,
    }
}

impl RouteSpec {
    pub fn surface(&self) -> Surface {
        if self.path.starts_with("/api/") { Surface::Api } else { Surface::Page }
    }
}

/// The largest request body a route takes, unless it reads its body as a stream and keeps its
/// own limit ([`Route::streaming_body`]).
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A route with its handler, as the area modules declare them.
pub struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
    streams_body: bool,
}

macro_rules! constructor {
    ($name:ident, $method:ident) => {
        pub fn $name<H, T>(path: &'static str, action: Action, handler: H) -> Route
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            Route {
                spec: RouteSpec {
                    method: Method::$method,
                    path,
                    action,
                    audited: audited(&Method::$method, path, action),
                },
                handler: on(MethodFilter::$method, handler),
                streams_body: false,
            }
        }
    };
}

impl Route {
    constructor!(get, GET);
    constructor!(post, POST);
    constructor!(put, PUT);
    constructor!(patch, PATCH);
    constructor!(delete, DELETE);

    /// For an upload that the handler reads as a stream, never whole, and limits itself (to a
    /// setting, with a message a person can act on): the router sets no limit of its own on it.
    pub fn streaming_body(mut self) -> Route {
        self.streams_body = true;
        self
    }
}

fn all_routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(health::routes());
    routes.extend(openapi::routes());
    routes.extend(governance::routes());
    routes.extend(journeys::routes());
    routes.extend(voice::routes());
    routes.extend(coding::routes());
    routes.extend(causes::routes());
    routes.extend(horizon::routes());
    routes.extend(crate::deliberation::attend::routes());
    routes.extend(crate::deliberation::setup::routes().into_iter().chain(crate::deliberation::api::routes()));
    routes.extend(propositions::routes());
    routes.extend(crate::deliberation::projector::routes());
    routes.extend(crate::deliberation::results::routes());
    routes.extend(crate::deliberation::export::routes());
    routes.extend(crate::decisions::routes());
    routes.extend(crate::learning::routes());
    routes.extend(crate::reports::routes());
    routes.extend(crate::protection::routes());
    routes.extend(audit::routes());
    routes
}

/// The method, path and action of every route, for tests and documentation.
pub fn route_specs() -> Vec<RouteSpec> {
    all_routes().into_iter().map(|route| route.spec).collect()
}

/// The application: every route behind its permission check, sessions, assets.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for Route { spec, handler, streams_body } in all_routes() {
        let handler = if streams_body {
            handler.layer(axum::extract::DefaultBodyLimit::disable())
        } else {
            handler.layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        };
        let handler = match spec.surface() {
            Surface::Page => handler.layer(axum::middleware::map_response(too_large_page)),
            Surface::Api => handler.layer(axum::middleware::map_response(too_large_api)),
        };
        let handler = match spec.audited {
            Audited::ByRouter(kind) => handler.layer(from_fn_with_state((state.clone(), kind), record_use)),
            Audited::ByHandler(_) | Audited::No => handler,
        };
        let guarded = handler.layer(from_fn_with_state((state.clone(), spec.action), auth::authorise));
        router = router.route(spec.path, guarded);
    }
    let sessions = SessionManagerLayer::new(state.store.session_store())
        .with_name("heard_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(state.settings.idle_timeout).unwrap_or(time::Duration::minutes(30)),
        ));
    let auth_layer = AuthManagerLayerBuilder::new(auth::Backend(state.clone()), sessions).build();
    let hsts = state.settings.secure_cookies;
    let app = router.fallback(not_found).layer(auth_layer).with_state(state);
    // Nothing of a person is cached by a browser or proxy; the assets are cached.
    let app = app.layer(set_header(header::CACHE_CONTROL, "no-store")).merge(assets::router());
    with_security_headers(app, hsts)
}

fn set_header(
    name: axum::http::HeaderName,
    value: &'static str,
) -> tower_http::set_header::SetResponseHeaderLayer<axum::http::HeaderValue> {
    tower_http::set_header::SetResponseHeaderLayer::if_not_present(name, axum::http::HeaderValue::from_static(value))
}

/// The Content-Security-Policy of every answer: scripts, styles, fonts and pictures come only from
/// Heard itself, no inline script or style attribute runs, nothing is framed or frames Heard, and
/// forms post only to Heard.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self'; frame-ancestors 'none'; \
     form-action 'self'; base-uri 'none'; object-src 'none'";

/// Headers on every answer, pages, API, assets and errors alike: the policy above, no sniffing of
/// content types, no address sent to other sites, no framing (for browsers that predate
/// frame-ancestors). Strict-Transport-Security only when Heard is reached over HTTPS
/// (`HEARD_SECURE_COOKIES`, the same setting that marks cookies Secure): sent over plain HTTP it
/// would be ignored at best, and a wrong setting would lock browsers out for a year.
fn with_security_headers(router: Router, hsts: bool) -> Router {
    let router = router
        .layer(set_header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .layer(set_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set_header(header::REFERRER_POLICY, "same-origin"));
    if hsts { router.layer(set_header(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000")) } else { router }
}

/// Records a successful answer of an audited route (an export): who asked (user id) and the path
/// they asked for (ids and slugs, never a query string). If the entry cannot be written, the
/// answer is withheld: nothing leaves unrecorded.
async fn record_use(
    axum::extract::State((state, kind)): axum::extract::State<(AppState, AuditKind)>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let actor = request.extensions().get::<Option<auth::CurrentUser>>().cloned().flatten().map(|user| user.id);
    let api = request.uri().path().starts_with("/api/");
    let object = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    if !response.status().is_success() {
        return response;
    }
    let entry = heard_store::AuditEntry::new(kind, kind.code(), object).by(actor);
    match state.store.audit(&entry).await {
        Ok(_) => response,
        Err(error) if api => crate::error::ApiError::internal(error).into_response(),
        Err(error) => crate::error::PageError::Internal(format!("the audit log: {error}")).into_response(),
    }
}

/// Whether a response is a bare "413 Payload Too Large" from the body limit or an extractor,
/// rather than an answer a handler wrote for people.
fn is_bare_too_large(response: &axum::response::Response) -> bool {
    use axum::http::{StatusCode, header};
    let written = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    response.status() == StatusCode::PAYLOAD_TOO_LARGE && !written
}

/// A form sent with more than a page takes gets a page that says so, not a bare 413.
async fn too_large_page(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    if is_bare_too_large(&response) { crate::error::PageError::TooLarge.into_response() } else { response }
}

/// The same for the API, in its one error shape.
async fn too_large_api(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    if is_bare_too_large(&response) {
        crate::error::ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body is larger than {} MB", BODY_LIMIT / (1024 * 1024)),
        )
        .into_response()
    } else {
        response
    }
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        crate::error::ApiError::not_found().into_response()
    } else {
        crate::error::PageError::NotFound.into_response()
    }
}
