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
        store.delete_decision(pid, extra, None).await.unwrap();
        assert!(matches!(store.delete_decision(pid, extra, None).await, Err(StoreError::NotFound)));
        assert!(store.proposition(pid, taken[0]).await.unwrap().is_some());
    }
}

/// A proposition of the programme's, moved through the statuses given (each move a commissioner's).
async fn proposition_at(
    store: &heard_store::Store,
    pid: i64,
    title: &str,
    path: &[heard_domain::propositions::PropositionStatus],
) -> i64 {
    use heard_domain::propositions::{PropositionInput, PropositionStatus, StatusChange};
    let words = PropositionInput::parse(title, "A change (test)", "").unwrap();
    let id = store.create_proposition(pid, &words, None).await.unwrap();
    let mut from = PropositionStatus::Draft;
    for to in path {
        store.change_proposition_status(pid, id, &StatusChange { from, to: *to, note: None }, None).await.unwrap();
        from = *to;
    }
    id
}

async fn status_of(store: &heard_store::Store, pid: i64, id: i64) -> heard_domain::propositions::PropositionStatus {
    store.proposition(pid, id).await.unwrap().unwrap().status
}

#[tokio::test]
async fn changing_and_deleting_decisions_moves_their_propositions_on_both_backends() {
    use heard_domain::propositions::PropositionStatus::{Commissioned, Draft, OpenForDeliberation, Recommended};
    use heard_store::decisions::DecisionEdit;

    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();

        // The demo: every proposition a decision takes up is commissioned, the decision named in
        // its history.
        for summary in store.programmes().await.unwrap() {
            let p = summary.programme.id;
            for d in store.decisions(p).await.unwrap() {
                let decision = store.decision(p, d.id).await.unwrap().unwrap();
                for taken in &decision.propositions {
                    let proposition = store.proposition(p, taken.id).await.unwrap().unwrap();
                    assert_eq!(proposition.status, Commissioned, "{backend:?} {}", proposition.title);
                    let last = proposition.history.last().unwrap();
                    assert!(last.note.as_deref().unwrap_or("").contains(&decision.title), "{:?}", last.note);
                }
            }
        }

        let pid = store.programme("early-years").await.unwrap().unwrap().id;
        let demo_decision = store.decisions(pid).await.unwrap()[0].id;
        let open = proposition_at(&store, pid, "Open one (test)", &[OpenForDeliberation]).await;
        let draft = proposition_at(&store, pid, "Draft one (test)", &[]).await;
        let by_hand =
            proposition_at(&store, pid, "By hand (test)", &[OpenForDeliberation, Recommended, Commissioned]).await;

        // Recording takes `open` up: commissioned in the same transaction.
        let first = store
            .record_decision(pid, &DecisionInput::parse(&fields(&[open])).unwrap(), &[], None, None)
            .await
            .unwrap();
        assert_eq!(status_of(&store, pid, open).await, Commissioned);
        let version = store.decision(pid, first).await.unwrap().unwrap().version;
        assert_eq!(version, 1);

        // A change from a stale version: Conflict, nothing saved, no status moved.
        let mut changed = fields(&[draft, by_hand]);
        changed.title = "A decision, changed (test)".into();
        let input = DecisionInput::parse(&changed).unwrap();
        let edit = DecisionEdit { input: &input, departures: &[], deliberation_id: None };
        assert!(matches!(
            store.edit_decision(pid, first, version + 1, &edit, None).await,
            Err(StoreError::Conflict { what: "decision" })
        ));
        let unchanged = store.decision(pid, first).await.unwrap().unwrap();
        assert_eq!((unchanged.version, unchanged.title.as_str()), (1, "A decision (test)"));
        assert_eq!(
            (status_of(&store, pid, open).await, status_of(&store, pid, draft).await),
            (Commissioned, Draft),
            "{backend:?}: nothing moved"
        );
        // Another programme's decision is not found; another programme's proposition is refused
        // by name; neither saves anything.
        let dementia = store.programme("dementia").await.unwrap().unwrap();
        assert!(matches!(store.edit_decision(dementia.id, first, 1, &edit, None).await, Err(StoreError::NotFound)));
        let theirs = store.propositions(dementia.id).await.unwrap()[0].id;
        let foreign = DecisionInput::parse(&fields(&[draft, theirs])).unwrap();
        let foreign_edit = DecisionEdit { input: &foreign, departures: &[], deliberation_id: None };
        match store.edit_decision(pid, first, 1, &foreign_edit, None).await {
            Err(StoreError::Invalid(Invalid(errors))) => assert_eq!(errors[0].field, "propositions"),
            other => panic!("expected invalid propositions, got {other:?}"),
        }
        assert_eq!(store.decision(pid, first).await.unwrap().unwrap().version, 1);
        assert_eq!(status_of(&store, pid, draft).await, Draft);

        // The change itself: `open` goes back to open for deliberation, `draft` is commissioned,
        // `by_hand` stays commissioned; the version moves on, and the old one is stale.
        assert_eq!(store.edit_decision(pid, first, 1, &edit, None).await.unwrap(), 2);
        let now = store.decision(pid, first).await.unwrap().unwrap();
        assert_eq!((now.version, now.title.as_str()), (2, "A decision, changed (test)"));
        assert_eq!(now.propositions.iter().map(|p| p.id).collect::<BTreeSet<_>>(), BTreeSet::from([draft, by_hand]));
        assert_eq!(status_of(&store, pid, open).await, OpenForDeliberation);
        assert_eq!(status_of(&store, pid, draft).await, Commissioned);
        assert_eq!(status_of(&store, pid, by_hand).await, Commissioned);
        let history = store.proposition(pid, open).await.unwrap().unwrap().history;
        assert!(history.last().unwrap().note.as_deref().unwrap().contains("was changed"));
        assert!(matches!(store.edit_decision(pid, first, 1, &edit, None).await, Err(StoreError::Conflict { .. })));

        // A second decision also takes `draft` up; the first letting it go leaves it commissioned.
        let second = store
            .record_decision(pid, &DecisionInput::parse(&fields(&[draft])).unwrap(), &[], None, None)
            .await
            .unwrap();
        let back = DecisionInput::parse(&fields(&[open])).unwrap();
        let back_edit = DecisionEdit { input: &back, departures: &[], deliberation_id: None };
        assert_eq!(store.edit_decision(pid, first, 2, &back_edit, None).await.unwrap(), 3);
        assert_eq!(status_of(&store, pid, draft).await, Commissioned, "{backend:?}: the second still takes it up");
        assert_eq!(status_of(&store, pid, open).await, Commissioned);
        assert_eq!(status_of(&store, pid, by_hand).await, Commissioned, "commissioned by hand, it stays so");

        // Deleting the second: `draft` goes back to draft. Deleting the first: `open` goes back.
        store.delete_decision(pid, second, None).await.unwrap();
        assert_eq!(status_of(&store, pid, draft).await, Draft);
        assert!(matches!(store.delete_decision(dementia.id, first, None).await, Err(StoreError::NotFound)));
        store.delete_decision(pid, first, None).await.unwrap();
        assert_eq!(status_of(&store, pid, open).await, OpenForDeliberation);
        assert!(store.decision(pid, first).await.unwrap().is_none());

        // The departure rule run again on a change: leaving out what the room favoured departs,
        // and the rank stored is the room's now.
        let demo = store.decision(pid, demo_decision).await.unwrap().unwrap();
        let room = store.room_for_decision(pid, &demo).await.unwrap().unwrap();
        assert_eq!(Some(room.deliberation.id), demo.deliberation.as_ref().map(|d| d.id), "compared with its own day");
        let others = store.propositions_taken_up_by_others(pid, demo.id).await.unwrap();
        assert!(others.is_empty(), "{others:?}");
        let top = room.ranks[0];
        let kept: Vec<i64> = demo.propositions.iter().map(|p| p.id).filter(|id| *id != top.proposition_id).collect();
        let mut changed = fields(&kept);
        changed.title = demo.title.clone();
        let input = DecisionInput::parse(&changed).unwrap();
        let found = decisions::departures(&room.ranks, &input.propositions, &others);
        assert!(found.iter().any(|d| d.proposition_id == top.proposition_id && d.kind == DepartureKind::NotTakenUp));
        let mut given = BTreeMap::new();
        assert!(decisions::reasons(&found, &given, |id| id.to_string()).is_err(), "a reason is needed again");
        for d in &found {
            given.insert(d.proposition_id, format!("Reason for {} (test)", d.proposition_id));
        }
        let reasons = decisions::reasons(&found, &given, |id| id.to_string()).unwrap();
        let edit = DecisionEdit { input: &input, departures: &reasons, deliberation_id: Some(room.deliberation.id) };
        store.edit_decision(pid, demo.id, demo.version, &edit, None).await.unwrap();
        let now = store.decision(pid, demo.id).await.unwrap().unwrap();
        let left_out = now.departures.iter().find(|d| d.proposition_id == top.proposition_id).unwrap();
        assert_eq!(
            (left_out.kind, left_out.rank, left_out.ranked),
            (DepartureKind::NotTakenUp, 1, i64::from(top.ranked))
        );
        assert_eq!(now.departures.len(), found.len());
        assert_ne!(
            status_of(&store, pid, top.proposition_id).await,
            Commissioned,
            "{backend:?}: let go, it moved back"
        );

        // Its outcomes were measured: deleting it is refused by name and deletes nothing, until
        // those outcomes are deleted; then it goes with them.
        let outcomes = store.outcomes(pid, Some(demo.id)).await.unwrap();
        assert!(outcomes.iter().any(|o| !o.measurements.is_empty()));
        match store.delete_decision(pid, demo.id, None).await {
            Err(StoreError::Invalid(Invalid(errors))) => {
                assert_eq!(errors[0].field, "outcomes");
                assert!(errors[0].message.contains("measurement"), "{}", errors[0].message);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(store.decision(pid, demo.id).await.unwrap().is_some());
        assert_eq!(store.outcomes(pid, Some(demo.id)).await.unwrap().len(), outcomes.len());
        for o in outcomes.iter().filter(|o| !o.measurements.is_empty()) {
            for m in &o.measurements {
                store.delete_measurement(pid, o.id, m.id).await.unwrap();
            }
        }
        store.delete_decision(pid, demo.id, None).await.unwrap();
        assert!(store.outcomes(pid, None).await.unwrap().is_empty(), "its outcomes went with it");
        for p in &demo.propositions {
            assert_ne!(status_of(&store, pid, p.id).await, Commissioned, "{}", p.title);
        }
    }
}
