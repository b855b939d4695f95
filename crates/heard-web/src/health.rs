//! `GET /healthz`: whether Heard and its database answer, for load balancers and monitoring.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::governance::Action;
use serde::Serialize;

use crate::AppState;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/healthz", Action::Public, healthz)]
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the database answers, `unavailable` when it does not.
    pub status: &'static str,
    pub version: &'static str,
    pub database: DatabaseHealth,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DatabaseHealth {
    /// `sqlite` or `postgresql`.
    pub backend: &'static str,
    pub reachable: bool,
}

/// Answers 200 while the database is reachable, 503 when it is not; the body says which.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let reachable = state.store.ping().await;
    let health = Health {
        status: if reachable { "ok" } else { "unavailable" },
        version: env!("CARGO_PKG_VERSION"),
        database: DatabaseHealth { backend: state.store.backend().name(), reachable },
    };
    (if reachable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(health))
}
