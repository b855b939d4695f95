//! Governance on the web: signing in and out, accounts and API tokens, users and roles, partner
//! organisations and the organisation's journey template; single sign-on by OpenID Connect.

pub mod api;
mod pages;
pub mod sso;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(api::routes());
    routes.extend(sso::routes());
    routes
}
