//! The projector view of a Deliberation Day, to be read from the back of the room: how to join
//! (the address, the code and a QR code), who has taken part, the opinion map, what each group
//! stands for, what everyone agrees on and the leading propositions.
//!
//! It updates itself through server-sent events (`.../projector/events`): each announced change
//! sends the counts (read from the store at once, at most every [`COUNTS_EVERY`]) and each new
//! analysis the parts drawn from it, as HTML fragments by element id that `assets/projector.js`
//! swaps in. Without JavaScript a Refresh link reloads the page.
//!
//! Route action: `ViewDeliberations`, not `RunDeliberations`. The projector changes nothing and
//! shows only aggregates and the join code, which is on the wall of the room anyway, so anyone who
//! may see the deliberation may watch it (a researcher following from another room, say).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use heard_domain::deliberation::days::DeclaredKind;
use heard_domain::governance::Action;
use heard_store::deliberation::{Deliberation, Participation};
use minijinja::{Value, context};
use serde::Serialize;
use tokio::sync::watch;

use super::live::{Latest, Snapshot};
use super::results::{Count, Figures, opinion_map};
use super::setup::find_deliberation;
use crate::AppState;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Page, PageResult, render};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/deliberations/{id}/projector", Action::ViewDeliberations, projector),
        Route::get("/programmes/{slug}/deliberations/{id}/projector/events", Action::ViewDeliberations, events),
    ]
}

/// The least time between two updates of the counts on one projector.
pub const COUNTS_EVERY: Duration = Duration::from_millis(250);
/// Statements shown as what everyone agrees on, and propositions as leading.
const AGREED: usize = 3;
const LEADING: usize = 5;

/// The counts the projector shows.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub attendees: u32,
    pub voters: u32,
    pub votes: u64,
    /// Kinds with at least one attendee.
    pub by_kind: Vec<Count>,
}

impl Counts {
    pub fn of(p: &Participation) -> Counts {
        let by_kind = DeclaredKind::ALL
            .iter()
            .filter_map(|k| {
                let count = *p.by_kind.get(k).filter(|&&n| n > 0)?;
                Some(Count { code: k.code().to_owned(), label: k.label().to_owned(), count: u64::from(count) })
            })
            .collect();
        Counts { attendees: p.attendees, voters: p.voters, votes: p.votes, by_kind }
    }
}

/// The parts of the page that change, by element id, as HTML.
type Parts = BTreeMap<&'static str, String>;

fn counts_part(counts: &Counts, parts: &mut Parts) -> Result<(), PageError> {
    parts.insert("projector-counts", render("deliberation/projector/counts.html", context! { counts })?);
    Ok(())
}

fn analysis_parts(snapshot: &Snapshot, parts: &mut Parts) -> Result<(), PageError> {
    let figures = Figures::of(snapshot);
    let (map, map_rows) = opinion_map(snapshot, &figures);
    let ctx = context! {
        figures,
        map => Value::from_safe_string(map),
        map_rows,
        agreed => figures.consensus.iter().take(AGREED).collect::<Vec<_>>(),
        leading => figures.prioritisation.as_ref().map(|p| p.all.iter().take(LEADING).collect::<Vec<_>>()),
        method => figures.prioritisation.as_ref().map(|p| p.method),
    };
    for (id, template) in [
        ("projector-map", "deliberation/projector/map.html"),
        ("projector-groups", "deliberation/projector/groups.html"),
        ("projector-agreed", "deliberation/projector/agreed.html"),
        ("projector-priorities", "deliberation/projector/priorities.html"),
    ] {
        parts.insert(id, render(template, ctx.clone())?);
    }
    Ok(())
}

/// Where attendees join: the host to type before `/join` (no scheme) and the URL the QR code holds.
fn join_addresses(state: &AppState, headers: &HeaderMap, deliberation: &Deliberation) -> (String, String) {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if state.settings.secure_cookies { "https" } else { "http" };
    (host.to_owned(), format!("{scheme}://{host}/d/{}", deliberation.join_code))
}

/// A QR code of `url` as inline SVG, named for screen readers by what it holds.
pub fn qr_svg(url: &str) -> Option<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let drawn = code.render::<svg::Color>().min_dimensions(320, 320).quiet_zone(true).build();
    // The renderer starts with an XML declaration, which has no place inside an HTML page.
    let start = drawn.find("<svg")?;
    let label = url.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    Some(drawn[start..].replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"QR code of {label}\" class=\"heard-projector__qr\""),
        1,
    ))
}

async fn projector(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let deliberation = find_deliberation(&state, &programme, id).await?;
    let (join_host, join_url) = join_addresses(&state, &headers, &deliberation);
    let counts = Counts::of(&state.store.participation(deliberation.id).await?);
    let snapshot = state.live.snapshot(&state.store, deliberation.id).await?;
    let mut parts = Parts::new();
    counts_part(&counts, &mut parts)?;
    analysis_parts(&snapshot, &mut parts)?;
    let qr = qr_svg(&join_url).unwrap_or_default();
    let ctx = context! {
        programme,
        code => deliberation.join_code_shown(),
        deliberation,
        join_host,
        join_url,
        qr => Value::from_safe_string(qr),
        parts => parts.into_iter().map(|(k, v)| (k, Value::from_safe_string(v))).collect::<BTreeMap<_, _>>(),
        events => format!("/programmes/{slug}/deliberations/{id}/projector/events"),
    };
    Ok(page.render("deliberation/projector.html", ctx)?.into_response())
}

/// What one projector's stream has to do next.
struct Feed {
    state: AppState,
    id: i64,
    changes: watch::Receiver<u64>,
    latest: watch::Receiver<Latest>,
    first: bool,
    counted_at: tokio::time::Instant,
}

impl Feed {
    async fn counts(&self, parts: &mut Parts) -> Result<(), PageError> {
        let participation = self.state.store.participation(self.id).await?;
        counts_part(&Counts::of(&participation), parts)
    }

    /// The next event: everything at first, then the counts after a change and the analysed
    /// parts after a new analysis. `None` ends the stream (the channels closed).
    async fn next(&mut self) -> Option<Event> {
        let mut parts = Parts::new();
        let done = if self.first {
            self.first = false;
            self.changes.borrow_and_update();
            let latest = self.latest.borrow_and_update().clone();
            let counted = self.counts(&mut parts).await;
            match latest {
                Latest::Ready(snapshot) => counted.and_then(|()| analysis_parts(&snapshot, &mut parts)),
                _ => counted,
            }
        } else {
            tokio::select! {
                changed = self.changes.changed() => {
                    changed.ok()?;
                    // Votes come in bursts: one read of the counts serves every change in the wait.
                    tokio::time::sleep_until(self.counted_at + COUNTS_EVERY).await;
                    self.changes.borrow_and_update();
                    self.counted_at = tokio::time::Instant::now();
                    // Keeps the analysis running while the room is busy.
                    self.state.live.start(&self.state.store, self.id);
                    self.counts(&mut parts).await
                }
                changed = self.latest.changed() => {
                    changed.ok()?;
                    let latest = self.latest.borrow_and_update().clone();
                    match latest {
                        Latest::Ready(snapshot) => analysis_parts(&snapshot, &mut parts),
                        _ => Ok(()),
                    }
                }
            }
        };
        if let Err(error) = done {
            tracing::warn!(deliberation = self.id, %error, "projector update failed");
        }
        if parts.is_empty() {
            return Some(Event::default().comment("nothing new"));
        }
        Some(Event::default().event("parts").json_data(&parts).unwrap_or_else(|_| Event::default().comment("unsent")))
    }
}

async fn events(
    State(state): State<AppState>,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    let programme = find_programme(&state, &slug).await?;
    let deliberation = find_deliberation(&state, &programme, id).await?;
    let changes = state.live.watch(deliberation.id);
    let latest = state.live.start(&state.store, deliberation.id);
    let feed = Feed {
        state: state.clone(),
        id: deliberation.id,
        changes,
        latest,
        first: true,
        counted_at: tokio::time::Instant::now(),
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        let event = feed.next().await?;
        Some((Ok(event), feed))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
