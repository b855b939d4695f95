//! (being written)

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    Vec::new()
}
