//! Journeys on the web: the dashboard of programmes, each programme's journey and its stages,
//! activities and who was in the room.

pub mod api;
mod pages;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(api::routes());
    routes
}
