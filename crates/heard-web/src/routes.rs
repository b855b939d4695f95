//! Every route Heard serves, each with the one [`Action`] it needs. This list builds the router
//! (each route wrapped in [`auth::authorise`] with its action) and is what the HTTP tests walk to
//! try every route as every role, so the table cannot drift from what is served.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};
use axum_login::AuthManagerLayerBuilder;
use heard_domain::governance::Action;
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    AppState, assets, auth, causes, coding, governance, health, horizon, journeys, openapi, propositions, voice,
};

/// Pages are for people in a browser; the API is for programs with a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Page,
    Api,
}

/// One route: method, path (axum syntax, `{name}` for a parameter), and the action it needs.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub action: Action,
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
                spec: RouteSpec { method: Method::$method, path, action },
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
    let app = router.fallback(not_found).layer(auth_layer).with_state(state);
    with_security_headers(app).merge(assets::router())
}

/// Headers on every page and API answer (not the static assets, which are cached): nothing of a
/// person is cached by a browser or proxy, scripts and styles come only from Heard itself, and no
/// other site can frame a page.
fn with_security_headers(router: Router) -> Router {
    use axum::http::{HeaderName, HeaderValue, header};
    use tower_http::set_header::SetResponseHeaderLayer;
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
        ))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
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
