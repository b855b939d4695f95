//! Insights on the web: a programme's insights, one insight with its breadth and the evidence for
//! and against it, stating and editing one, attaching and removing excerpts; "who have we not
//! heard" (the gaps); and the insights API. Commissioners read a quote only where everyone heard
//! in its source consents to anonymous quotation; roles that read coded excerpts anyway
//! (`Action::ViewCoding`) read every quote.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::coding::codebook::{Stance, insight_statement};
use heard_domain::error::Collector;
use heard_domain::governance::{Action, Role, permits};
use heard_store::coding::{Breadth, Evidence, Gap, Insight, InsightSummary, Voice};
use heard_store::journeys::UserRef;
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::AppState;
use crate::auth::ApiUser;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath, PageError, PagePath};
use crate::journeys::api::programme_at;
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/programmes/{slug}/insights";
    const ONE: &str = "/programmes/{slug}/insights/{id}";
    vec![
        Route::get(LIST, Action::ViewInsights, list),
        Route::post(LIST, Action::ManageInsights, create),
        Route::get(ONE, Action::ViewInsights, show),
        Route::post(ONE, Action::ManageInsights, edit),
        Route::post("/programmes/{slug}/insights/{id}/evidence", Action::ManageInsights, attach),
        Route::post("/programmes/{slug}/insights/{id}/evidence/remove", Action::ManageInsights, detach),
        Route::get("/programmes/{slug}/gaps", Action::ViewInsights, gaps),
        Route::get("/api/v1/programmes/{slug}/insights", Action::ViewInsights, api_list),
        Route::get("/api/v1/programmes/{slug}/insights/{id}", Action::ViewInsights, api_get),
    ]
}

// What a role may read of the evidence

/// A piece of evidence as the reader's role may see it: the quote is `None` where it is withheld.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = InsightEvidenceBody)]
pub struct EvidenceBody {
    pub excerpt_id: i64,
    pub stance: Stance,
    /// The excerpt's words from the redacted text; `null` for a commissioner unless everyone
    /// heard in the source consents to anonymous quotation.
    pub quote: Option<String>,
    /// Whether everyone heard in the source consents to anonymous quotation now.
    pub quotable: bool,
    pub source_id: i64,
    pub source_title: String,
    pub collected_on: Option<Date>,
    pub activity: Option<String>,
    pub voices: Vec<Voice>,
}

/// An insight with its breadth and its evidence as the reader's role may see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InsightBody {
    pub id: i64,
    pub programme_id: i64,
    pub statement: String,
    pub created_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub breadth: Breadth,
    pub evidence: Vec<EvidenceBody>,
}

/// Whether `role` reads quotes that not everyone heard consented to be quoted from: only roles
/// that read coded excerpts (and redacted sources) in any case.
pub(crate) fn reads_every_quote(role: Role) -> bool {
    permits(Some(role), Action::ViewCoding)
}

fn evidence_for(role: Role, evidence: Evidence) -> EvidenceBody {
    let shown = evidence.quotable || reads_every_quote(role);
    EvidenceBody {
        excerpt_id: evidence.excerpt_id,
        stance: evidence.stance,
        quote: shown.then_some(evidence.quote),
        quotable: evidence.quotable,
        source_id: evidence.source_id,
        source_title: evidence.source_title,
        collected_on: evidence.collected_on,
        activity: evidence.activity,
        voices: evidence.voices,
    }
}

fn insight_for(role: Role, insight: Insight) -> InsightBody {
    InsightBody {
        id: insight.id,
        programme_id: insight.programme_id,
        statement: insight.statement,
        created_by: insight.created_by,
        created_at: insight.created_at,
        breadth: insight.breadth,
        evidence: insight.evidence.into_iter().map(|e| evidence_for(role, e)).collect(),
    }
}

// The list, and stating an insight

async fn render_list(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let insights = state.store.insights(programme.id).await?;
    let ctx = context! { programme, insights, values };
    page.respond("coding/insights/list.html", ctx, invalid)
}

async fn list(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_list(&state, &page, &programme, FormFields::default().values(), None).await
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let statement = match insight_statement("statement", form.get("statement")) {
        Ok(statement) => statement,
        Err(invalid_input) => return render_list(&state, &page, &programme, form.values(), Some(&invalid_input)).await,
    };
    match state.store.add_insight(programme.id, &statement, page.user()?.id).await {
        Ok(_) => {
            Flash::set(&page.session, "Insight added").await;
            see_other(format!("/programmes/{slug}/insights"))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_list(&state, &page, &programme, form.values(), Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}

// One insight

async fn find_insight(state: &AppState, programme: &Programme, id: i64) -> Result<Insight, PageError> {
    state.store.insight(programme.id, id).await?.ok_or(PageError::NotFound)
}

/// The insight page; for researchers with its forms, and the excerpts of a chosen code to attach.
async fn render_insight(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    insight: Insight,
    query: &FormFields,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let user = page.user()?;
    let attached: Vec<i64> = insight.evidence.iter().map(|e| e.excerpt_id).collect();
    let (codes, chosen_code, candidates) = if page.may(Action::ManageInsights) {
        let codes = state.store.codebook(Some(programme.id)).await?;
        let chosen: Option<i64> = query.get("code").parse().ok().filter(|id| codes.iter().any(|c| c.id == *id));
        let candidates = match chosen {
            Some(code) => state
                .store
                .code_excerpts(programme.id, code)
                .await?
                .into_iter()
                .filter(|e| !attached.contains(&e.excerpt.id))
                .collect(),
            None => Vec::new(),
        };
        let options: Vec<Value> = codes.iter().map(|c| context! { value => c.id, text => c.name }).collect();
        (options, chosen, candidates)
    } else {
        (Vec::new(), None, Vec::new())
    };
    let body = insight_for(user.role, insight);
    let (supporting, contradicting): (Vec<&EvidenceBody>, Vec<&EvidenceBody>) =
        body.evidence.iter().partition(|e| e.stance == Stance::Supports);
    let ctx = context! {
        programme,
        insight => body,
        supporting,
        contradicting,
        codes,
        chosen_code,
        candidates,
        stances => Stance::ALL.iter().map(|s| context! { value => s.code(), text => s.label() }).collect::<Vec<_>>(),
        values,
    };
    page.respond("coding/insights/insight.html", ctx, invalid)
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(query): Query<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let insight = find_insight(&state, &programme, id).await?;
    let mut values = FormFields::default();
    values.set("statement", insight.statement.clone());
    render_insight(&state, &page, &programme, insight, &query, values.values(), None).await
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let insight = find_insight(&state, &programme, id).await?;
    let statement = match insight_statement("statement", form.get("statement")) {
        Ok(statement) => statement,
        Err(invalid_input) => {
            let none = FormFields::default();
            return render_insight(&state, &page, &programme, insight, &none, form.values(), Some(&invalid_input))
                .await;
        }
    };
    state.store.edit_insight(programme.id, id, &statement).await?;
    Flash::set(&page.session, "Insight changed").await;
    see_other(format!("/programmes/{slug}/insights/{id}"))
}

/// The excerpt and stance of an evidence form.
fn parse_evidence(form: &FormFields) -> Result<(i64, Stance), Invalid> {
    let mut errors = Collector::new();
    let excerpt = errors
        .take(form.get("excerpt").trim().parse::<i64>().map_err(|_| Invalid::one("excerpt", "Choose an excerpt")));
    let stance = errors.take(
        form.get("stance")
            .parse::<Stance>()
            .map_err(|_| Invalid::one("stance", "Choose whether the excerpt supports the insight or cuts against it")),
    );
    errors.finish(|| ())?;
    match (excerpt, stance) {
        (Some(excerpt), Some(stance)) => Ok((excerpt, stance)),
        _ => Err(Invalid::one("excerpt", "Choose an excerpt")),
    }
}

async fn attach(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let insight = find_insight(&state, &programme, id).await?;
    let attached = match parse_evidence(&form) {
        Ok((excerpt, stance)) => {
            state.store.attach_evidence(programme.id, id, excerpt, stance, page.user()?.id).await.map(|()| stance)
        }
        Err(invalid_input) => Err(StoreError::Invalid(invalid_input)),
    };
    match attached {
        Ok(stance) => {
            let message = match stance {
                Stance::Supports => "Excerpt added as supporting evidence",
                Stance::Contradicts => "Excerpt added as evidence that cuts against the insight",
            };
            Flash::set(&page.session, message).await;
            see_other(format!("/programmes/{slug}/insights/{id}"))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            let mut values = FormFields::default();
            values.set("statement", insight.statement.clone());
            let none = FormFields::default();
            render_insight(&state, &page, &programme, insight, &none, values.values(), Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn detach(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let excerpt: i64 = form
        .get("excerpt")
        .parse()
        .map_err(|_| PageError::BadRequest("That excerpt is not on this insight".to_owned()))?;
    state.store.detach_evidence(programme.id, id, excerpt).await?;
    Flash::set(&page.session, "Evidence removed").await;
    see_other(format!("/programmes/{slug}/insights/{id}"))
}

// Who have we not heard

/// The gaps of one attribute, as one table.
#[derive(Serialize)]
struct GapTable {
    attribute: &'static str,
    label: &'static str,
    rows: Vec<Gap>,
}

fn gap_tables(gaps: Vec<Gap>) -> Vec<GapTable> {
    use heard_store::coding::Attribute;
    Attribute::ALL
        .iter()
        .map(|a| GapTable {
            attribute: a.code(),
            label: a.label(),
            rows: gaps.iter().filter(|g| g.attribute == a.code()).cloned().collect(),
        })
        .collect()
}

async fn gaps(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let gaps = state.store.gaps(programme.id).await?;
    let ctx = context! { programme, tables => gap_tables(gaps) };
    Ok(page.render("coding/insights/gaps.html", ctx)?.into_response())
}

// The API

/// A programme's insights, most recently changed first, with how much evidence each has.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/insights", tag = "coding",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = Vec<InsightSummary>), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Vec<InsightSummary>>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(state.store.insights(programme.id).await?))
}

/// One insight with its breadth and evidence. For commissioners, `quote` is `null` unless everyone
/// heard in the source consents to anonymous quotation.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/insights/{id}", tag = "coding",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The insight's id")),
    responses((status = 200, body = InsightBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<InsightBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let insight = state.store.insight(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(insight_for(user.role, insight)))
}
