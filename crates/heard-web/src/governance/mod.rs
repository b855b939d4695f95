//! Governance on the web: signing in and out, accounts and API tokens, users and roles, partner
//! organisations and the organisation's journey template.

pub mod api;
mod pages;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(api::routes());
    routes
}
