//! "You said, we did": a programme's public page, read without signing in once a commissioner has
//! published it. In plain English: what was heard (insights, people counted by kind, and only
//! quotes whose speakers all consent to anonymous quotation, in their redacted words), what was
//! decided and why, and where a decision departs from the Deliberation Day with its reason. A
//! contributor posts their receipt code to see which decisions their story fed into; the code is
//! posted, never put in a URL, and never logged.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use heard_domain::Invalid;
use heard_domain::dates::display;
use heard_domain::governance::Action;
use heard_domain::voice::forms::ReceiptCode;
use heard_domain::voice::participants::ParticipantKind;
use heard_store::Programme;
use minijinja::{Value, context};

use super::money;
use super::trail::consented;
use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::render::{Page, PageResult};
use crate::routes::Route;

/// Quotes shown per insight, at most.
const QUOTES_PER_INSIGHT: usize = 2;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/you-said-we-did/{slug}", Action::Public, show),
        Route::post("/you-said-we-did/{slug}", Action::Public, receipt),
    ]
}

/// The programme if its page is published; not found otherwise, so an unpublished page says
/// nothing about whether it exists.
async fn published(state: &AppState, slug: &str) -> Result<Programme, PageError> {
    let programme = state.store.programme(slug).await?.ok_or(PageError::NotFound)?;
    match state.store.you_said_we_did_published(programme.id).await? {
        Some(_) => Ok(programme),
        None => Err(PageError::NotFound),
    }
}

/// Everything the public page shows, from each decision's trail.
async fn content(state: &AppState, programme: &Programme) -> Result<Value, PageError> {
    let mut decisions = Vec::new();
    let mut heard: BTreeMap<i64, Value> = BTreeMap::new();
    let mut people: BTreeMap<ParticipantKind, usize> = BTreeMap::new();
    let mut counted: BTreeSet<i64> = BTreeSet::new();
    for summary in state.store.decisions(programme.id).await? {
        let Some(trail) = state.store.decision_trail(programme.id, summary.id).await? else { continue };
        for p in &trail.propositions {
            let insights = p.insights.iter().chain(p.factors.iter().flat_map(|f| f.insights.iter()));
            for insight in insights {
                if counted.insert(insight.id) {
                    let quotes: Vec<String> = insight
                        .excerpts
                        .iter()
                        .filter(|e| consented(e))
                        .map(|e| e.quote.clone())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .take(QUOTES_PER_INSIGHT)
                        .collect();
                    heard.insert(
                        insight.id,
                        context! { statement => insight.statement, quotes, people => insight.participants },
                    );
                }
            }
        }
        for k in &trail.breadth.by_kind {
            let entry = people.entry(k.kind).or_default();
            *entry = (*entry).max(k.participants);
        }
        let d = &trail.decision;
        let departures: Vec<Value> = d
            .departures
            .iter()
            .map(|x| {
                let place =
                    format!("{} of {}", heard_domain::decisions::ordinal(u32::try_from(x.rank).unwrap_or(0)), x.ranked);
                context! {
                    title => x.proposition_title,
                    not_taken_up => x.kind == heard_domain::decisions::DepartureKind::NotTakenUp,
                    place,
                    reason => x.reason,
                }
            })
            .collect();
        decisions.push(context! {
            id => d.id,
            title => d.title,
            service_change => d.service_change,
            rationale => d.rationale,
            decided_by => d.decided_by,
            decided_by_kind => d.decided_by_kind.code(),
            decided_on => display(d.decided_on),
            budget => d.budget_pence.map(money),
            period_start => d.period_start.map(display),
            period_end => d.period_end.map(display),
            deliberation => d.deliberation.as_ref().map(|g| context! { title => g.title, held_on => display(g.held_on) }),
            propositions => trail.propositions.iter().map(|p| p.title.clone()).collect::<Vec<_>>(),
            people => trail.breadth.participants,
            departures,
        });
    }
    let people: Vec<Value> = people
        .into_iter()
        .map(|(kind, n)| context! { kind => super::trail_kind_plural(kind, n), count => n })
        .collect();
    Ok(context! {
        programme => context! { slug => programme.slug, name => programme.name, aim => programme.aim },
        decisions,
        heard => heard.into_values().collect::<Vec<_>>(),
        people,
    })
}

async fn show(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = published(&state, &slug).await?;
    let ctx = content(&state, &programme).await?;
    page.respond("decisions/public.html", context! { values => FormFields::default().values(), ..ctx }, None)
}

async fn receipt(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = published(&state, &slug).await?;
    let ctx = content(&state, &programme).await?;
    let not_found =
        || Invalid::one("receipt", "We could not find a story given to this programme with that receipt code");
    let code = match ReceiptCode::parse("receipt", form.get("receipt")) {
        Ok(code) => code,
        Err(invalid) => {
            return page.respond("decisions/public.html", context! { values => form.values(), ..ctx }, Some(&invalid));
        }
    };
    match state.store.decisions_fed_by_receipt(&code).await? {
        Some((programme_id, fed)) if programme_id == programme.id => {
            let fed: Vec<Value> = fed
                .into_iter()
                .map(|f| context! { id => f.decision_id, title => f.title, decided_on => display(f.decided_on) })
                .collect();
            page.respond(
                "decisions/public.html",
                context! { fed, looked_up => true, values => FormFields::default().values(), ..ctx },
                None,
            )
        }
        _ => page.respond("decisions/public.html", context! { values => form.values(), ..ctx }, Some(&not_found())),
    }
}
