//! The horizon area's pages and API: signals of change with their scoring history ([`signals`]),
//! drivers that group them ([`drivers`]), the radar and the impact-by-uncertainty matrix drawn by
//! [`picture`], CSV import and export in the Build Your Own Radar layout and in full
//! ([`exchange`]), and `/api/v1` ([`api`]). Signals are the organisation's, linked to programmes.

pub mod api;
pub mod drivers;
pub mod exchange;
pub mod picture;
pub mod signals;

use heard_domain::horizon::signals::{Category, Horizon};
use heard_store::horizon::{Signal, SignalFilter};
use heard_store::{Programme, StoreError};

use crate::AppState;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = signals::routes();
    routes.extend(drivers::routes());
    routes.extend(exchange::routes());
    routes.extend(api::routes());
    routes
}

/// The filters a list, picture or export takes from its query: `programme` (a slug), `category`,
/// `horizon`, `kind`, each a code; anything unknown is ignored, so a stale link still opens.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FilterQuery {
    pub programme: String,
    pub category: String,
    pub horizon: String,
    pub kind: String,
}

/// The filter with its programme found; `Ok(None)` when the slug names no programme.
pub struct Chosen {
    pub filter: SignalFilter,
    pub programme: Option<Programme>,
}

impl FilterQuery {
    pub async fn resolve(&self, state: &AppState) -> Result<Option<Chosen>, StoreError> {
        let programme = match self.programme.trim() {
            "" => None,
            slug => match state.store.programme(slug).await? {
                Some(programme) => Some(programme),
                None => return Ok(None),
            },
        };
        let filter = SignalFilter {
            programme_id: programme.as_ref().map(|p| p.id),
            category: self.category.trim().parse().ok(),
            horizon: self.horizon.trim().parse().ok(),
            kind: self.kind.trim().parse().ok(),
            due_on: None,
        };
        Ok(Some(Chosen { filter, programme }))
    }

    /// The query again, for links between the list and the pictures.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("programme", &self.programme),
            ("category", &self.category),
            ("horizon", &self.horizon),
            ("kind", &self.kind),
        ];
        serde_html_form::to_string(pairs.iter().filter(|(_, v)| !v.trim().is_empty()).collect::<Vec<_>>())
            .unwrap_or_default()
    }
}

/// The radar's sectors in category order, and the horizons as rings, nearest first.
pub fn radar_entries(signals: &[Signal]) -> Vec<picture::RadarEntry> {
    use heard_analysis::horizon::radar::{Cell, Dot};
    let cell = |horizon: Horizon, category: Category| Cell { ring: ring(horizon), sector: sector(category) };
    signals
        .iter()
        .map(|signal| picture::RadarEntry {
            title: signal.title.clone(),
            href: format!("/signals/{}", signal.id),
            dot: Dot {
                cell: cell(signal.current.horizon, signal.primary_category()),
                previous: signal.previous.as_ref().map(|p| cell(p.horizon, signal.primary_category())),
            },
        })
        .collect()
}

pub fn ring(horizon: Horizon) -> usize {
    Horizon::ALL.iter().position(|h| *h == horizon).unwrap_or(0)
}

pub fn sector(category: Category) -> usize {
    Category::ALL.iter().position(|c| *c == category).unwrap_or(0)
}

/// The radar's words, from the vocabularies.
pub fn radar_labels() -> (Vec<&'static str>, Vec<(&'static str, &'static str)>) {
    let sectors = Category::ALL.iter().map(|c| c.label()).collect();
    let rings = Horizon::ALL.iter().map(|h| (h.short(), h.label())).collect();
    (sectors, rings)
}
