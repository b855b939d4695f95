//! Coding on the web: the codebook ([`codebook`]), coding a source's text and memos
//! ([`excerpts`]), insights and the gaps in who was heard ([`insights`]), matrices and agreement
//! ([`analysis`]), assisted coding and theme discovery ([`assist`]), REFI-QDA export and import
//! ([`exchange`]), and the API ([`api`]). Everything shown is redacted text.

pub mod analysis;
pub mod api;
pub mod assist;
pub mod codebook;
pub mod excerpts;
pub mod exchange;
pub mod insights;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = codebook::routes();
    routes.extend(excerpts::routes());
    routes.extend(insights::routes());
    routes.extend(analysis::routes());
    routes.extend(assist::routes());
    routes.extend(exchange::routes());
    routes.extend(api::routes());
    routes
}
