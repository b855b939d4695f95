//! The story of transformation: a programme's journey stages (when each started and ended), its
//! activities, Deliberation Days, decisions and reflections as one timeline, in
//! [`heard_domain::learning::story_order`]. The page is plain HTML, month by month: an ordered list
//! under a heading per month; `/programmes/{slug}/story.json` and the API (`super::api::story`) give
//! the same [`StoryEntry`]s as JSON.

use axum::Json;
use axum::extract::State;
use heard_domain::governance::Action;
use heard_domain::learning::{MomentKind, ReflectionKind, story_order};
use heard_store::learning::ReflectionFilter;
use heard_store::{Programme, Store, StoreError, UserRef};
use minijinja::context;
use serde::Serialize;
use time::Date;

use crate::AppState;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Page, PageResult};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/story", Action::ViewLearning, story),
        Route::get("/programmes/{slug}/story.json", Action::ViewLearning, story_json),
    ]
}

/// One moment on the story's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoryEntry {
    pub on: Date,
    pub kind: MomentKind,
    /// As the page tags it: "Stage started", the activity's kind, "Decision", "Up", ...
    pub label: String,
    /// The stage's (with its position), activity's, Deliberation Day's or decision's title;
    /// `None` for a reflection.
    pub title: Option<String>,
    /// More words: a stage's description or exit criteria, the people in the room, the attendees
    /// and votes of a day, or a reflection's own text.
    pub text: Option<String>,
    /// The id of the stage, activity, deliberation, decision or reflection.
    pub id: i64,
    /// Its page in Heard.
    pub href: String,
    /// A reflection's kind; `None` for anything else.
    pub reflection_kind: Option<ReflectionKind>,
    /// Who wrote a reflection (`None` for anything else, or once their account is gone).
    pub written_by: Option<UserRef>,
    /// Orders moments of one kind on one day (an id or a stage's position).
    #[serde(skip)]
    order: i64,
}

/// A programme's story of transformation, earliest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StoryBody {
    /// The programme's slug.
    pub programme: String,
    pub entries: Vec<StoryEntry>,
}

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

impl StoryEntry {
    /// A moment with no title or text yet, ordered on its day by `id`.
    fn new(on: Date, kind: MomentKind, label: &str, id: i64, href: String) -> StoryEntry {
        StoryEntry {
            on,
            kind,
            label: label.to_owned(),
            title: None,
            text: None,
            id,
            href,
            reflection_kind: None,
            written_by: None,
            order: id,
        }
    }
}

/// Every dated moment of a programme's story, in story order.
pub async fn entries(store: &Store, programme: &Programme) -> Result<Vec<StoryEntry>, StoreError> {
    let slug = &programme.slug;
    let mut moments = Vec::new();
    for stage in store.stages(programme.id).await? {
        let href = format!("/programmes/{slug}/stages/{}", stage.position);
        let title = Some(format!("{}. {}", stage.position, stage.name));
        let order = i64::from(stage.position);
        if let Some(on) = stage.starts_on {
            let text = (!stage.description.is_empty()).then(|| stage.description.clone());
            let started = StoryEntry::new(on, MomentKind::StageStarted, "Stage started", stage.id, href.clone());
            moments.push(StoryEntry { title: title.clone(), text, order, ..started });
        }
        if let Some(on) = stage.ends_on {
            let text = (!stage.exit_criteria.is_empty()).then(|| format!("Exit criteria: {}", stage.exit_criteria));
            let ended = StoryEntry::new(on, MomentKind::StageEnded, "Stage ended", stage.id, href);
            moments.push(StoryEntry { title, text, order, ..ended });
        }
    }
    for activity in store.activities(programme.id).await? {
        let people =
            activity.attendance.by_sector.values().sum::<u32>().max(activity.attendance.by_kind.values().sum());
        let text = (people > 0).then(|| format!("{} in the room", plural(people, "person", "people")));
        let href = format!("/programmes/{slug}/activities/{}", activity.id);
        let held = StoryEntry::new(activity.held_on, MomentKind::Activity, activity.kind.label(), activity.id, href);
        moments.push(StoryEntry { title: Some(activity.title), text, ..held });
    }
    for day in store.deliberations(programme.id).await? {
        let text =
            format!("{}, {}", plural(day.attendees, "attendee", "attendees"), plural(day.votes, "vote", "votes"));
        let href = format!("/programmes/{slug}/deliberations/{}", day.id);
        let held = StoryEntry::new(day.held_on, MomentKind::Deliberation, "Deliberation Day", day.id, href);
        moments.push(StoryEntry { title: Some(day.title), text: Some(text), ..held });
    }
    for decision in store.decision_refs(programme.id).await? {
        let href = format!("/programmes/{slug}/decisions/{}", decision.id);
        let decided = StoryEntry::new(decision.decided_on, MomentKind::Decision, "Decision", decision.id, href);
        moments.push(StoryEntry { title: Some(decision.title), ..decided });
    }
    for reflection in store.reflections(programme.id, ReflectionFilter::default()).await? {
        let href = format!("/programmes/{slug}/reflections/{}", reflection.id);
        let (on, kind) = (reflection.written_on, reflection.kind);
        let written = StoryEntry::new(on, MomentKind::Reflection, kind.label(), reflection.id, href);
        moments.push(StoryEntry {
            text: Some(reflection.text),
            reflection_kind: Some(kind),
            written_by: reflection.written_by,
            ..written
        });
    }
    story_order(&mut moments, |m| (m.on, m.kind, m.order));
    Ok(moments)
}

/// The GOV.UK tag colour of a moment on the page.
fn tag(entry: &StoryEntry) -> &'static str {
    match (entry.kind, entry.reflection_kind) {
        (MomentKind::Reflection, Some(kind)) => super::pages::tag_class(kind),
        (MomentKind::Activity, _) => "govuk-tag--yellow",
        (MomentKind::Deliberation, _) => "govuk-tag--turquoise",
        (MomentKind::Decision, _) => "govuk-tag--green",
        _ => "govuk-tag--grey",
    }
}

/// The moments grouped by month, earliest first, each month headed "March 2016".
fn by_month(entries: &[StoryEntry]) -> Vec<minijinja::Value> {
    let mut months: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for e in entries {
        let month = format!("{} {}", e.on.month(), e.on.year());
        let item = context! {
            on => e.on.to_string(),
            label => e.label,
            tag => tag(e),
            reflection => e.kind == MomentKind::Reflection,
            title => e.title,
            text => e.text,
            // Built from the programme's slug and ids only: nothing in it to escape.
            href => minijinja::Value::from_safe_string(e.href.clone()),
            by => e.written_by.as_ref().map(|u| u.display_name.clone()),
        };
        match months.last_mut() {
            Some((last, items)) if *last == month => items.push(item),
            _ => months.push((month, vec![item])),
        }
    }
    months.into_iter().map(|(month, moments)| context! { month, moments }).collect()
}

async fn story(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let entries = entries(&state.store, &programme).await?;
    let count = entries.len();
    let months = by_month(&entries);
    page.respond("learning/story.html", context! { programme, months, count }, None)
}

async fn story_json(
    State(state): State<AppState>,
    PagePath(slug): PagePath<String>,
) -> Result<Json<StoryBody>, PageError> {
    let programme = find_programme(&state, &slug).await?;
    let entries = entries(&state.store, &programme).await?;
    Ok(Json(StoryBody { programme: programme.slug, entries }))
}
