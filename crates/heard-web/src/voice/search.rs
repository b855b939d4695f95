//! The search page: full-text search over the redacted text of every source the searcher may
//! read, ranked, with highlighted snippets and filters. The query is posted, never put in the URL,
//! because people search for what they remember, names included.

use axum::extract::State;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::vocabulary::parse_code;
use heard_domain::voice::participants::ParticipantKind;
use heard_domain::voice::sources::{SearchQuery, SourceKind};
use heard_store::SearchFilters;
use heard_store::voice::sources::PAGE_SIZE;
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::render::{Page, PageResult, unprocessable};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/search", Action::ViewSources, search_form), Route::post("/search", Action::ViewSources, search)]
}

fn form_values(form: &FormFields) -> Value {
    context! { from => form.date_parts("from"), to => form.date_parts("to"), ..form.values() }
}

async fn render(state: &AppState, page: &Page, ctx: Value, invalid: Option<&Invalid>) -> PageResult {
    let mut programmes = Vec::new();
    let mut activities = Vec::new();
    for summary in state.store.programmes().await? {
        let programme = summary.programme;
        for activity in state.store.activities(programme.id).await? {
            activities
                .push(context! { value => activity.id, text => format!("{}: {}", programme.name, activity.title) });
        }
        programmes.push(context! { value => programme.id, text => programme.name });
    }
    let ctx = context! { programmes, activities, ..ctx };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("voice/search.html", ctx, invalid_input)),
        None => Ok(page.render("voice/search.html", ctx)?.into_response()),
    }
}

async fn search_form(State(state): State<AppState>, page: Page) -> PageResult {
    render(&state, &page, context! { values => form_values(&FormFields::default()) }, None).await
}

/// The query and filters from the form; every filter may be left blank.
fn parse(form: &FormFields) -> Result<(SearchQuery, SearchFilters), Invalid> {
    let mut errors = Collector::new();
    let query = errors.take(SearchQuery::parse("q", form.get("q")));
    let optional = |errors: &mut Collector, name: &str, parse: &dyn Fn(&str) -> Result<i64, Invalid>| match form
        .get(name)
        .trim()
    {
        "" => None,
        raw => errors.take(parse(raw)),
    };
    let programme_id = optional(&mut errors, "programme", &|raw| {
        raw.parse().map_err(|_| Invalid::one("programme", "Choose a programme"))
    });
    let activity_id = optional(&mut errors, "activity", &|raw| {
        raw.parse().map_err(|_| Invalid::one("activity", "Choose an activity"))
    });
    let kind = match form.get("kind").trim() {
        "" => None,
        raw => errors.take(parse_code::<SourceKind>("kind", "a kind of source", raw)),
    };
    let participant_kind = match form.get("participant_kind").trim() {
        "" => None,
        raw => errors.take(parse_code::<ParticipantKind>("participant_kind", "a kind of participant", raw)),
    };
    let from = errors.take(form.date_parts("from").parse("from", "the first date")).flatten();
    let to = errors.take(form.date_parts("to").parse("to", "the last date")).flatten();
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.push("to", "The last date must be the same as or after the first date");
    }
    let attribute = match (form.get("attribute").trim(), form.get("value").trim()) {
        ("", "") => None,
        ("", _) => {
            errors.push("attribute", "Enter the question or column the answer belongs to");
            None
        }
        (name, value) => Some((name.to_owned(), value.to_owned())),
    };
    errors.finish(|| ())?;
    let query = query.ok_or_else(|| Invalid::one("q", "Enter what to search for"))?;
    let filters = SearchFilters { programme_id, kind, participant_kind, activity_id, from, to, attribute };
    Ok((query, filters))
}

async fn search(State(state): State<AppState>, page: Page, CsrfForm(form): CsrfForm<FormFields>) -> PageResult {
    let (query, filters) = match parse(&form) {
        Ok(parsed) => parsed,
        Err(invalid_input) => {
            return render(&state, &page, context! { values => form_values(&form) }, Some(&invalid_input)).await;
        }
    };
    let number: i64 = form.get("page").parse().unwrap_or(1).max(1);
    let results = state.store.search(&query, &filters, number - 1).await?;
    let pages = (results.total + PAGE_SIZE - 1) / PAGE_SIZE;
    let ctx = context! { values => form_values(&form), results, page_number => number, pages, searched => true };
    render(&state, &page, ctx, None).await
}
