//! Story forms on the web: the builder (list, new, edit, publish, close), the public form that a
//! contributor fills in without an account, their receipt (read or withdraw, the code only ever
//! in a POST body), and the pattern view of the answers drawn as SVG from templates.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::LazyLock;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use heard_domain::Invalid;
use heard_domain::governance::Action;
use heard_domain::vocabulary::Vocabulary;
use heard_domain::voice::forms::{
    AnswerValue, ConsentAsk, FormDefinition, FormStatus, MAX_SIGNIFIERS, ReceiptCode, SignifierKind, TRIAD_HEIGHT,
    default_statement, triad_point,
};
use heard_domain::voice::participants::{ConsentPurpose, ParticipantKind};
use heard_domain::voice::sources::MAX_TEXT_CHARS;
use heard_store::{NewStory, PatternStory, Programme, StoreError, StoryForm};
use minijinja::{Value, context};

use crate::AppState;
use crate::auth::ClientAddress;
use crate::csrf::{CsrfForm, FormFields, NoFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other, unprocessable};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const ONE: &str = "/programmes/{slug}/forms/{form_id}";
    vec![
        Route::get("/programmes/{slug}/forms", Action::ManageStoryForms, list),
        Route::get("/programmes/{slug}/forms/new", Action::ManageStoryForms, new_form),
        Route::post("/programmes/{slug}/forms/new", Action::ManageStoryForms, create_form),
        Route::get(ONE, Action::ManageStoryForms, show_form),
        Route::get("/programmes/{slug}/forms/{form_id}/edit", Action::ManageStoryForms, edit_form),
        Route::post("/programmes/{slug}/forms/{form_id}/edit", Action::ManageStoryForms, update_form),
        Route::post("/programmes/{slug}/forms/{form_id}/publish", Action::ManageStoryForms, publish_form),
        Route::post("/programmes/{slug}/forms/{form_id}/close", Action::ManageStoryForms, close_form),
        // ManageStoryForms or ViewSources: every role with the first has the second.
        Route::get("/programmes/{slug}/forms/{form_id}/pattern", Action::ViewSources, pattern),
        Route::get("/forms/receipt", Action::Public, receipt_form),
        Route::post("/forms/receipt", Action::Public, read_receipt),
        Route::post("/forms/receipt/withdraw", Action::Public, withdraw_story),
        Route::get("/forms/{public_id}", Action::Public, public_form),
        Route::post("/forms/{public_id}", Action::Public, submit_story),
    ]
}

/// The honeypot's name: a field people never see and bots fill in.
const HONEYPOT: &str = "leave_empty";

/// Stories a client address may send to one form, and receipt look-ups it may make, each minute.
/// Generous, as a room at a listening event may share one address.
const STORIES_PER_MINUTE: u32 = 20;
const RECEIPTS_PER_MINUTE: u32 = 30;

static LIMITS: LazyLock<DefaultKeyedRateLimiter<(String, IpAddr)>> = LazyLock::new(|| {
    RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(STORIES_PER_MINUTE).unwrap_or(NonZeroU32::MIN)))
});
static RECEIPT_LIMITS: LazyLock<DefaultKeyedRateLimiter<IpAddr>> = LazyLock::new(|| {
    RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(RECEIPTS_PER_MINUTE).unwrap_or(NonZeroU32::MIN)))
});

/// Counts one story sent to the form `public_id` from `address`; false when the limit is used up.
fn story_allowed(public_id: &str, address: Option<IpAddr>) -> bool {
    LIMITS.retain_recent();
    address.is_none_or(|ip| LIMITS.check_key(&(public_id.to_owned(), ip)).is_ok())
}

fn receipt_allowed(address: Option<IpAddr>) -> bool {
    RECEIPT_LIMITS.retain_recent();
    address.is_none_or(|ip| RECEIPT_LIMITS.check_key(&ip).is_ok())
}

/// 429 with a GOV.UK page.
fn too_many(page: &Page) -> PageResult {
    Ok((StatusCode::TOO_MANY_REQUESTS, page.render("voice/forms/too_many.html", context! {})?).into_response())
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

async fn find_form(state: &AppState, programme: &Programme, id: i64) -> Result<StoryForm, PageError> {
    state.store.story_form(programme.id, id).await?.ok_or(PageError::NotFound)
}

/// The public form behind a URL: a draft is not public yet.
async fn find_public(state: &AppState, public_id: &str) -> Result<StoryForm, PageError> {
    if public_id.len() > 32 || !public_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(PageError::NotFound);
    }
    match state.store.story_form_by_public_id(public_id).await? {
        Some(form) if form.status != FormStatus::Draft => Ok(form),
        _ => Err(PageError::NotFound),
    }
}

fn options<V: Vocabulary>() -> Vec<Value> {
    V::ALL.iter().map(|v| context! { value => v.code(), text => v.label() }).collect()
}

// The builder

async fn list(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let forms = state.store.story_forms(programme.id).await?;
    Ok(page.render("voice/forms/list.html", context! { programme, forms })?.into_response())
}

fn builder_values(fields: &std::collections::BTreeMap<String, String>) -> Value {
    Value::from_serialize(fields)
}

fn render_builder(
    page: &Page,
    programme: &Programme,
    form: Option<&StoryForm>,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let action = match form {
        Some(f) => format!("/programmes/{}/forms/{}/edit", programme.slug, f.id),
        None => format!("/programmes/{}/forms/new", programme.slug),
    };
    let purposes: Vec<Value> = ConsentPurpose::ALL
        .iter()
        .map(|p| context! { code => p.code(), label => p.label(), default => default_statement(*p) })
        .collect();
    let ctx = context! {
        programme,
        form,
        values,
        action,
        slots => (0..MAX_SIGNIFIERS).collect::<Vec<_>>(),
        signifier_kinds => options::<SignifierKind>(),
        consent_asks => options::<ConsentAsk>(),
        purposes,
    };
    match invalid {
        Some(invalid) => unprocessable(page.render_invalid("voice/forms/builder.html", ctx, invalid)),
        None => Ok(page.render("voice/forms/builder.html", ctx)?.into_response()),
    }
}

async fn new_form(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let mut fields = std::collections::BTreeMap::new();
    fields.insert(format!("consents.{}.ask", ConsentPurpose::Research.code()), ConsentAsk::Required.code().to_owned());
    render_builder(&page, &programme, None, builder_values(&fields), None)
}

fn parse_definition(form: &FormFields) -> Result<FormDefinition, Invalid> {
    FormDefinition::parse(&|name: &str| form.get(name).to_owned())
}

async fn create_form(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let definition = match parse_definition(&form) {
        Ok(definition) => definition,
        Err(invalid) => return render_builder(&page, &programme, None, form.values(), Some(&invalid)),
    };
    let created = state.store.create_story_form(programme.id, &definition, page.user()?.id).await?;
    Flash::set(&page.session, "Story form saved as a draft").await;
    see_other(format!("/programmes/{slug}/forms/{}", created.id))
}

async fn show_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let form = find_form(&state, &programme, id).await?;
    let signifiers: Vec<Value> = form
        .definition
        .signifiers
        .iter()
        .map(|s| context! { question => s.question, kind => s.kind.label(), labels => s.labels })
        .collect();
    let consents: Vec<Value> = form
        .definition
        .consents
        .iter()
        .map(|c| context! { text => c.text, purpose => c.purpose.label(), required => c.required })
        .collect();
    let ctx = context! {
        programme,
        form,
        status => form.status.code(),
        status_label => form.status.label(),
        signifiers,
        consents,
    };
    Ok(page.render("voice/forms/show.html", ctx)?.into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let form = find_form(&state, &programme, id).await?;
    let values = builder_values(&form.definition.fields());
    render_builder(&page, &programme, Some(&form), values, None)
}

async fn update_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(fields): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let form = find_form(&state, &programme, id).await?;
    let definition = match parse_definition(&fields) {
        Ok(definition) => definition,
        Err(invalid) => return render_builder(&page, &programme, Some(&form), fields.values(), Some(&invalid)),
    };
    let updated = state.store.update_story_form(programme.id, id, &definition, page.user()?.id).await?;
    let message = if updated.version > form.version {
        format!("Story form saved as version {}: answers already given keep the version they answered", updated.version)
    } else {
        "Story form saved".to_owned()
    };
    Flash::set(&page.session, &message).await;
    see_other(format!("/programmes/{slug}/forms/{id}"))
}

async fn set_status(state: &AppState, page: &Page, slug: &str, id: i64, status: FormStatus) -> PageResult {
    let programme = find_programme(state, slug).await?;
    find_form(state, &programme, id).await?;
    state.store.set_story_form_status(programme.id, id, status, page.user()?.id).await?;
    let message = match status {
        FormStatus::Published => "Story form published: anyone with its link can now send a story",
        FormStatus::Closed => "Story form closed: it no longer takes stories",
        FormStatus::Draft => "Story form saved",
    };
    Flash::set(&page.session, message).await;
    see_other(format!("/programmes/{slug}/forms/{id}"))
}

async fn publish_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    set_status(&state, &page, &slug, id, FormStatus::Published).await
}

async fn close_form(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    set_status(&state, &page, &slug, id, FormStatus::Closed).await
}

// The public form

/// The public form's template context: the definition as the template walks it.
fn public_context(form: &StoryForm, values: Value) -> Value {
    let signifiers: Vec<Value> = form
        .definition
        .signifiers
        .iter()
        .map(|s| {
            let options: Vec<Value> = s
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| context! { value => i.to_string(), text => label })
                .collect();
            context! { key => s.key, question => s.question, kind => s.kind.code(), labels => s.labels, options }
        })
        .collect();
    let consents: Vec<Value> = form
        .definition
        .consents
        .iter()
        .map(|c| context! { value => c.purpose.code(), text => c.text, required => c.required })
        .collect();
    context! {
        public_id => form.public_id,
        version => form.version,
        title => form.definition.title,
        prompt => form.definition.prompt,
        signifiers,
        consents,
        values,
        honeypot => HONEYPOT,
        max_chars => MAX_TEXT_CHARS,
        participant_kinds => options::<ParticipantKind>(),
    }
}

fn closed(page: &Page, form: &StoryForm) -> PageResult {
    Ok(page.render("voice/forms/closed.html", context! { title => form.definition.title })?.into_response())
}

async fn public_form(State(state): State<AppState>, page: Page, PagePath(public_id): PagePath<String>) -> PageResult {
    let form = find_public(&state, &public_id).await?;
    if form.status == FormStatus::Closed {
        return closed(&page, &form);
    }
    Ok(page.render("voice/forms/public.html", public_context(&form, FormFields::default().values()))?.into_response())
}

async fn submit_story(
    State(state): State<AppState>,
    page: Page,
    ClientAddress(address): ClientAddress,
    PagePath(public_id): PagePath<String>,
    CsrfForm(fields): CsrfForm<FormFields>,
) -> PageResult {
    let form = find_public(&state, &public_id).await?;
    if form.status == FormStatus::Closed {
        return closed(&page, &form);
    }
    if !story_allowed(&form.public_id, address) {
        return too_many(&page);
    }
    let thanks = |code: Option<String>| {
        page.render("voice/forms/thanks.html", context! { title => form.definition.title, code })
    };
    if !fields.get(HONEYPOT).trim().is_empty() {
        // Looks like success to whatever filled it in; nothing is kept.
        return Ok(thanks(None)?.into_response());
    }
    let shown = fields.get("version");
    if !shown.is_empty() && shown != form.version.to_string() {
        // The form was edited while it was open: the answers may not fit the new questions.
        let invalid = Invalid::one(
            "story",
            "This form changed while you were filling it in: check your answers and send them again",
        );
        return unprocessable(page.render_invalid(
            "voice/forms/public.html",
            public_context(&form, fields.values()),
            &invalid,
        ));
    }
    let answer = match form
        .definition
        .parse_answer(&|name: &str| fields.get(name).to_owned(), &|name: &str| fields.all(name).to_vec())
    {
        Ok(answer) => answer,
        Err(invalid) => {
            return unprocessable(page.render_invalid(
                "voice/forms/public.html",
                public_context(&form, fields.values()),
                &invalid,
            ));
        }
    };
    let text = crate::voice::screen(&state, form.programme_id, answer.text.clone()).await?;
    let code = ReceiptCode::generate();
    let new = NewStory { text, answer, receipt_hash: code.hash(), today: today(), pseudonym_suffix: None };
    match state.store.submit_story(form.id, form.version_id, &new).await {
        Ok(_) => Ok(thanks(Some(code.display()))?.into_response()),
        Err(StoreError::Invalid(invalid)) => unprocessable(page.render_invalid(
            "voice/forms/public.html",
            public_context(&form, fields.values()),
            &invalid,
        )),
        Err(other) => Err(other.into()),
    }
}

// The receipt

async fn receipt_form(page: Page) -> PageResult {
    Ok(page
        .render("voice/forms/receipt_form.html", context! { values => FormFields::default().values() })?
        .into_response())
}

/// The receipt form again, with `invalid` beside the code.
fn receipt_invalid(page: &Page, fields: &FormFields, invalid: &Invalid) -> PageResult {
    unprocessable(page.render_invalid("voice/forms/receipt_form.html", context! { values => fields.values() }, invalid))
}

fn no_story(page: &Page, fields: &FormFields) -> PageResult {
    let invalid = Invalid::one(
        "code",
        "There is no story for that receipt code: check it and try again. A story that was withdrawn cannot be found",
    );
    receipt_invalid(page, fields, &invalid)
}

async fn read_receipt(
    State(state): State<AppState>,
    page: Page,
    ClientAddress(address): ClientAddress,
    CsrfForm(fields): CsrfForm<FormFields>,
) -> PageResult {
    if !receipt_allowed(address) {
        return too_many(&page);
    }
    let code = match ReceiptCode::parse("code", fields.get("code")) {
        Ok(code) => code,
        Err(invalid) => return receipt_invalid(&page, &fields, &invalid),
    };
    let Some(story) = state.store.story_by_receipt(&code).await? else {
        return no_story(&page, &fields);
    };
    let consents: Vec<&str> = story.consents.iter().map(|c| c.label()).collect();
    let ctx = context! { story, consents, code => code.display() };
    Ok(page.render("voice/forms/receipt.html", ctx)?.into_response())
}

async fn withdraw_story(
    State(state): State<AppState>,
    page: Page,
    ClientAddress(address): ClientAddress,
    CsrfForm(fields): CsrfForm<FormFields>,
) -> PageResult {
    if !receipt_allowed(address) {
        return too_many(&page);
    }
    let code = match ReceiptCode::parse("code", fields.get("code")) {
        Ok(code) => code,
        Err(invalid) => return receipt_invalid(&page, &fields, &invalid),
    };
    match state.store.withdraw_story(&code, today()).await {
        Ok(()) => {
            crate::protection::finish(&state).await;
            Ok(page.render("voice/forms/withdrawn.html", context! {})?.into_response())
        }
        Err(StoreError::NotFound) => no_story(&page, &fields),
        Err(other) => Err(other.into()),
    }
}

// The pattern view

#[derive(serde::Deserialize)]
struct PatternQuery {
    #[serde(default)]
    kind: String,
}

/// The triangle's side and the strip's and bars' width, in SVG units.
const SIDE: f64 = 300.0;
const STRIP: f64 = 300.0;
const BAR: f64 = 200.0;

fn round(n: f64) -> f64 {
    (n * 10.0).round() / 10.0
}

/// One signifier's picture and table, as the template draws them.
fn signifier_pattern(signifier: &heard_domain::voice::forms::Signifier, stories: &[PatternStory]) -> Value {
    let answered: Vec<(&PatternStory, &AnswerValue)> = stories
        .iter()
        .filter_map(|story| story.answers.get(&signifier.key).map(|value| (story, value)))
        .filter(|(_, value)| {
            matches!(
                (signifier.kind, value),
                (SignifierKind::Triad, AnswerValue::Triad(_))
                    | (SignifierKind::Slider, AnswerValue::Slider(_))
                    | (SignifierKind::SingleChoice | SignifierKind::MultipleChoice, AnswerValue::Choices(_))
            )
        })
        .collect();
    let dots: Vec<Value> = answered
        .iter()
        .enumerate()
        .filter_map(|(i, (story, value))| {
            let (x, y) = match value {
                AnswerValue::Triad(weights) => triad_point(*weights, SIDE),
                // A little vertical spread so equal answers stay apart.
                AnswerValue::Slider(n) => (f64::from(*n) / 100.0 * STRIP, 20.0 + (i % 5) as f64 * 8.0),
                AnswerValue::Choices(_) => return None,
            };
            Some(context! {
                x => round(x),
                y => round(y),
                source_id => story.source_id,
                title => story.title,
                answer => signifier.describe(value),
                kind => story.participant_kind.map(ParticipantKind::label),
            })
        })
        .collect();
    let rows: Vec<Value> = answered
        .iter()
        .map(|(story, value)| {
            context! {
                source_id => story.source_id,
                title => story.title,
                kind => story.participant_kind.map(ParticipantKind::label),
                version => story.version,
                answer => signifier.describe(value),
            }
        })
        .collect();
    let mut counts: Vec<(String, usize)> = signifier.labels.iter().map(|l| (l.clone(), 0)).collect();
    for (_, value) in &answered {
        if let AnswerValue::Choices(chosen) = value {
            for option in chosen {
                match counts.iter_mut().find(|(label, _)| label == option) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((option.clone(), 1)),
                }
            }
        }
    }
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let bars: Vec<Value> = counts
        .iter()
        .enumerate()
        .map(|(i, (label, n))| {
            context! {
                label,
                count => n,
                y => i * 44,
                width => round(*n as f64 / most as f64 * BAR),
            }
        })
        .collect();
    let height = round(TRIAD_HEIGHT * SIDE);
    context! {
        key => signifier.key,
        question => signifier.question,
        kind => signifier.kind.code(),
        labels => signifier.labels,
        answered => answered.len(),
        dots,
        rows,
        bars,
        bars_height => counts.len() * 44,
        side => SIDE,
        height,
        triangle => format!("{},0 0,{height} {SIDE},{height}", SIDE / 2.0),
        strip => STRIP,
    }
}

async fn pattern(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(query): Query<PatternQuery>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let form = find_form(&state, &programme, id).await?;
    let kind = query.kind.parse::<ParticipantKind>().ok();
    let stories = state.store.story_pattern(programme.id, id, kind).await?;
    let signifiers: Vec<Value> = form.definition.signifiers.iter().map(|s| signifier_pattern(s, &stories)).collect();
    let ctx = context! {
        programme,
        form,
        signifiers,
        stories => stories.len(),
        kind => kind.map(ParticipantKind::code).unwrap_or_default(),
        participant_kinds => options::<ParticipantKind>(),
        may_manage => page.may(Action::ManageStoryForms),
    };
    Ok(page.render("voice/forms/pattern.html", ctx)?.into_response())
}
