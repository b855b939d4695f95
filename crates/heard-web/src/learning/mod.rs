//! The learning area's pages and API: the learning log, where anyone on a programme writes
//! reflections and changes or deletes their own ([`pages`], [`api`]), and the programme's story of
//! transformation: stages, activities, deliberations, decisions and reflections on one timeline
//! ([`story`]).

pub mod api;
pub mod pages;
pub mod story;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(story::routes());
    routes.extend(api::routes());
    routes
}
