//! The programme report a director takes to a board: the journey and its timeline, who was heard,
//! key insights with the quotes their speakers consented to (redacted, as everyone reads them), the
//! cause maps, the horizon radar, propositions and Deliberation Day results with the opinion map,
//! decisions with their evidence trails, their outcomes and progress, and the learning log.
//! [`Report::gather`] reads it once; [`html`] lays it out as a GOV.UK page (served at
//! `/programmes/{slug}/report`, or standalone with its styles inside for `heard report`), and
//! [`pdf`] typesets the same figures in-process with Typst. The pictures are the SVG the
//! programme's own pages draw. [`open_data`] writes what is not personal as CSV files in a zip.
//!
//! Nothing personal is read into a [`Report`]: no pseudonym, name or contact detail, and of the
//! evidence only quotes that everyone heard in their source consents to be quoted from
//! anonymously ([`heard_store::coding::insights::Evidence::quotable`], the rule the insight pages
//! apply for commissioners).

pub mod open_data;
pub mod pdf;

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use heard_domain::coding::codebook::Stance;
use heard_domain::dates::display;
use heard_domain::decisions::outcome::percent;
use heard_domain::governance::{Action, Sector};
use heard_domain::journeys::AttendeeKind;
use heard_domain::vocabulary::Vocabulary;
use heard_domain::voice::participants::ParticipantKind;
use heard_store::decisions::outcomes::{Outcome, ProgrammeProgress};
use heard_store::decisions::{Trail, TrailExcerpt, TrailInsight};
use heard_store::horizon::SignalFilter;
use heard_store::journeys::{Programme, Stage};
use heard_store::learning::{Reflection, ReflectionFilter};
use heard_store::propositions::PropositionSummary;
use heard_store::{Store, StoreError};
use minijinja::context;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::AppState;
use crate::causes::Drawn;
use crate::deliberation::live::{Live, LiveError};
use crate::deliberation::picture::GroupRow;
use crate::deliberation::results::{Figures, opinion_map};
use crate::error::{PageError, PagePath};
use crate::horizon::picture::{self as horizon_picture, RadarLabels};
use crate::horizon::{radar_entries, radar_labels};
use crate::render::{Page, PageResult};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/report", Action::ViewReports, page),
        Route::get("/programmes/{slug}/report.pdf", Action::ViewReports, download),
    ]
}

/// Quotes shown under each key insight, at most.
const QUOTES_PER_INSIGHT: usize = 3;
/// Key insights in the report, broadest first.
const KEY_INSIGHTS: usize = 12;
/// Leverage points named under each cause map.
const LEVERAGE_POINTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("there is no programme with that slug")]
    NoProgramme,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the deliberation could not be analysed: {0}")]
    Live(#[from] LiveError),
    #[error("a picture could not be drawn: {0}")]
    Picture(String),
    #[error("the report could not be laid out: {0}")]
    Render(#[from] minijinja::Error),
    #[error("the PDF could not be typeset: {0}")]
    Typeset(String),
    #[error("the open data could not be written: {0}")]
    Export(String),
}

impl From<ReportError> for PageError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::NoProgramme => PageError::NotFound,
            ReportError::Store(store) => store.into(),
            ReportError::Live(live) => live.into(),
            other => PageError::Internal(other.to_string()),
        }
    }
}

/// A count with its vocabulary label, in vocabulary order.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub code: &'static str,
    pub label: &'static str,
    pub count: u64,
}

fn counts<V: Vocabulary + Ord>(map: &BTreeMap<V, u32>) -> Vec<Count> {
    V::ALL
        .iter()
        .map(|v| Count { code: v.code(), label: v.label(), count: map.get(v).copied().unwrap_or(0).into() })
        .collect()
}

/// A stage of the journey, dates in words.
#[derive(Debug, Clone, Serialize)]
pub struct StagePart {
    pub position: i32,
    pub name: String,
    pub status: &'static str,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub exit_criteria: String,
}

/// Something that happened on a day: an activity, a Deliberation Day, a stage begun or finished.
#[derive(Debug, Clone, Serialize)]
pub struct Moment {
    #[serde(skip)]
    pub date: Date,
    pub on: String,
    pub what: &'static str,
    pub title: String,
}

/// An activity with its attendance.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityPart {
    pub title: String,
    pub kind: &'static str,
    pub held_on: String,
    pub stage: Option<i32>,
    pub people: u32,
}

/// Who was heard: participants registered by kind, and who was in the room at activities.
#[derive(Debug, Clone, Serialize)]
pub struct Heard {
    pub participants: u64,
    pub participants_by_kind: Vec<Count>,
    pub activities: Vec<ActivityPart>,
    pub attendances: u32,
    pub room_by_kind: Vec<Count>,
    pub room_by_sector: Vec<Count>,
}

/// A quote behind an insight, redacted, whose every speaker consents to anonymous quotation.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub text: String,
    /// Where it was heard: an activity's title, else when.
    pub heard_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InsightPart {
    pub statement: String,
    pub participants: usize,
    /// "parent: 4, carer: 2".
    pub by_kind: String,
    pub sources: usize,
    pub activities: usize,
    pub quotes: Vec<Quote>,
    /// Supporting quotes left out because someone heard in them does not consent to quotation.
    pub withheld: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CauseMapPart {
    pub title: String,
    pub central: String,
    pub factors: usize,
    pub arrows: usize,
    pub root_causes: Vec<String>,
    pub leverage: Vec<String>,
    pub loops: usize,
    pub svg: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalPart {
    pub number: usize,
    pub title: String,
    pub category: &'static str,
    pub horizon: &'static str,
    pub impact: u8,
    pub uncertainty: u8,
    pub so_what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HorizonPart {
    pub svg: String,
    pub signals: Vec<SignalPart>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PropositionPart {
    pub title: String,
    pub status: &'static str,
    pub insights: i64,
    pub factors: i64,
    pub signals: i64,
    pub shapers: i64,
    pub citizen_shapers: i64,
    pub participants: usize,
    pub no_citizen_evidence: bool,
}

impl From<&PropositionSummary> for PropositionPart {
    fn from(p: &PropositionSummary) -> Self {
        PropositionPart {
            title: p.title.clone(),
            status: p.status.label(),
            insights: p.insights,
            factors: p.factors,
            signals: p.signals,
            shapers: p.shapers,
            citizen_shapers: p.citizen_shapers,
            participants: p.breadth.participants,
            no_citizen_evidence: p.breadth.no_citizen_evidence,
        }
    }
}

/// A departure from what the Deliberation Day favoured, with its reason.
#[derive(Debug, Clone, Serialize)]
pub struct DeparturePart {
    pub proposition: String,
    pub kind: &'static str,
    pub rank: i64,
    pub ranked: i64,
    pub reason: String,
}

/// A commissioning decision with its evidence trail in counts, names of what it stands on, and
/// the trail's quotes that everyone heard in them consents to.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionPart {
    pub title: String,
    pub decided_on: String,
    pub decided_by: String,
    pub budget: Option<String>,
    pub period: Option<String>,
    pub service_change: String,
    pub rationale: String,
    pub propositions: Vec<String>,
    pub departures: Vec<DeparturePart>,
    pub participants: usize,
    pub by_kind: String,
    pub sources: usize,
    pub activities: Vec<String>,
    pub insights: Vec<String>,
    pub factors: Vec<String>,
    pub signals: Vec<String>,
    pub quotes: Vec<Quote>,
    pub gaps: Vec<String>,
}

/// "£12,500.00".
fn pounds(pence: i64) -> String {
    let digits = (pence.unsigned_abs() / 100).to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if pence < 0 { "-" } else { "" };
    format!("{sign}£{grouped}.{:02}", pence.unsigned_abs() % 100)
}

impl From<&Trail> for DecisionPart {
    fn from(trail: &Trail) -> Self {
        let d = &trail.decision;
        let mut insights: Vec<&TrailInsight> = Vec::new();
        let mut excerpts: Vec<&TrailExcerpt> = Vec::new();
        let mut factors = Vec::new();
        let mut signals = Vec::new();
        for p in &trail.propositions {
            for factor in &p.factors {
                factors.push(format!("{} ({})", factor.label, factor.map_title));
                insights.extend(&factor.insights);
                excerpts.extend(&factor.excerpts);
            }
            insights.extend(&p.insights);
            signals.extend(p.signals.iter().map(|s| s.title.clone()));
        }
        excerpts.extend(insights.iter().flat_map(|i| &i.excerpts));
        let mut seen = std::collections::BTreeSet::new();
        let quotes = excerpts
            .iter()
            .filter(|e| e.quotable && seen.insert(e.excerpt_id))
            .take(QUOTES_PER_INSIGHT)
            .map(|e| Quote {
                text: e.quote.trim().to_owned(),
                heard_at: e.activity.as_ref().map(|a| a.title.clone()).or_else(|| e.collected_on.map(display)),
            })
            .collect();
        let mut statements: Vec<String> = insights.iter().map(|i| i.statement.clone()).collect();
        statements.sort();
        statements.dedup();
        factors.sort();
        factors.dedup();
        signals.sort();
        signals.dedup();
        let by_kind: Vec<(ParticipantKind, usize)> =
            trail.breadth.by_kind.iter().map(|k| (k.kind, k.participants)).collect();
        let period = match (d.period_start, d.period_end) {
            (Some(start), Some(end)) => Some(format!("{} to {}", display(start), display(end))),
            (Some(start), None) => Some(format!("From {}", display(start))),
            (None, Some(end)) => Some(format!("Until {}", display(end))),
            (None, None) => None,
        };
        DecisionPart {
            title: d.title.clone(),
            decided_on: display(d.decided_on),
            decided_by: format!("{} ({})", d.decided_by, d.decided_by_kind.label().to_lowercase()),
            budget: d.budget_pence.map(pounds),
            period,
            service_change: d.service_change.clone(),
            rationale: d.rationale.clone(),
            propositions: d.propositions.iter().map(|p| p.title.clone()).collect(),
            departures: d
                .departures
                .iter()
                .map(|x| DeparturePart {
                    proposition: x.proposition_title.clone(),
                    kind: x.kind.label(),
                    rank: x.rank,
                    ranked: x.ranked,
                    reason: x.reason.clone(),
                })
                .collect(),
            participants: trail.breadth.participants,
            by_kind: kinds_in_words(&by_kind),
            sources: trail.sources,
            activities: trail.activities.iter().map(|a| format!("{} ({} people)", a.title, a.participants)).collect(),
            insights: statements,
            factors,
            signals,
            quotes,
            gaps: trail.gaps.clone(),
        }
    }
}

/// A review date of an outcome and where it stands on the day of the report.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewPart {
    pub on: String,
    /// "done", "due" (its date has come and it is not done) or "to come".
    pub state: &'static str,
}

/// An outcome of a decision: its indicator, baseline, target, latest measurement and progress
/// (a whole percentage of the way from baseline to target, `None` before any measurement).
/// Who recorded a measurement, and the notes, stay on the outcome's own page.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomePart {
    pub indicator: String,
    pub baseline: String,
    pub target: String,
    /// The target is below the baseline: the outcome is to bring something down.
    pub down: bool,
    pub weight: u32,
    pub latest: Option<String>,
    pub latest_on: Option<String>,
    pub measurements: usize,
    pub progress: Option<u32>,
    pub reviews: Vec<ReviewPart>,
}

/// A decision's outcomes and its progress: its outcomes' rolled up by weight.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionOutcomesPart {
    pub title: String,
    pub outcomes: Vec<OutcomePart>,
    pub measured: u32,
    pub weight: u64,
    pub progress: Option<u32>,
}

/// Outcomes and progress: each decision with outcomes, the programme's roll-up over all of them,
/// and the decisions with no outcomes yet.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomesPart {
    pub decisions: Vec<DecisionOutcomesPart>,
    pub without: Vec<String>,
    pub outcomes: usize,
    pub progress: Option<u32>,
}

/// A number as pages show it (whole numbers without a point, others to two places at most) with
/// its unit: "51%", "35 days".
fn quantity(value: f64, unit: Option<&str>) -> String {
    let number = if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.2}").trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    match unit.map(str::trim) {
        None | Some("") => number,
        Some("%") => format!("{number}%"),
        Some(unit) => format!("{number} {unit}"),
    }
}

impl OutcomePart {
    fn of(outcome: &Outcome, today: Date) -> OutcomePart {
        let unit = outcome.unit.as_deref();
        let latest = outcome.latest();
        OutcomePart {
            indicator: outcome.indicator.clone(),
            baseline: quantity(outcome.baseline, unit),
            target: quantity(outcome.target, unit),
            down: outcome.target < outcome.baseline,
            weight: outcome.weight,
            latest: latest.map(|m| quantity(m.value, unit)),
            latest_on: latest.map(|m| display(m.measured_on)),
            measurements: outcome.measurements.len(),
            progress: outcome.progress.map(percent),
            reviews: outcome
                .reviews
                .iter()
                .map(|r| ReviewPart {
                    on: display(r.review_on),
                    state: match r.reviewed_at {
                        Some(_) => "done",
                        None if r.review_on <= today => "due",
                        None => "to come",
                    },
                })
                .collect(),
        }
    }
}

impl OutcomesPart {
    fn of(progress: &ProgrammeProgress, outcomes: &[Outcome], today: Date) -> OutcomesPart {
        let mut decisions = Vec::new();
        let mut without = Vec::new();
        for d in &progress.decisions {
            let own: Vec<OutcomePart> =
                outcomes.iter().filter(|o| o.decision_id == d.decision_id).map(|o| OutcomePart::of(o, today)).collect();
            if own.is_empty() {
                without.push(d.title.clone());
                continue;
            }
            decisions.push(DecisionOutcomesPart {
                title: d.title.clone(),
                outcomes: own,
                measured: d.measured,
                weight: d.weight,
                progress: d.progress.map(percent),
            });
        }
        OutcomesPart { decisions, without, outcomes: outcomes.len(), progress: progress.progress.map(percent) }
    }
}

/// An entry of the learning log: an up, a down, a surprise or a lesson.
#[derive(Debug, Clone, Serialize)]
pub struct ReflectionPart {
    pub kind: &'static str,
    pub written_on: String,
    pub text: String,
    /// The stage, activity or decision it is about, in words.
    pub about: Option<String>,
}

impl From<&Reflection> for ReflectionPart {
    fn from(r: &Reflection) -> Self {
        let about = match (&r.stage, &r.activity, &r.decision) {
            (_, _, Some(decision)) => Some(format!("Decision: {}", decision.title)),
            (_, Some(activity), _) => Some(format!("Activity: {}", activity.title)),
            (Some(stage), _, _) => Some(format!("Stage {}: {}", stage.position, stage.name)),
            _ => None,
        };
        ReflectionPart { kind: r.kind.label(), written_on: display(r.written_on), text: r.text.clone(), about }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliberationPart {
    pub title: String,
    pub held_on: String,
    pub status: &'static str,
    pub figures: Figures,
    /// The opinion map, when the room split into groups.
    pub svg: Option<String>,
    pub map_rows: Vec<GroupRow>,
}

/// The whole report, read once, in words and numbers ready to lay out.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub programme: Programme,
    pub status: &'static str,
    pub lead: Option<String>,
    pub generated_on: String,
    pub stages: Vec<StagePart>,
    pub timeline: Vec<Moment>,
    pub heard: Heard,
    pub insights: Vec<InsightPart>,
    /// How many insights the programme has in all (the report shows the broadest).
    pub insights_total: usize,
    pub cause_maps: Vec<CauseMapPart>,
    pub horizon: Option<HorizonPart>,
    pub propositions: Vec<PropositionPart>,
    pub deliberations: Vec<DeliberationPart>,
    /// Commissioning decisions, oldest first.
    pub decisions: Vec<DecisionPart>,
    /// The decisions' outcomes, by decision date, and the programme's progress.
    pub outcomes: OutcomesPart,
    /// The learning log, oldest first.
    pub reflections: Vec<ReflectionPart>,
}

/// "parent: 4, carer: 2".
fn kinds_in_words(by_kind: &[(ParticipantKind, usize)]) -> String {
    by_kind.iter().map(|(kind, n)| format!("{}: {n}", kind.label().to_lowercase())).collect::<Vec<_>>().join(", ")
}

impl Report {
    /// Reads everything the report shows of the programme `slug`. Deliberations are analysed
    /// through `live` (the server's, or a fresh one in the command line).
    pub async fn gather(store: &Store, live: &Live, slug: &str) -> Result<Report, ReportError> {
        let programme = store.programme(slug).await?.ok_or(ReportError::NoProgramme)?;
        let id = programme.id;
        let today = OffsetDateTime::now_utc().date();

        let stages = store.stages(id).await?;
        let activities = store.activities(id).await?;
        let room = store.room(id).await?;
        let participants = store.participant_counts(id).await?;
        let deliberations = store.deliberations(id).await?;

        let mut timeline: Vec<Moment> = Vec::new();
        let moment = |date: Date, what: &'static str, title: &str| Moment {
            date,
            on: display(date),
            what,
            title: title.to_owned(),
        };
        for stage in &stages {
            if let Some(on) = stage.starts_on {
                timeline.push(moment(on, "Stage began", &format!("{}. {}", stage.position, stage.name)));
            }
            if let Some(on) = stage.ends_on {
                timeline.push(moment(on, "Stage ended", &format!("{}. {}", stage.position, stage.name)));
            }
        }
        for activity in &activities {
            timeline.push(moment(activity.held_on, activity.kind.label(), &activity.title));
        }
        for d in &deliberations {
            timeline.push(moment(d.held_on, "Deliberation Day", &d.title));
        }
        let mut decisions = Vec::new();
        for d in store.decision_refs(id).await? {
            timeline.push(moment(d.decided_on, "Decision", &d.title));
            if let Some(trail) = store.decision_trail(id, d.id).await? {
                decisions.push(DecisionPart::from(&trail));
            }
        }
        let outcomes = OutcomesPart::of(&store.programme_progress(id).await?, &store.outcomes(id, None).await?, today);
        let mut reflections = store.reflections(id, ReflectionFilter::default()).await?;
        reflections.reverse();
        timeline.sort_by_key(|m| m.date);

        let mut activity_parts: Vec<ActivityPart> = activities
            .iter()
            .map(|a| ActivityPart {
                title: a.title.clone(),
                kind: a.kind.label(),
                held_on: display(a.held_on),
                stage: a.stage_position,
                people: a.attendance.total(),
            })
            .collect();
        // The store lists the newest first; a report reads in the order things happened.
        activity_parts.reverse();
        let heard = Heard {
            participants: participants.values().map(|n| u64::from(*n)).sum(),
            participants_by_kind: counts::<ParticipantKind>(&participants),
            activities: activity_parts,
            attendances: room.attendances,
            room_by_kind: counts::<AttendeeKind>(&room.by_kind),
            room_by_sector: counts::<Sector>(&room.by_sector),
        };

        let (insights, insights_total) = key_insights(store, id).await?;
        let cause_maps = cause_maps(store, &programme).await?;
        let horizon = horizon(store, &programme).await?;
        let propositions = store.propositions(id).await?.iter().map(PropositionPart::from).collect();

        let mut deliberation_parts = Vec::new();
        for summary in deliberations.iter().rev() {
            if summary.votes == 0 && summary.attendees == 0 {
                continue;
            }
            let snapshot = live.current(store, summary.id).await?;
            let figures = Figures::of(&snapshot);
            let (svg, map_rows) = if figures.groups.is_empty() {
                (None, Vec::new())
            } else {
                let (svg, rows) = opinion_map(&snapshot, &figures);
                (Some(svg), rows)
            };
            deliberation_parts.push(DeliberationPart {
                title: summary.title.clone(),
                held_on: display(summary.held_on),
                status: summary.status.label(),
                figures,
                svg,
                map_rows,
            });
        }

        Ok(Report {
            status: programme.status.label(),
            lead: programme.lead_commissioner.as_ref().map(|u| u.display_name.clone()),
            generated_on: display(today),
            stages: stages.iter().map(stage_part).collect(),
            timeline,
            heard,
            insights,
            insights_total,
            cause_maps,
            horizon,
            propositions,
            deliberations: deliberation_parts,
            decisions,
            outcomes,
            reflections: reflections.iter().map(ReflectionPart::from).collect(),
            programme,
        })
    }

    /// A name for files: `early-years-report`.
    pub fn file_stem(&self) -> String {
        format!("{}-report", self.programme.slug)
    }
}

fn stage_part(stage: &Stage) -> StagePart {
    StagePart {
        position: stage.position,
        name: stage.name.clone(),
        status: stage.status.label(),
        starts_on: stage.starts_on.map(display),
        ends_on: stage.ends_on.map(display),
        exit_criteria: stage.exit_criteria.clone(),
    }
}

/// The broadest insights (most distinct participants behind them), each with the supporting quotes
/// that everyone heard in consents to be quoted from.
async fn key_insights(store: &Store, programme_id: i64) -> Result<(Vec<InsightPart>, usize), StoreError> {
    let summaries = store.insights(programme_id).await?;
    let total = summaries.len();
    let mut parts = Vec::with_capacity(total);
    for summary in &summaries {
        let Some(insight) = store.insight(programme_id, summary.id).await? else { continue };
        let supporting: Vec<_> = insight.evidence.iter().filter(|e| e.stance == Stance::Supports).collect();
        let quotable: Vec<_> = supporting.iter().filter(|e| e.quotable).collect();
        let quotes = quotable
            .iter()
            .take(QUOTES_PER_INSIGHT)
            .map(|e| Quote {
                text: e.quote.trim().to_owned(),
                heard_at: e.activity.clone().or_else(|| e.collected_on.map(display)),
            })
            .collect();
        let b = &insight.breadth;
        parts.push(InsightPart {
            statement: insight.statement.clone(),
            participants: b.participants,
            by_kind: kinds_in_words(&b.by_kind),
            sources: b.sources,
            activities: b.activities,
            quotes,
            withheld: supporting.len() - quotable.len(),
        });
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.participants));
    parts.truncate(KEY_INSIGHTS);
    Ok((parts, total))
}

async fn cause_maps(store: &Store, programme: &Programme) -> Result<Vec<CauseMapPart>, StoreError> {
    let mut parts = Vec::new();
    for summary in store.cause_maps(programme.id).await? {
        let Some(map) = store.cause_map(programme.id, summary.id).await? else { continue };
        let drawn = Drawn::of(&map);
        let svg = crate::causes::maps::picture_svg(&programme.slug, &map, &drawn, Default::default());
        let label = |i: &usize| map.factors.get(*i).map(|f| f.label.clone()).unwrap_or_default();
        parts.push(CauseMapPart {
            title: map.title.clone(),
            central: summary.central.clone(),
            factors: map.factors.len(),
            arrows: map.arrows.len(),
            root_causes: drawn.analysis.root_causes.iter().map(label).collect(),
            leverage: drawn.analysis.leverage.iter().take(LEVERAGE_POINTS).map(|l| label(&l.factor)).collect(),
            loops: drawn.analysis.loops.len(),
            svg,
        });
    }
    Ok(parts)
}

async fn horizon(store: &Store, programme: &Programme) -> Result<Option<HorizonPart>, ReportError> {
    let filter = SignalFilter { programme_id: Some(programme.id), ..Default::default() };
    let signals = store.signals(filter).await?;
    if signals.is_empty() {
        return Ok(None);
    }
    let (sectors, rings) = radar_labels();
    let title = format!("Radar of signals for {}: rings are horizons, sectors are categories", programme.name);
    let labels = RadarLabels { title: &title, sectors: &sectors, rings: &rings };
    let drawn = horizon_picture::radar(&labels, &radar_entries(&signals))
        .map_err(|e| ReportError::Picture(format!("the radar: {e}")))?;
    let listed = drawn
        .radar
        .placed
        .iter()
        .map(|placed| {
            let signal = &signals[placed.input];
            SignalPart {
                number: placed.number,
                title: signal.title.clone(),
                category: signal.primary_category().label(),
                horizon: signal.current.horizon.label(),
                impact: u8::from(signal.current.impact),
                uncertainty: u8::from(signal.current.uncertainty),
                so_what: signal.so_what.clone().unwrap_or_default(),
            }
        })
        .collect();
    Ok(Some(HorizonPart { svg: drawn.svg, signals: listed }))
}

/// The report as a standalone HTML document, with Heard's GOV.UK styles inside it, for a file; the
/// page served at `/programmes/{slug}/report` has the same body in Heard's layout.
pub fn html(report: &Report) -> Result<String, ReportError> {
    Ok(crate::render::render_standalone("reports/standalone.html", context! { report })?)
}

/// The report as PDF, typeset in-process; CPU work, so callers on the runtime use a blocking task.
pub fn pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    pdf::typeset(report)
}

async fn page(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let report = Report::gather(&state.store, &state.live, &slug).await?;
    Ok(page.render("reports/report.html", context! { report, programme => report.programme })?.into_response())
}

async fn download(State(state): State<AppState>, PagePath(slug): PagePath<String>) -> PageResult {
    let report = Report::gather(&state.store, &state.live, &slug).await?;
    let name = report.file_stem();
    let bytes =
        tokio::task::spawn_blocking(move || pdf(&report)).await.map_err(|e| PageError::Internal(e.to_string()))??;
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.pdf\"")),
        ],
        bytes,
    )
        .into_response())
}
