//! The causes area's pages and API: cause maps built in the browser with plain forms (the
//! keyboard path for everything), their analysis as a table, their pictures (SVG and PNG), and
//! their interchange with Kumu and Graphviz.

pub mod api;
mod exchange;
mod factors;
pub(crate) mod maps;
pub(crate) mod picture;

use heard_analysis::causes::layout::{Layout, layout};
use heard_analysis::causes::{Analysis, CauseMap as Graph, Limits, analyse};
use heard_store::causes::CauseMap;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = maps::routes();
    routes.extend(factors::routes());
    routes.extend(exchange::routes());
    routes.extend(api::routes());
    routes
}

/// A stored map as the analysis sees it: factors by index in the person's order.
pub(crate) struct Drawn {
    pub graph: Graph,
    pub order: Vec<i64>,
    pub analysis: Analysis,
}

impl Drawn {
    pub fn of(map: &CauseMap) -> Drawn {
        let (graph, order) = map.graph();
        let analysis = analyse(&graph, Limits::default());
        Drawn { graph, order, analysis }
    }

    pub fn layout(&self) -> Layout {
        layout(&self.graph, &self.order)
    }
}

/// How strong the evidence behind a factor is, in words: a leverage point with none is a guess.
pub(crate) fn evidence_strength(insights: i64, excerpts: i64, participants: i64) -> &'static str {
    match (insights + excerpts, participants) {
        (0, _) => "None yet",
        (_, p) if p >= 3 && insights >= 1 => "Well evidenced",
        _ => "Some",
    }
}
