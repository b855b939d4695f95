//! Decisions on both backends: the demo's decisions and departures, the room's ranking a decision
//! is compared with, recording one (another programme's proposition refused, nothing saved), the
//! evidence trail's counts against the people read straight from the insights, factors and
//! sources, the public page's publication, and deleting a decision.

use std::collections::{BTreeMap, BTreeSet};

use heard_domain::Invalid;
use heard_domain::coding::codebook::Stance;
use heard_domain::dates::DateParts;
use heard_domain::decisions::{self, DecisionFields, DecisionInput, DepartureKind, favoured};
use heard_domain::voice::participants::ParticipantKind;
use heard_store::StoreError;
use heard_store::demo;
use heard_testkit::fresh_store;
use time::macros::date;

fn fields(propositions: &[i64]) -> DecisionFields {
    DecisionFields {
        title: "A decision (test)".into(),
        service_change: "Commission something (test)".into(),
        budget: "£10,000".into(),
        period_start: DateParts::default(),
        period_end: DateParts::default(),
        decided_by_kind: "committee".into(),
        decided_by: "Test Committee (test)".into(),
        decided_on: DateParts::from_date(Some(date!(2015 - 02 - 03))),
        rationale: "Because (test)".into(),
        propositions: propositions.iter().map(i64::to_string).collect(),
    }
}

#[tokio::test]
async fn decisions_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let programme = store.programme("early-years").await.unwrap().unwrap();
        let pid = programme.id;

        // Every demo programme has a decision; Early Years' has exactly one departure, with its reason.
        for summary in store.programmes().await.unwrap() {
            assert!(
                !store.decisions(summary.programme.id).await.unwrap().is_empty(),
                "{} has a decision",
                summary.programme.slug
            );
        }
        let list = store.decisions(pid).await.unwrap();
        assert_eq!(list.len(), 1);
        let decision = store.decision(pid, list[0].id).await.unwrap().unwrap();
        assert_eq!(decision.departures.len(), 1);
        assert_eq!(list[0].departures, 1);
        assert_eq!(list[0].propositions, decision.propositions.len() as i64);
        assert!(!decision.departures[0].reason.trim().is_empty());
        assert_eq!(decision.budget_pence, Some(125_000_000));

        // The room: a ranking of every proposition the day prioritised, strongest first, and the
        // demo decision took up the favoured ones and departs where the rule says it does.
        let room = store.room_for_decisions(pid).await.unwrap().unwrap();
        let day = store.deliberation(room.deliberation.id).await.unwrap().unwrap();
        let ranked: BTreeSet<i64> = room.ranks.iter().map(|r| r.proposition_id).collect();
        assert_eq!(ranked, day.proposition_ids.iter().copied().collect());
        assert!(room.ranks.windows(2).all(|w| w[0].rank <= w[1].rank));
        assert_eq!(decision.deliberation.as_ref().map(|d| d.id), Some(room.deliberation.id));
        let taken: Vec<i64> = decision.propositions.iter().map(|p| p.id).collect();
        for r in &room.ranks {
            if favoured(r.rank, r.ranked) {
                assert!(taken.contains(&r.proposition_id), "favoured {} taken up", r.proposition_id);
            }
        }
        let departed = &decision.departures[0];
        assert_eq!(departed.kind, DepartureKind::NotFavoured);
        let place = room.ranks.iter().find(|r| r.proposition_id == departed.proposition_id).unwrap();
        assert_eq!((departed.rank, departed.ranked), (i64::from(place.rank), i64::from(place.ranked)));
        assert!(!favoured(place.rank, place.ranked));
        assert_eq!(
            store.propositions_taken_up(pid).await.unwrap(),
            taken.iter().copied().collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>()
        );

        // A second decision leaving out nothing new: no departure, since the first took up the favoured.
        let before = store.propositions_taken_up(pid).await.unwrap();
        assert!(decisions::departures(&room.ranks, &[], &before).is_empty());

        // Another programme's proposition: refused naming `propositions`, nothing saved.
        let dementia = store.programme("dementia").await.unwrap().unwrap();
        let theirs = store.propositions(dementia.id).await.unwrap()[0].id;
        let input = DecisionInput::parse(&fields(&[theirs])).unwrap();
        match store.record_decision(pid, &input, &[], None, None).await {
            Err(StoreError::Invalid(Invalid(errors))) => assert_eq!(errors[0].field, "propositions"),
            other => panic!("expected invalid propositions, got {other:?}"),
        }
        assert_eq!(store.decisions(pid).await.unwrap().len(), 1);
        assert!(store.decision(dementia.id, decision.id).await.unwrap().is_none(), "another programme cannot read it");

        // The trail: every proposition taken up, and its people counted as the sources say.
        let trail = store.decision_trail(pid, decision.id).await.unwrap().unwrap();
        assert_eq!(trail.propositions.iter().map(|p| p.id).collect::<Vec<_>>(), taken);
        let mut people: BTreeMap<i64, ParticipantKind> = BTreeMap::new();
        let mut sources = BTreeSet::new();
        for id in &taken {
            let p = store.proposition(pid, *id).await.unwrap().unwrap();
            for linked in &p.evidence.insights {
                let insight = store.insight(pid, linked.id).await.unwrap().unwrap();
                for e in insight.evidence.iter().filter(|e| e.stance == Stance::Supports) {
                    sources.insert(e.source_id);
                    people.extend(e.voices.iter().map(|v| (v.id, v.kind)));
                }
            }
            for linked in &p.evidence.factors {
                let evidence = store.factor_evidence(pid, linked.map_id, linked.id).await.unwrap();
                for i in &evidence.insights {
                    let insight = store.insight(pid, i.id).await.unwrap().unwrap();
                    for e in insight.evidence.iter().filter(|e| e.stance == Stance::Supports) {
                        sources.insert(e.source_id);
                        people.extend(e.voices.iter().map(|v| (v.id, v.kind)));
                    }
                }
                for e in &evidence.excerpts {
                    sources.insert(e.source_id);
                    let source = store.source(pid, e.source_id).await.unwrap().unwrap();
                    people.extend(source.participants.iter().map(|v| (v.id, v.kind)));
                }
            }
        }
        assert!(!people.is_empty(), "the demo decision stands on people's words");
        assert_eq!(trail.breadth.participants, people.len());
        for k in &trail.breadth.by_kind {
            assert_eq!(k.participants, people.values().filter(|kind| **kind == k.kind).count(), "{:?}", k.kind);
        }
        assert_eq!(trail.sources, sources.len());
        let room_in_trail = trail.room.as_ref().unwrap();
        assert_eq!(room_in_trail.ranks.len(), room.ranks.len());
        assert!(
            room_in_trail.ranks.iter().filter(|r| r.taken_up).count()
                == taken.iter().filter(|t| ranked.contains(t)).count()
        );
        // Registered kinds not heard are stated as gaps.
        let registered = store.participant_counts(pid).await.unwrap();
        let heard: BTreeSet<ParticipantKind> = people.values().copied().collect();
        for kind in registered.keys().filter(|k| !heard.contains(k) && **k != ParticipantKind::Other) {
            let plural = heard_store::decisions::trail::kind_plural(*kind);
            assert!(trail.gaps.iter().any(|g| g.contains(plural)), "a gap names {plural}: {:?}", trail.gaps);
        }
        assert!(store.decision_trail(dementia.id, decision.id).await.unwrap().is_none());

        // Publication: Early Years and Dementia published by the demo, Adults not; it toggles.
        assert!(store.you_said_we_did_published(pid).await.unwrap().is_some());
        assert!(store.you_said_we_did_published(dementia.id).await.unwrap().is_some());
        let adults = store.programme("adults-with-disabilities").await.unwrap().unwrap();
        assert!(store.you_said_we_did_published(adults.id).await.unwrap().is_none());
        store.publish_you_said_we_did(pid, false, None).await.unwrap();
        assert!(store.you_said_we_did_published(pid).await.unwrap().is_none());
        store.publish_you_said_we_did(pid, true, None).await.unwrap();
        assert!(store.you_said_we_did_published(pid).await.unwrap().is_some());

        // Loading the demo again adds nothing; a decision deleted is gone, its propositions stay.
        demo::load(&store).await.unwrap();
        assert_eq!(store.decisions(pid).await.unwrap().len(), 1);
        let input = DecisionInput::parse(&fields(&[taken[0]])).unwrap();
        let extra = store.record_decision(pid, &input, &[], None, None).await.unwrap();
        assert_eq!(store.decisions(pid).await.unwrap().len(), 2);
        store.delete_decision(pid, extra).await.unwrap();
        assert!(matches!(store.delete_decision(pid, extra).await, Err(StoreError::NotFound)));
        assert!(store.proposition(pid, taken[0]).await.unwrap().is_some());
    }
}
