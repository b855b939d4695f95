//! A Deliberation Day's results to take away: `export.json` is [`Figures`] as it is; `export.csv`
//! the same figures in long form, one number a row (`section,id,text,part,measure,value`), so a
//! spreadsheet can pivot it. Aggregates and statement texts only: no attendee id, token or vote
//! of anyone.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use heard_domain::governance::Action;

use super::results::{AcrossFigures, Figures, ShiftFigures};
use super::setup::find_deliberation;
use crate::AppState;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::PageResult;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/deliberations/{id}/export.csv", Action::ViewDeliberations, csv),
        Route::get("/programmes/{slug}/deliberations/{id}/export.json", Action::ViewDeliberations, json),
    ]
}

async fn figures(state: &AppState, slug: &str, id: i64) -> Result<Figures, PageError> {
    let programme = find_programme(state, slug).await?;
    let deliberation = find_deliberation(state, &programme, id).await?;
    let snapshot = state.live.current(&state.store, deliberation.id).await?;
    Ok(Figures::of(&snapshot))
}

fn attachment(id: i64, extension: &str) -> String {
    format!("attachment; filename=\"deliberation-{id}-results.{extension}\"")
}

async fn json(State(state): State<AppState>, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let figures = figures(&state, &slug, id).await?;
    let body = serde_json::to_vec_pretty(&figures).map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(([(CONTENT_TYPE, "application/json".to_owned()), (CONTENT_DISPOSITION, attachment(id, "json"))], body)
        .into_response())
}

async fn csv(State(state): State<AppState>, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let figures = figures(&state, &slug, id).await?;
    let body = to_csv(&figures).map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, attachment(id, "csv"))], body)
        .into_response())
}

/// The columns of the CSV export.
pub const COLUMNS: [&str; 6] = ["section", "id", "text", "part", "measure", "value"];

/// Rows of the long-form CSV.
struct Rows {
    writer: csv::Writer<Vec<u8>>,
}

impl Rows {
    fn row(&mut self, section: &str, id: Option<i64>, text: &str, part: &str, measure: &str, value: impl ToString) {
        let id = id.map(|i| i.to_string()).unwrap_or_default();
        // Writing to memory fails only on an allocation failure, which aborts anyway.
        let _ = self.writer.write_record([section, &id, text, part, measure, &value.to_string()]);
    }

    fn some(
        &mut self,
        section: &str,
        id: Option<i64>,
        text: &str,
        part: &str,
        measure: &str,
        value: Option<impl ToString>,
    ) {
        if let Some(value) = value {
            self.row(section, id, text, part, measure, value);
        }
    }
}

/// The figures in long form.
pub fn to_csv(f: &Figures) -> Result<Vec<u8>, csv::Error> {
    let mut rows = Rows { writer: csv::Writer::from_writer(Vec::new()) };
    rows.writer.write_record(COLUMNS)?;
    let d = &f.deliberation;
    rows.row("deliberation", Some(d.id), &d.title, "", "held_on", &d.held_on);
    rows.row("deliberation", Some(d.id), &d.title, "", "status", &d.status);
    rows.row("deliberation", Some(d.id), &d.title, "", "prioritisation", &d.prioritisation);
    rows.row("deliberation", Some(d.id), &d.title, "", "analysed_at", &d.analysed_at);

    let p = &f.participation;
    for (measure, value) in [
        ("attendees", u64::from(p.attendees)),
        ("voters", u64::from(p.voters)),
        ("votes", p.votes),
        ("counted_in_groups", p.counted as u64),
        ("pairwise_choices", p.pairwise_choices),
        ("dot_voters", u64::from(p.dot_voters)),
        ("answered_before", u64::from(p.answered_before)),
        ("answered_after", u64::from(p.answered_after)),
    ] {
        rows.row("participation", None, "", "", measure, value);
    }
    for count in &p.by_kind {
        rows.row("participation_by_kind", None, "", &count.code, "attendees", count.count);
    }
    for count in &p.by_sector {
        rows.row("participation_by_sector", None, "", &count.code, "attendees", count.count);
    }

    for s in &f.statements {
        let id = Some(s.id);
        rows.row("statement", id, &s.text, "", "agree", s.agree);
        rows.row("statement", id, &s.text, "", "disagree", s.disagree);
        rows.row("statement", id, &s.text, "", "pass", s.pass);
        rows.row("statement", id, &s.text, "", "consensus", s.consensus);
        rows.row("statement", id, &s.text, "", "spread", s.spread);
    }

    for g in &f.groups {
        rows.row("group", None, "", &g.label, "size", g.size);
        for r in &g.representative {
            let id = Some(r.statement_id);
            let section = "representative";
            rows.row(section, id, &r.text, &g.label, "direction", r.direction);
            rows.row(section, id, &r.text, &g.label, "votes", r.votes);
            rows.row(section, id, &r.text, &g.label, "count", r.count);
            rows.row(section, id, &r.text, &g.label, "percent", r.percent);
            rows.row(section, id, &r.text, &g.label, "rest_percent", r.rest_percent);
            rows.row(section, id, &r.text, &g.label, "probability", r.probability);
            rows.row(section, id, &r.text, &g.label, "probability_rest", r.probability_rest);
            rows.row(section, id, &r.text, &g.label, "z_probability", r.z_probability);
            rows.row(section, id, &r.text, &g.label, "z_difference", r.z_difference);
            rows.row(section, id, &r.text, &g.label, "repness", r.metric);
        }
    }
    let mut across = |section: &str, list: &[AcrossFigures]| {
        for a in list {
            let id = Some(a.statement_id);
            rows.row(section, id, &a.text, "", "consensus", a.consensus);
            rows.row(section, id, &a.text, "", "spread", a.spread);
            for part in &a.parts {
                rows.row(section, id, &a.text, &part.label, "votes", part.votes);
                rows.row(section, id, &a.text, &part.label, "agree", part.agree);
                rows.row(section, id, &a.text, &part.label, "disagree", part.disagree);
            }
        }
    };
    across("consensus", &f.consensus);
    across("divisive", &f.divisive);
    across("kinds_alike", &f.kinds.alike);
    across("kinds_apart", &f.kinds.apart);
    for count in &f.kinds.kinds {
        rows.row("kind_voters", None, "", &count.code, "counted_in", count.count);
    }

    if let Some(priorities) = &f.prioritisation {
        let mut items = |part: &str, items: &[super::results::ItemFigures]| {
            for i in items {
                let section = format!("prioritisation_{}", priorities.method);
                let id = Some(i.proposition_id);
                rows.row(&section, id, &i.title, part, "rank", i.rank);
                rows.some(&section, id, &i.title, part, "wins", i.wins);
                rows.some(&section, id, &i.title, part, "losses", i.losses);
                rows.some(&section, id, &i.title, part, "aoi_score", i.score);
                rows.some(&section, id, &i.title, part, "bradley_terry_strength", i.strength);
                rows.some(&section, id, &i.title, part, "bradley_terry_low", i.low);
                rows.some(&section, id, &i.title, part, "bradley_terry_high", i.high);
                rows.some(&section, id, &i.title, part, "dots", i.dots);
                rows.some(&section, id, &i.title, part, "share_percent", i.share_percent);
            }
        };
        items("all", &priorities.all);
        for kind in &priorities.by_kind {
            items(&kind.code, &kind.items);
        }
    }

    for q in &f.questionnaire {
        let mut shift = |part: &str, s: &ShiftFigures| {
            let id = Some(q.question_id);
            rows.row("questionnaire", id, &q.text, part, "before_count", s.before_count);
            rows.some("questionnaire", id, &q.text, part, "before_mean", s.before_mean);
            rows.row("questionnaire", id, &q.text, part, "after_count", s.after_count);
            rows.some("questionnaire", id, &q.text, part, "after_mean", s.after_mean);
            rows.some("questionnaire", id, &q.text, part, "shift", s.shift);
            rows.some("questionnaire", id, &q.text, part, "shift_low", s.low);
            rows.some("questionnaire", id, &q.text, part, "shift_high", s.high);
            rows.row("questionnaire", id, &q.text, part, "paired", s.paired);
            rows.row("questionnaire", id, &q.text, part, "increased", s.increased);
            rows.row("questionnaire", id, &q.text, part, "decreased", s.decreased);
            rows.row("questionnaire", id, &q.text, part, "unchanged", s.unchanged);
            rows.some("questionnaire", id, &q.text, part, "wilcoxon_p", s.wilcoxon_p);
        };
        shift("all", &q.all);
        for kind in &q.by_kind {
            shift(&kind.code, &kind.shift);
        }
    }
    rows.writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
