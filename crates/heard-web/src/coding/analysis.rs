//! Matrices and agreement on the web: which codes meet on the same excerpts, codes by who was
//! heard (kind of participant, age band, area), the excerpts behind any count, and how far the
//! programme's coders agree, with where they differ. Every figure is from the store's
//! `co_occurrence`, `attribute_matrix` and `agreement`; the handlers only lay them out.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use heard_domain::governance::Action;
use heard_domain::vocabulary::Vocabulary;
use heard_domain::voice::participants::{AgeBand, ParticipantKind};
use heard_store::coding::{Attribute, Code};
use minijinja::context;
use serde::Serialize;

use crate::AppState;
use crate::csrf::FormFields;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Page, PageResult};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/matrices", Action::ViewCoding, matrices),
        Route::get("/programmes/{slug}/matrices/excerpts", Action::ViewCoding, matrix_excerpts),
        Route::get("/programmes/{slug}/agreement", Action::ViewCoding, agreement),
    ]
}

/// The most disagreements listed on the agreement page; the rest are counted.
const DISAGREEMENTS_SHOWN: usize = 200;

/// A code as a row or column of a matrix: numbered, so columns stay narrow.
#[derive(Serialize)]
struct Heading {
    number: usize,
    id: i64,
    name: String,
}

/// One count, with the query of the page listing the excerpts behind it (none for a zero).
#[derive(Serialize)]
struct Cell {
    count: usize,
    query: Option<String>,
}

#[derive(Serialize)]
struct Row {
    code: Heading,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Column {
    value: String,
    label: String,
}

fn query(pairs: &[(&str, &str)]) -> Option<String> {
    serde_html_form::to_string(pairs).ok()
}

// Matrices

async fn matrices(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    Query(form): Query<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let attribute = Attribute::parse(form.get("attribute")).unwrap_or(Attribute::Kind);
    let co = state.store.co_occurrence(programme.id).await?;
    let by = state.store.attribute_matrix(programme.id, attribute).await?;

    let pairs: HashMap<(i64, i64), usize> = co.cells.iter().map(|&(a, b, n)| ((a, b), n)).collect();
    // Only codes applied somewhere: a codebook of fifty with a handful in use stays readable.
    let applied: Vec<Heading> = co
        .codes
        .iter()
        .filter(|c| pairs.get(&(c.id, c.id)).is_some_and(|n| *n > 0))
        .enumerate()
        .map(|(i, c)| Heading { number: i + 1, id: c.id, name: c.name.clone() })
        .collect();
    let count = |a: i64, b: i64| pairs.get(&(a.min(b), a.max(b))).copied().unwrap_or(0);
    let co_rows: Vec<Row> = applied
        .iter()
        .map(|row| Row {
            code: Heading { number: row.number, id: row.id, name: row.name.clone() },
            cells: applied
                .iter()
                .map(|column| {
                    let n = count(row.id, column.id);
                    let query =
                        (n > 0).then(|| query(&[("a", &row.id.to_string()), ("b", &column.id.to_string())])).flatten();
                    Cell { count: n, query }
                })
                .collect(),
        })
        .collect();

    let by_cells: HashMap<(i64, &str), usize> = by.cells.iter().map(|(c, v, n)| ((*c, v.as_str()), *n)).collect();
    let columns: Vec<Column> =
        by.values.iter().map(|(value, label)| Column { value: value.clone(), label: label.clone() }).collect();
    let by_rows: Vec<Row> = applied
        .iter()
        .map(|row| Row {
            code: Heading { number: row.number, id: row.id, name: row.name.clone() },
            cells: columns
                .iter()
                .map(|column| {
                    let n = by_cells.get(&(row.id, column.value.as_str())).copied().unwrap_or(0);
                    let query = (n > 0)
                        .then(|| {
                            query(&[
                                ("code", &row.id.to_string()),
                                ("attribute", attribute.code()),
                                ("value", &column.value),
                            ])
                        })
                        .flatten();
                    Cell { count: n, query }
                })
                .collect(),
        })
        .collect();

    let attributes: Vec<_> = Attribute::ALL.iter().map(|a| context! { value => a.code(), text => a.label() }).collect();
    let ctx = context! {
        programme,
        codes => applied,
        co_rows,
        by_rows,
        columns,
        attribute => attribute.code(),
        attribute_label => attribute.label(),
        attributes,
        unused => co.codes.len().saturating_sub(co_rows.len()),
    };
    Ok(page.render("coding/analysis/matrices.html", ctx)?.into_response())
}

fn code_named<'a>(codes: &'a [Code], raw: &str) -> Result<&'a Code, PageError> {
    let id: i64 = raw.parse().map_err(|_| PageError::NotFound)?;
    codes.iter().find(|c| c.id == id).ok_or(PageError::NotFound)
}

fn value_label(attribute: Attribute, value: &str) -> String {
    match attribute {
        Attribute::Kind => ParticipantKind::label_of(value).to_owned(),
        Attribute::AgeBand => AgeBand::label_of(value).to_owned(),
        Attribute::Area => value.to_owned(),
    }
}

/// The excerpts behind one count: `?a=CODE&b=CODE` for the co-occurrence matrix (`a == b`: the
/// excerpts of one code), `?code=CODE&attribute=kind&value=carer` for codes by attribute.
async fn matrix_excerpts(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    Query(form): Query<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let codes = state.store.codebook(Some(programme.id)).await?;
    let (ids, ctx) = if !form.get("a").is_empty() {
        let a = code_named(&codes, form.get("a"))?;
        let b = code_named(&codes, form.get("b"))?;
        let ids = state.store.co_occurrence_excerpts(programme.id, a.id, b.id).await?;
        let names = if a.id == b.id { vec![a.name.clone()] } else { vec![a.name.clone(), b.name.clone()] };
        (ids, context! { names, back => "" })
    } else {
        let code = code_named(&codes, form.get("code"))?;
        let attribute = Attribute::parse(form.get("attribute")).ok_or(PageError::NotFound)?;
        let value = form.get("value");
        let ids = state.store.attribute_excerpts(programme.id, attribute, code.id, value).await?;
        let back = query(&[("attribute", attribute.code())]).unwrap_or_default();
        let ctx = context! {
            names => vec![code.name.clone()],
            attribute_label => attribute.label(),
            value_label => value_label(attribute, value),
            back,
        };
        (ids, ctx)
    };
    let excerpts = state.store.excerpts_by_id(programme.id, &ids).await?;
    let ctx = context! { programme, excerpts, ..ctx };
    Ok(page.render("coding/analysis/excerpts.html", ctx)?.into_response())
}

// Agreement

/// Kappa or alpha to two places, or `None` where it is not defined.
fn figure(value: Option<f64>) -> Option<String> {
    value.map(|v| format!("{v:.2}"))
}

#[derive(Serialize)]
struct CodeRow {
    name: String,
    units: u64,
    observed: String,
    kappa: Option<String>,
    alpha: Option<String>,
    pairs: usize,
}

#[derive(Serialize)]
struct SourceRef {
    id: i64,
    title: String,
}

#[derive(Serialize)]
struct DisagreementRow {
    source: SourceRef,
    code: String,
    words: String,
    applying: Vec<String>,
    not_applying: Vec<String>,
}

async fn agreement(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let measured = state.store.agreement(programme.id).await?;
    let codes: BTreeMap<i64, String> =
        state.store.codebook(Some(programme.id)).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let people: BTreeMap<i64, String> =
        state.store.users().await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let code_name = |id: i64| codes.get(&id).cloned().unwrap_or_else(|| format!("Code {id} (removed)"));
    let person = |id: &i64| people.get(id).cloned().unwrap_or_else(|| "A former account".to_owned());

    // The compared sources' titles and redacted text, for naming them and quoting disagreements.
    let mut sources: BTreeMap<i64, (String, Vec<char>)> = BTreeMap::new();
    for &id in &measured.sources {
        if let Some(source) = state.store.source(programme.id, id).await? {
            sources.insert(id, (source.title, source.redacted_text.chars().collect()));
        }
    }
    let source_ref = |id: i64| SourceRef {
        id,
        title: sources.get(&id).map_or_else(|| format!("Source {id}"), |(title, _)| title.clone()),
    };

    let code_rows: Vec<CodeRow> = measured
        .codes
        .iter()
        .map(|c| CodeRow {
            name: code_name(c.code),
            units: c.units,
            observed: format!("{:.1}%", c.observed_percent),
            kappa: figure(c.kappa),
            alpha: figure(c.alpha),
            pairs: c.pairs.len(),
        })
        .collect();
    let disagreements: Vec<DisagreementRow> = measured
        .disagreements
        .iter()
        .take(DISAGREEMENTS_SHOWN)
        .map(|d| DisagreementRow {
            source: source_ref(d.source),
            code: code_name(d.code),
            words: sources
                .get(&d.source)
                .map(|(_, chars)| chars[d.start.min(chars.len())..d.end.min(chars.len())].iter().collect())
                .unwrap_or_default(),
            applying: d.coders_applying.iter().map(person).collect(),
            not_applying: d.coders_not.iter().map(person).collect(),
        })
        .collect();
    let ctx = context! {
        programme,
        compared => !measured.sources.is_empty(),
        coders => measured.coders.iter().map(person).collect::<Vec<_>>(),
        sources => measured.sources.iter().map(|id| source_ref(*id)).collect::<Vec<_>>(),
        units => measured.units,
        alpha => figure(measured.alpha),
        code_rows,
        disagreements,
        disagreement_count => measured.disagreements.len(),
        shown => DISAGREEMENTS_SHOWN,
        unmeasured => measured.unmeasured_sources.len(),
    };
    Ok(page.render("coding/analysis/agreement.html", ctx)?.into_response())
}
