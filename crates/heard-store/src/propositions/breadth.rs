//! Who is behind a proposition's evidence: the distinct participants heard in the supporting
//! excerpts of its insights, and in its factors' evidence (excerpts linked directly and those
//! supporting their insights), by kind, and whether any of them is a citizen. Read through the
//! store's own insight, factor-evidence and source loads, so a participant counts here exactly when
//! they count on those pages; signals are no one's words and add nobody.

use std::collections::BTreeMap;

use heard_domain::coding::codebook::Stance;
use heard_domain::propositions::is_citizen;
use heard_domain::voice::participants::ParticipantKind;
use serde::Serialize;

use crate::{Store, StoreError};

/// Who is heard in a proposition's evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = PropositionBreadth)]
pub struct Breadth {
    /// Distinct participants.
    pub participants: usize,
    /// Distinct participants of each kind, most first.
    pub by_kind: Vec<KindCount>,
    /// Of them, parents, carers, service users and young people.
    pub citizens: usize,
    /// True when no citizen is heard in the evidence at all: the proposition stands on
    /// professionals' words, signals or nothing.
    pub no_citizen_evidence: bool,
}

/// Distinct participants of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: ParticipantKind,
    pub participants: usize,
}

impl Breadth {
    fn of(people: &BTreeMap<i64, ParticipantKind>) -> Breadth {
        let mut by_kind: BTreeMap<ParticipantKind, usize> = BTreeMap::new();
        for kind in people.values() {
            *by_kind.entry(*kind).or_default() += 1;
        }
        let mut by_kind: Vec<KindCount> =
            by_kind.into_iter().map(|(kind, participants)| KindCount { kind, participants }).collect();
        by_kind.sort_by(|a, b| b.participants.cmp(&a.participants).then(a.kind.cmp(&b.kind)));
        let citizens = people.values().filter(|k| is_citizen(**k)).count();
        Breadth { participants: people.len(), by_kind, citizens, no_citizen_evidence: citizens == 0 }
    }
}

/// Reads the people behind insights and factors of one programme, each insight, factor and source
/// once however many propositions share it.
pub(crate) struct Reader<'a> {
    store: &'a Store,
    programme_id: i64,
    insights: BTreeMap<i64, BTreeMap<i64, ParticipantKind>>,
    factors: BTreeMap<i64, BTreeMap<i64, ParticipantKind>>,
    sources: BTreeMap<i64, BTreeMap<i64, ParticipantKind>>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(store: &'a Store, programme_id: i64) -> Reader<'a> {
        Reader { store, programme_id, insights: BTreeMap::new(), factors: BTreeMap::new(), sources: BTreeMap::new() }
    }

    /// The breadth of these insights and factors (`(map, factor)`) together.
    pub(crate) async fn breadth(&mut self, insights: &[i64], factors: &[(i64, i64)]) -> Result<Breadth, StoreError> {
        let mut people = BTreeMap::new();
        for id in insights {
            people.extend(self.insight(*id).await?);
        }
        for (map_id, factor_id) in factors {
            people.extend(self.factor(*map_id, *factor_id).await?);
        }
        Ok(Breadth::of(&people))
    }

    /// Participants heard in an insight's supporting excerpts, as its own page counts them.
    async fn insight(&mut self, id: i64) -> Result<BTreeMap<i64, ParticipantKind>, StoreError> {
        if let Some(people) = self.insights.get(&id) {
            return Ok(people.clone());
        }
        let people: BTreeMap<i64, ParticipantKind> = match self.store.insight(self.programme_id, id).await? {
            Some(insight) => insight
                .evidence
                .iter()
                .filter(|e| e.stance == Stance::Supports)
                .flat_map(|e| e.voices.iter().map(|v| (v.id, v.kind)))
                .collect(),
            None => BTreeMap::new(),
        };
        self.insights.insert(id, people.clone());
        Ok(people)
    }

    async fn factor(&mut self, map_id: i64, factor_id: i64) -> Result<BTreeMap<i64, ParticipantKind>, StoreError> {
        if let Some(people) = self.factors.get(&factor_id) {
            return Ok(people.clone());
        }
        let evidence = match self.store.factor_evidence(self.programme_id, map_id, factor_id).await {
            Ok(evidence) => evidence,
            Err(StoreError::NotFound) => Default::default(),
            Err(other) => return Err(other),
        };
        let mut people = BTreeMap::new();
        for insight in &evidence.insights {
            people.extend(Box::pin(self.insight(insight.id)).await?);
        }
        for excerpt in &evidence.excerpts {
            people.extend(self.source(excerpt.source_id).await?);
        }
        self.factors.insert(factor_id, people.clone());
        Ok(people)
    }

    /// Everyone heard in a source.
    async fn source(&mut self, id: i64) -> Result<BTreeMap<i64, ParticipantKind>, StoreError> {
        if let Some(people) = self.sources.get(&id) {
            return Ok(people.clone());
        }
        let people: BTreeMap<i64, ParticipantKind> = match self.store.source(self.programme_id, id).await? {
            Some(source) => source.participants.iter().map(|p| (p.id, p.kind)).collect(),
            None => BTreeMap::new(),
        };
        self.sources.insert(id, people.clone());
        Ok(people)
    }
}
