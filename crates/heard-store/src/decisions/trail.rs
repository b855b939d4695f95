//! A decision's evidence trail: from the decision back through the propositions it takes up to
//! their insights, cause-map factors and signals, and on to the excerpts and the sources they come
//! from, with the distinct people behind each step by kind (counted by the propositions'
//! [`breadth`](crate::propositions::breadth) reader, as the proposition pages count them), the
//! activities where they were heard, where the Deliberation Day ranked each proposition, and the
//! gaps stated in words. Quotes come with whether everyone heard in their source consents to
//! anonymous quotation now; the web layer shows them only as that and the reader's role allow.

use std::collections::{BTreeMap, BTreeSet};

use heard_domain::coding::codebook::Stance;
use heard_domain::decisions::RoomRank;
use heard_domain::deliberation::days::Prioritisation;
use heard_domain::propositions::{PropositionStatus, is_citizen};
use heard_domain::voice::participants::ParticipantKind;
use serde::Serialize;
use time::Date;

use super::{Decision, DeliberationRef};
use crate::propositions::breadth::{Breadth, Reader};
use crate::propositions::{LinkedSignal, Proposition};
use crate::voice::sources::ActivityRef;
use crate::{Store, StoreError};

/// A decision's whole evidence trail.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Trail {
    pub decision: Decision,
    pub propositions: Vec<TrailProposition>,
    /// The distinct people behind all the propositions together, by kind.
    pub breadth: Breadth,
    /// Distinct sources behind the trail's excerpts.
    pub sources: usize,
    /// The activities where the people behind it were heard, with how many of them at each.
    pub activities: Vec<ActivityHeard>,
    /// The Deliberation Day the decision was compared with, and where it ranked each proposition.
    pub room: Option<TrailRoom>,
    /// What is missing, in words: kinds of people registered in the programme but not heard.
    pub gaps: Vec<String>,
}

/// An activity where people behind a trail were heard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ActivityHeard {
    pub id: i64,
    pub title: String,
    /// Distinct participants heard in the trail's sources from this activity.
    pub participants: usize,
}

/// A Deliberation Day's prioritisation of a programme's propositions.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrailRoom {
    pub deliberation: DeliberationRef,
    pub prioritisation: Prioritisation,
    /// Each proposition it ranked, strongest first: id, title, rank, of how many.
    pub ranks: Vec<RoomPlace>,
}

/// Where the room ranked one proposition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RoomPlace {
    pub proposition_id: i64,
    pub title: String,
    pub rank: u32,
    pub ranked: u32,
    /// In the top half: favoured by the room.
    pub favoured: bool,
    /// Whether this decision takes it up.
    pub taken_up: bool,
}

/// One proposition on the trail.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrailProposition {
    pub id: i64,
    pub title: String,
    pub change: String,
    pub status: PropositionStatus,
    pub breadth: Breadth,
    pub insights: Vec<TrailInsight>,
    pub factors: Vec<TrailFactor>,
    pub signals: Vec<LinkedSignal>,
    /// Where the room ranked it, if it did: `room_rank` of `room_ranked`.
    pub room_rank: Option<u32>,
    pub room_ranked: Option<u32>,
    pub gaps: Vec<String>,
}

/// An insight on the trail with its supporting excerpts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrailInsight {
    pub id: i64,
    pub statement: String,
    pub participants: usize,
    pub excerpts: Vec<TrailExcerpt>,
}

/// A factor on the trail with the insights and excerpts it stands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrailFactor {
    pub id: i64,
    pub map_id: i64,
    pub map_title: String,
    pub label: String,
    pub participants: usize,
    /// The insights it stands on (each also walked under its proposition when linked there).
    pub insights: Vec<TrailInsight>,
    pub excerpts: Vec<TrailExcerpt>,
}

/// An excerpt on the trail: its redacted words, its source, and who is heard in it by kind (never
/// by name or pseudonym).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrailExcerpt {
    pub excerpt_id: i64,
    pub quote: String,
    /// Everyone heard in its source consents to anonymous quotation now.
    pub quotable: bool,
    pub source_id: i64,
    pub source_title: String,
    pub collected_on: Option<Date>,
    pub activity: Option<ActivityRef>,
    /// The kinds of the people heard in its source, one entry a person.
    pub heard: Vec<ParticipantKind>,
}

/// Plural words for a kind of participant, for gaps.
pub fn kind_plural(kind: ParticipantKind) -> &'static str {
    match kind {
        ParticipantKind::Parent => "parents",
        ParticipantKind::Carer => "carers",
        ParticipantKind::ServiceUser => "service users",
        ParticipantKind::YoungPerson => "young people",
        ParticipantKind::Practitioner => "practitioners",
        ParticipantKind::Leader => "leaders",
        ParticipantKind::Other => "others",
    }
}

/// The gaps of one step: each kind the programme registered but not heard here, and no citizen.
fn gaps_of(breadth: &Breadth, registered: &BTreeMap<ParticipantKind, u32>, what: &str) -> Vec<String> {
    let heard: BTreeSet<ParticipantKind> = breadth.by_kind.iter().map(|k| k.kind).collect();
    let mut gaps = Vec::new();
    if breadth.participants == 0 {
        gaps.push(format!("No one's voice is behind {what}"));
        return gaps;
    }
    if breadth.no_citizen_evidence {
        gaps.push(format!("No parents', carers', service users' or young people's voices behind {what}"));
    }
    for kind in registered.keys().filter(|k| !heard.contains(k) && **k != ParticipantKind::Other) {
        if breadth.no_citizen_evidence && is_citizen(*kind) {
            continue;
        }
        gaps.push(format!("No {}' voices behind {what}", kind_plural(*kind)).replace("people'", "people's"));
    }
    gaps
}

/// Where a source was heard and who is heard in it: (participant, kind).
type SourcePeople = (Option<ActivityRef>, Vec<(i64, ParticipantKind)>);
/// A Deliberation Day, how it prioritised, its ranking, and the titles of what it ranked.
type RoomRead = (DeliberationRef, Prioritisation, Vec<RoomRank>, BTreeMap<i64, String>);

struct Walker<'a> {
    store: &'a Store,
    programme_id: i64,
    sources: BTreeMap<i64, SourcePeople>,
}

impl Walker<'_> {
    async fn source(&mut self, id: i64) -> Result<SourcePeople, StoreError> {
        if let Some(found) = self.sources.get(&id) {
            return Ok(found.clone());
        }
        let found = match self.store.source(self.programme_id, id).await? {
            Some(source) => (source.activity, source.participants.iter().map(|p| (p.id, p.kind)).collect()),
            None => (None, Vec::new()),
        };
        self.sources.insert(id, found.clone());
        Ok(found)
    }

    async fn insight(&mut self, id: i64, statement: String) -> Result<TrailInsight, StoreError> {
        let Some(insight) = self.store.insight(self.programme_id, id).await? else {
            return Ok(TrailInsight { id, statement, participants: 0, excerpts: Vec::new() });
        };
        let mut excerpts = Vec::new();
        for e in insight.evidence.into_iter().filter(|e| e.stance == Stance::Supports) {
            let (activity, heard) = self.source(e.source_id).await?;
            excerpts.push(TrailExcerpt {
                excerpt_id: e.excerpt_id,
                quote: e.quote,
                quotable: e.quotable,
                source_id: e.source_id,
                source_title: e.source_title,
                collected_on: e.collected_on,
                activity,
                heard: heard.iter().map(|h| h.1).collect(),
            });
        }
        Ok(TrailInsight { id, statement: insight.statement, participants: insight.breadth.participants, excerpts })
    }
}

impl Store {
    /// One decision's evidence trail, or `None` when it is not the programme's.
    pub async fn decision_trail(&self, programme_id: i64, id: i64) -> Result<Option<Trail>, StoreError> {
        let Some(decision) = self.decision(programme_id, id).await? else {
            return Ok(None);
        };
        let registered = self.participant_counts(programme_id).await?;
        let room = match &decision.deliberation {
            Some(d) => self.room_for_deliberation(programme_id, d.id).await?,
            None => None,
        };
        let mut reader = Reader::new(self, programme_id);
        let mut walker = Walker { store: self, programme_id, sources: BTreeMap::new() };
        let (mut all_insights, mut all_factors) = (Vec::new(), Vec::new());
        let mut propositions = Vec::new();
        for taken in &decision.propositions {
            let Some(proposition) = self.proposition(programme_id, taken.id).await? else { continue };
            propositions.push(self.trail_proposition(proposition, &mut reader, &mut walker, &registered, &room).await?);
            let last = propositions.last().map(|p: &TrailProposition| {
                (
                    p.insights.iter().map(|i| i.id).collect::<Vec<_>>(),
                    p.factors.iter().map(|f| (f.map_id, f.id)).collect::<Vec<_>>(),
                )
            });
            if let Some((insights, factors)) = last {
                all_insights.extend(insights);
                all_factors.extend(factors);
            }
        }
        let breadth = reader.breadth(&all_insights, &all_factors).await?;
        // Activities and sources over every excerpt on the trail.
        let mut sources = BTreeSet::new();
        let mut at: BTreeMap<i64, (String, BTreeSet<i64>)> = BTreeMap::new();
        let mut on_trail: Vec<(i64, Option<ActivityRef>)> = Vec::new();
        for p in &propositions {
            let insights = p.insights.iter().chain(p.factors.iter().flat_map(|f| f.insights.iter()));
            for e in insights.flat_map(|i| i.excerpts.iter()).chain(p.factors.iter().flat_map(|f| f.excerpts.iter())) {
                on_trail.push((e.source_id, e.activity.clone()));
            }
        }
        for (source_id, activity) in on_trail {
            sources.insert(source_id);
            if let Some(activity) = activity {
                let (_, heard) = walker.source(source_id).await?;
                let entry = at.entry(activity.id).or_insert_with(|| (activity.title.clone(), BTreeSet::new()));
                entry.1.extend(heard.iter().map(|h| h.0));
            }
        }
        let mut activities: Vec<ActivityHeard> = at
            .into_iter()
            .map(|(id, (title, people))| ActivityHeard { id, title, participants: people.len() })
            .collect();
        activities.sort_by(|a, b| b.participants.cmp(&a.participants).then(a.id.cmp(&b.id)));
        let mut gaps = gaps_of(&breadth, &registered, "this decision");
        if decision.deliberation.is_none() {
            gaps.push(
                "No Deliberation Day had prioritised these propositions when this decision was recorded".to_owned(),
            );
        }
        let room = room.map(|(deliberation, prioritisation, ranks, titles)| TrailRoom {
            deliberation,
            prioritisation,
            ranks: ranks
                .iter()
                .map(|r| RoomPlace {
                    proposition_id: r.proposition_id,
                    title: titles.get(&r.proposition_id).cloned().unwrap_or_default(),
                    rank: r.rank,
                    ranked: r.ranked,
                    favoured: heard_domain::decisions::favoured(r.rank, r.ranked),
                    taken_up: decision.propositions.iter().any(|p| p.id == r.proposition_id),
                })
                .collect(),
        });
        Ok(Some(Trail { decision, propositions, breadth, sources: sources.len(), activities, room, gaps }))
    }

    async fn trail_proposition(
        &self,
        proposition: Proposition,
        reader: &mut Reader<'_>,
        walker: &mut Walker<'_>,
        registered: &BTreeMap<ParticipantKind, u32>,
        room: &Option<RoomRead>,
    ) -> Result<TrailProposition, StoreError> {
        let programme_id = proposition.programme_id;
        let mut insights = Vec::new();
        for linked in &proposition.evidence.insights {
            insights.push(walker.insight(linked.id, linked.statement.clone()).await?);
        }
        let mut factors = Vec::new();
        for linked in &proposition.evidence.factors {
            let evidence = match self.factor_evidence(programme_id, linked.map_id, linked.id).await {
                Ok(evidence) => evidence,
                Err(StoreError::NotFound) => Default::default(),
                Err(other) => return Err(other),
            };
            let mut factor_insights = Vec::new();
            for i in &evidence.insights {
                factor_insights.push(walker.insight(i.id, i.statement.clone()).await?);
            }
            let mut excerpts = Vec::new();
            for e in evidence.excerpts {
                let (activity, heard) = walker.source(e.source_id).await?;
                let collected_on = self.source(programme_id, e.source_id).await?.and_then(|s| s.collected_on);
                excerpts.push(TrailExcerpt {
                    excerpt_id: e.id,
                    quote: e.quote,
                    quotable: e.quotable,
                    source_id: e.source_id,
                    source_title: e.source_title,
                    collected_on,
                    activity,
                    heard: heard.iter().map(|h| h.1).collect(),
                });
            }
            factors.push(TrailFactor {
                id: linked.id,
                map_id: linked.map_id,
                map_title: linked.map_title.clone(),
                label: linked.label.clone(),
                participants: linked.participants,
                insights: factor_insights,
                excerpts,
            });
        }
        let insight_ids: Vec<i64> = insights.iter().map(|i| i.id).collect();
        let factor_ids: Vec<(i64, i64)> = factors.iter().map(|f| (f.map_id, f.id)).collect();
        let breadth = reader.breadth(&insight_ids, &factor_ids).await?;
        let place = room
            .as_ref()
            .and_then(|(_, _, ranks, _)| ranks.iter().find(|r| r.proposition_id == proposition.id))
            .map(|r| (r.rank, r.ranked));
        let mut gaps = gaps_of(&breadth, registered, "this proposition");
        if insights.is_empty() && factors.is_empty() && proposition.evidence.signals.is_empty() {
            gaps.push("This proposition is linked to no insight, factor or signal".to_owned());
        }
        if room.is_some() && place.is_none() {
            gaps.push("The Deliberation Day did not prioritise this proposition".to_owned());
        }
        Ok(TrailProposition {
            id: proposition.id,
            title: proposition.title,
            change: proposition.change,
            status: proposition.status,
            breadth,
            insights,
            factors,
            signals: proposition.evidence.signals,
            room_rank: place.map(|p| p.0),
            room_ranked: place.map(|p| p.1),
            gaps,
        })
    }

    /// A Deliberation Day's ranking with the propositions' titles, if it is the programme's and
    /// its room said anything.
    async fn room_for_deliberation(&self, programme_id: i64, id: i64) -> Result<Option<RoomRead>, StoreError> {
        let Some(deliberation) = self.deliberation(id).await? else { return Ok(None) };
        if deliberation.programme_id != programme_id {
            return Ok(None);
        }
        let Some(ranks) = self.room_ranks(&deliberation.proposition_ids, deliberation.prioritisation, id).await? else {
            return Ok(None);
        };
        let mut titles = BTreeMap::new();
        for r in &ranks {
            if let Some(p) = self.proposition(programme_id, r.proposition_id).await? {
                titles.insert(r.proposition_id, p.title);
            }
        }
        let reference = DeliberationRef { id, title: deliberation.title, held_on: deliberation.held_on };
        Ok(Some((reference, deliberation.prioritisation, ranks, titles)))
    }
}
