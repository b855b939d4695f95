//! Propositions on both backends: versions and conflicts, status rules and history, evidence with
//! its breadth, shapers, merges and splits with their trace.

use std::collections::BTreeSet;

use heard_domain::Invalid;
use heard_domain::coding::codebook::Stance;
use heard_domain::propositions::{
    EvidenceRef, PropositionInput, PropositionStatus, ShaperInput, StatusChange, is_citizen,
};
use heard_store::StoreError;
use heard_store::demo;
use heard_store::horizon::signals::SignalFilter;
use heard_store::propositions::SplitPart;
use heard_testkit::fresh_store;

fn words(title: &str, change: &str) -> PropositionInput {
    PropositionInput::parse(title, change, "").unwrap()
}

fn field_of(error: StoreError) -> String {
    match error {
        StoreError::Invalid(Invalid(errors)) => errors[0].field.clone(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn status(from: PropositionStatus, to: PropositionStatus) -> StatusChange {
    StatusChange::parse(to.code(), from.code(), "").unwrap()
}

#[tokio::test]
async fn propositions_on_both_backends() {
    use PropositionStatus::*;
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let programme = store.programme("early-years").await.unwrap().unwrap();
        let other = store.programme("dementia").await.unwrap().unwrap();
        let pid = programme.id;

        // Create: a draft at version 1 with its creation in the history.
        let id = store.create_proposition(pid, &words("Drop-ins (test)", "Fund weekly drop-ins."), None).await.unwrap();
        let p = store.proposition(pid, id).await.unwrap().unwrap();
        assert_eq!((p.status, p.version, p.versions.len(), p.history.len()), (Draft, 1, 1, 1));
        assert_eq!((p.history[0].from, p.history[0].to), (None, Draft));
        assert!(store.proposition(other.id, id).await.unwrap().is_none(), "another programme cannot read it");
        let clash = store.create_proposition(pid, &words("drop-INS  (test)", "x"), None).await;
        assert_eq!(field_of(clash.unwrap_err()), "title");

        // Versions: two people open version 1; the second edit is a conflict and saves nothing.
        let v2 =
            store.edit_proposition(pid, id, 1, &words("Drop-ins (test)", "Fund fortnightly drop-ins."), None).await;
        assert_eq!(v2.unwrap(), 2);
        assert!(matches!(
            store.edit_proposition(pid, id, 1, &words("Stale (test)", "Lost"), None).await,
            Err(StoreError::Conflict { what: "proposition" })
        ));
        let p = store.proposition(pid, id).await.unwrap().unwrap();
        assert_eq!(
            (p.version, p.title.as_str(), p.change.as_str()),
            (2, "Drop-ins (test)", "Fund fortnightly drop-ins.")
        );
        let texts: Vec<&str> = p.versions.iter().map(|v| v.change.as_str()).collect();
        assert_eq!(texts, ["Fund weekly drop-ins.", "Fund fortnightly drop-ins."]);
        assert!(store.proposition_id(pid, "Stale (test)").await.unwrap().is_none());
        assert!(matches!(
            store.edit_proposition(other.id, id, 2, &words("x", "y"), None).await,
            Err(StoreError::NotFound)
        ));

        // Status: only allowed moves, from the status the person saw; every change in the history.
        assert_eq!(
            field_of(
                store
                    .change_proposition_status(
                        pid,
                        id,
                        &StatusChange { from: Draft, to: Commissioned, note: None },
                        None
                    )
                    .await
                    .unwrap_err()
            ),
            "status"
        );
        store.change_proposition_status(pid, id, &status(Draft, OpenForDeliberation), None).await.unwrap();
        assert!(matches!(
            store.change_proposition_status(pid, id, &status(Draft, Withdrawn), None).await,
            Err(StoreError::Conflict { .. })
        ));
        store.change_proposition_status(pid, id, &status(OpenForDeliberation, Recommended), None).await.unwrap();
        let p = store.proposition(pid, id).await.unwrap().unwrap();
        let moves: Vec<_> = p.history.iter().map(|h| (h.from, h.to)).collect();
        assert_eq!(
            moves,
            [(None, Draft), (Some(Draft), OpenForDeliberation), (Some(OpenForDeliberation), Recommended)]
        );
        assert_eq!(p.status, Recommended);

        // Evidence: an insight, a factor and a signal of the programme; others refused by field.
        let insights = store.insights(pid).await.unwrap();
        let heard: Vec<_> = insights.iter().filter(|i| i.participants > 0).collect();
        assert!(heard.len() >= 2, "the demo's Early Years insights are evidenced");
        let map = store.cause_maps(pid).await.unwrap()[0].id;
        let whole_map = store.cause_map(pid, map).await.unwrap().unwrap();
        let factor = whole_map.factors.iter().find(|f| f.participants > 0).expect("an evidenced factor");
        let signal = store.signals(SignalFilter { programme_id: Some(pid), ..Default::default() }).await.unwrap()[0].id;
        let evidenced = store.create_proposition(pid, &words("Evidenced (test)", "Change"), None).await.unwrap();
        store.link_proposition_evidence(pid, evidenced, EvidenceRef::Insight(heard[0].id), None).await.unwrap();
        store.link_proposition_evidence(pid, evidenced, EvidenceRef::Insight(heard[0].id), None).await.unwrap();
        // One insight: the breadth is what the insights list counts with its own query.
        let p = store.proposition(pid, evidenced).await.unwrap().unwrap();
        assert_eq!(p.evidence.insights.len(), 1, "linked once");
        assert_eq!(p.breadth.participants as i64, heard[0].participants);
        assert_eq!(p.evidence.insights[0].participants as i64, heard[0].participants);
        // One factor alone: what the cause map counts with its own query.
        store.unlink_proposition_evidence(pid, evidenced, EvidenceRef::Insight(heard[0].id)).await.unwrap();
        store.link_proposition_evidence(pid, evidenced, EvidenceRef::Factor(factor.id), None).await.unwrap();
        let p = store.proposition(pid, evidenced).await.unwrap().unwrap();
        assert_eq!(p.breadth.participants as i64, factor.participants);
        assert_eq!(p.evidence.factors[0].map_id, map);
        // Two insights and the factor: the union of the people, each once, by kind.
        store.link_proposition_evidence(pid, evidenced, EvidenceRef::Insight(heard[0].id), None).await.unwrap();
        store.link_proposition_evidence(pid, evidenced, EvidenceRef::Insight(heard[1].id), None).await.unwrap();
        store.link_proposition_evidence(pid, evidenced, EvidenceRef::Signal(signal), None).await.unwrap();
        let mut people = BTreeSet::new();
        let mut kinds = std::collections::BTreeMap::new();
        for insight in &heard[..2] {
            let insight = store.insight(pid, insight.id).await.unwrap().unwrap();
            for e in insight.evidence.iter().filter(|e| e.stance == Stance::Supports) {
                for v in &e.voices {
                    people.insert(v.id);
                    kinds.insert(v.id, v.kind);
                }
            }
        }
        let factor_evidence = store.factor_evidence(pid, map, factor.id).await.unwrap();
        for excerpt in &factor_evidence.excerpts {
            for person in store.source(pid, excerpt.source_id).await.unwrap().unwrap().participants {
                people.insert(person.id);
                kinds.insert(person.id, person.kind);
            }
        }
        for insight in &factor_evidence.insights {
            for e in store
                .insight(pid, insight.id)
                .await
                .unwrap()
                .unwrap()
                .evidence
                .iter()
                .filter(|e| e.stance == Stance::Supports)
            {
                for v in &e.voices {
                    people.insert(v.id);
                    kinds.insert(v.id, v.kind);
                }
            }
        }
        let p = store.proposition(pid, evidenced).await.unwrap().unwrap();
        assert_eq!(p.breadth.participants, people.len());
        assert_eq!(p.breadth.by_kind.iter().map(|k| k.participants).sum::<usize>(), people.len());
        let citizens = kinds.values().filter(|k| is_citizen(**k)).count();
        assert_eq!((p.breadth.citizens, p.breadth.no_citizen_evidence), (citizens, citizens == 0));
        assert!(citizens > 0);
        assert_eq!((p.evidence.insights.len(), p.evidence.factors.len(), p.evidence.signals.len()), (2, 1, 1));
        // Refused: another programme's insight, a factor elsewhere, an unknown signal.
        let foreign = store.insights(other.id).await.unwrap();
        if let Some(foreign) = foreign.first() {
            let refused = store.link_proposition_evidence(pid, evidenced, EvidenceRef::Insight(foreign.id), None).await;
            assert_eq!(field_of(refused.unwrap_err()), "insight");
        }
        assert_eq!(
            field_of(
                store
                    .link_proposition_evidence(pid, evidenced, EvidenceRef::Factor(9_999_999), None)
                    .await
                    .unwrap_err()
            ),
            "factor"
        );
        assert_eq!(
            field_of(
                store
                    .link_proposition_evidence(pid, evidenced, EvidenceRef::Signal(9_999_999), None)
                    .await
                    .unwrap_err()
            ),
            "signal"
        );
        assert!(matches!(
            store.unlink_proposition_evidence(pid, evidenced, EvidenceRef::Signal(9_999_999)).await,
            Err(StoreError::NotFound)
        ));

        // A proposition on a signal only stands on no citizen evidence.
        let bare = store.create_proposition(pid, &words("Signal only (test)", "Change"), None).await.unwrap();
        store.link_proposition_evidence(pid, bare, EvidenceRef::Signal(signal), None).await.unwrap();
        let listed = store.propositions(pid).await.unwrap();
        let row = listed.iter().find(|s| s.id == bare).unwrap();
        assert_eq!((row.signals, row.breadth.participants, row.breadth.no_citizen_evidence), (1, 0, true));
        let row = listed.iter().find(|s| s.id == evidenced).unwrap();
        assert_eq!((row.insights, row.factors, row.signals), (2, 1, 1));
        assert_eq!(row.breadth, p.breadth, "the list counts as the page does");

        // Shapers: counts by kind and activity; 0 removes; an activity elsewhere is refused.
        let activity = store.activities(pid).await.unwrap()[0].id;
        let set = |kind: &str, count: &str, at: &str| ShaperInput::parse(kind, count, at).unwrap();
        store.set_proposition_shapers(pid, evidenced, &set("carer", "4", ""), None).await.unwrap();
        store.set_proposition_shapers(pid, evidenced, &set("carer", "2", &activity.to_string()), None).await.unwrap();
        store.set_proposition_shapers(pid, evidenced, &set("practitioner", "3", ""), None).await.unwrap();
        store.set_proposition_shapers(pid, evidenced, &set("carer", "5", ""), None).await.unwrap();
        store.set_proposition_shapers(pid, evidenced, &set("practitioner", "0", ""), None).await.unwrap();
        let foreign_activity = store.activities(other.id).await.unwrap().first().map(|a| a.id).unwrap_or(9_999_999);
        let refused = store
            .set_proposition_shapers(pid, evidenced, &set("carer", "1", &foreign_activity.to_string()), None)
            .await;
        assert_eq!(field_of(refused.unwrap_err()), "activity");
        let p = store.proposition(pid, evidenced).await.unwrap().unwrap();
        assert_eq!(p.shaped_by(), [(heard_domain::propositions::ShaperKind::Carer, 7)]);
        let listed = store.propositions(pid).await.unwrap();
        let row = listed.iter().find(|s| s.id == evidenced).unwrap();
        assert_eq!((row.shapers, row.citizen_shapers), (7, 7));

        // Merge: a decided proposition cannot be merged; two drafts merge into a new draft with the
        // evidence of both and the larger count of each kind; the parts are withdrawn and linked.
        let refused = store.merge_propositions(pid, &[id, evidenced], &words("Merged (test)", "Both"), None).await;
        assert_eq!(field_of(refused.unwrap_err()), "parts");
        assert_eq!(
            field_of(store.merge_propositions(pid, &[bare, bare], &words("M", "x"), None).await.unwrap_err()),
            "parts"
        );
        store.set_proposition_shapers(pid, bare, &set("carer", "3", ""), None).await.unwrap();
        store.set_proposition_shapers(pid, bare, &set("service_user", "2", ""), None).await.unwrap();
        let merged =
            store.merge_propositions(pid, &[evidenced, bare], &words("Merged (test)", "Both"), None).await.unwrap();
        let m = store.proposition(pid, merged).await.unwrap().unwrap();
        assert_eq!(m.status, Draft);
        let mut refs = m.evidence_refs();
        refs.sort();
        let mut expected: Vec<EvidenceRef> = p.evidence_refs();
        expected.sort();
        assert_eq!(refs, expected, "the signal both stood on is carried once");
        assert_eq!(m.breadth, p.breadth);
        let shaped: Vec<(String, i64)> = m.shapers.iter().map(|s| (s.kind.code().to_owned(), s.count)).collect();
        assert_eq!(shaped, [("carer".to_owned(), 5), ("carer".to_owned(), 2), ("service_user".to_owned(), 2)]);
        let from: BTreeSet<i64> = m.lineage.merged_from.iter().map(|r| r.id).collect();
        assert_eq!(from, BTreeSet::from([evidenced, bare]));
        for part in [evidenced, bare] {
            let part = store.proposition(pid, part).await.unwrap().unwrap();
            assert_eq!(part.status, Withdrawn);
            assert_eq!(part.lineage.merged_into.as_ref().map(|r| r.id), Some(merged));
            assert!(part.history.last().unwrap().note.as_deref().unwrap().contains("Merged (test)"));
            assert!(!part.evidence_refs().is_empty() || part.id == bare, "the parts keep their evidence");
        }
        assert_eq!(
            field_of(
                store
                    .merge_propositions(pid, &[evidenced, merged], &words("Again (test)", "x"), None)
                    .await
                    .unwrap_err()
            ),
            "parts"
        );

        // Split: the person chooses which evidence goes to which part; stale versions conflict.
        let mine = m.evidence_refs();
        let part = |title: &str, evidence: Vec<EvidenceRef>| SplitPart { input: words(title, "Part"), evidence };
        let parts = vec![part("Insights part (test)", mine[..2].to_vec()), part("The rest (test)", mine[2..].to_vec())];
        assert!(matches!(
            store.split_proposition(pid, merged, 7, &parts, None, None).await,
            Err(StoreError::Conflict { .. })
        ));
        let stray = vec![part("A (test)", vec![EvidenceRef::Insight(9_999_999)]), part("B (test)", vec![])];
        assert_eq!(
            field_of(store.split_proposition(pid, merged, 1, &stray, None, None).await.unwrap_err()),
            "parts[0].insight"
        );
        let twins = vec![part("Same (test)", vec![]), part("same  (TEST)", vec![])];
        assert_eq!(
            field_of(store.split_proposition(pid, merged, 1, &twins, None, None).await.unwrap_err()),
            "parts[1].title"
        );
        let taken = vec![part("Drop-ins (test)", vec![]), part("New (test)", vec![])];
        assert_eq!(
            field_of(store.split_proposition(pid, merged, 1, &taken, None, None).await.unwrap_err()),
            "parts[0].title"
        );
        assert!(store.proposition_id(pid, "New (test)").await.unwrap().is_none(), "nothing half-saved");
        let ids = store.split_proposition(pid, merged, 1, &parts, Some("Two asks"), None).await.unwrap();
        assert_eq!(ids.len(), 2);
        let whole = store.proposition(pid, merged).await.unwrap().unwrap();
        assert_eq!(whole.status, Withdrawn);
        assert_eq!(whole.lineage.split_into.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
        assert_eq!(whole.lineage.merged_from.len(), 2, "the whole keeps its own trace");
        assert_eq!(whole.evidence_refs().len(), mine.len(), "the whole keeps its evidence");
        for (id, part) in ids.iter().zip(&parts) {
            let p = store.proposition(pid, *id).await.unwrap().unwrap();
            assert_eq!(p.evidence_refs(), part.evidence);
            assert_eq!(p.lineage.split_from.as_ref().map(|r| r.id), Some(merged));
            assert_eq!(p.shaped_by(), whole.shaped_by());
            assert_eq!(p.lineage.notes[0].note.as_deref(), Some("Two asks"));
        }
        assert_eq!(field_of(store.split_proposition(pid, merged, 1, &parts, None, None).await.unwrap_err()), "parts");
    }
}
