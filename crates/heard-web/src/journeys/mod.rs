//! Journeys on the web: the dashboard of programmes, each programme's journey and its stages,
//! activities and who was in the room.

pub mod api;
mod pages;

pub(crate) use pages::find_programme;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(api::routes());
    routes
}
