//! A Pol.is export imported as a finished deliberation on both backends: its counts equal the
//! export's, it reads back as the same export, and an export that cannot be stored saves nothing.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;
use std::time::Instant;

use heard_domain::deliberation::days::{DeliberationStatus, Stance};
use heard_domain::deliberation::polis::{self, Comment, Export, ExportVote, Moderated, Outgoing, PolisVote};
use heard_store::deliberation::Origin;
use heard_store::deliberation::polis::PolisExport;
use heard_store::{Store, StoreError};
use heard_testkit::fresh_store;
use time::macros::date;

use super::demo;

fn small() -> Export {
    let comment = |id: u64, text: &str| Comment { id, text: text.into() };
    let vote = |participant, statement, vote| ExportVote { participant, statement, vote };
    Export {
        // Two comments with the same words: Pol.is allows it, so both are kept.
        statements: vec![
            comment(3, "More buses, please"),
            comment(5, "Quiet streets"),
            comment(8, "more buses please!"),
        ],
        participants: vec![40, 12],
        votes: vec![
            vote(0, 0, PolisVote::Agree),
            vote(0, 1, PolisVote::Disagree),
            vote(1, 0, PolisVote::Pass),
            vote(1, 2, PolisVote::Agree),
        ],
        moderated_out: 0,
    }
}

/// The export's votes as (participant id, comment id, vote), sorted, for comparing two exports
/// whose numbering differs.
fn by_text(export: &Export) -> Vec<(String, u64, i64)> {
    let mut rows: Vec<(String, u64, i64)> = export
        .votes
        .iter()
        .map(|v| {
            let value = match v.vote {
                PolisVote::Agree => 1,
                PolisVote::Disagree => -1,
                PolisVote::Pass => 0,
            };
            (export.statements[v.statement].text.clone(), v.participant as u64, value)
        })
        .collect();
    rows.sort();
    rows
}

/// Written by Pol.is's writer and read back by its reader.
fn round_trip(export: &PolisExport) -> Export {
    let (mut comments, mut votes, mut participants) = (Vec::new(), Vec::new(), Vec::new());
    let outgoing = Outgoing { statements: &export.statements, votes: &export.votes, groups: &[] };
    polis::write_export(&outgoing, &mut comments, &mut votes, &mut participants).unwrap();
    polis::read_export(comments.as_slice(), votes.as_slice()).unwrap()
}

async fn deliberation_count(store: &Store, programme_id: i64) -> usize {
    store.deliberations(programme_id).await.unwrap().len()
}

#[tokio::test]
async fn pol_is_exports_import_as_finished_deliberations_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let programme = store.programme("dementia").await.unwrap().unwrap();
        let before = deliberation_count(&store, programme.id).await;

        let export = small();
        let id =
            store.import_polis(programme.id, "Imported (test)", date!(2016 - 08 - 30), &export, None).await.unwrap();
        let day = store.deliberation(id).await.unwrap().unwrap();
        assert_eq!((day.status, day.imported_from.as_deref()), (DeliberationStatus::Closed, Some("polis")));
        assert_eq!((day.title.as_str(), day.held_on), ("Imported (test)", date!(2016 - 08 - 30)));
        assert!(day.closed_at.is_some());

        let statements = store.statements(id).await.unwrap();
        assert_eq!(
            statements.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
            ["More buses, please", "Quiet streets", "more buses please!"]
        );
        assert!(statements.iter().all(|s| s.origin == Origin::Imported));
        // Counts per statement, worked out from the votes above.
        let counts: Vec<(u32, u32, u32)> = statements.iter().map(|s| (s.agree, s.disagree, s.pass)).collect();
        assert_eq!(counts, [(1, 0, 1), (0, 1, 0), (1, 0, 0)]);
        let participation = store.participation(id).await.unwrap();
        assert_eq!((participation.attendees, participation.voters, participation.votes), (2, 2, 4));
        assert!(participation.by_kind.is_empty(), "imported attendees declared nothing");

        // Read back and written as an export: numbered afresh, the same statements and votes.
        let back = store.polis_export(id).await.unwrap();
        assert_eq!(back.statements.iter().map(|c| c.id).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(back.statements.iter().all(|c| c.author.is_none() && c.moderated == Moderated::In));
        let back = round_trip(&back);
        assert_eq!(back.participants, [0, 1]);
        let mut theirs = by_text(&export);
        // Voter 40 joined first and is number 0, voter 12 number 1.
        for row in &mut theirs {
            row.1 = if row.1 == 0 { 0 } else { 1 };
        }
        assert_eq!(by_text(&back), theirs);
        let data = store.vote_data(id).await.unwrap();
        assert!(data.votes.contains(&(0, 1, Stance::Disagree)));
        assert!(matches!(store.polis_export(999_999).await, Err(StoreError::NotFound)));

        // Nothing half-saved: a participant listed twice fails after the deliberation and its
        // statements are written, and the transaction leaves nothing behind.
        let mut twice = small();
        twice.participants = vec![40, 40];
        let failed = store.import_polis(programme.id, "Twice (test)", date!(2016 - 08 - 30), &twice, None).await;
        assert!(matches!(&failed, Err(StoreError::Invalid(i)) if i.0[0].field == "voter-id"), "{failed:?}");
        let mut astray = small();
        astray.votes.push(ExportVote { participant: 1, statement: 7, vote: PolisVote::Agree });
        let failed = store.import_polis(programme.id, "Astray (test)", date!(2016 - 08 - 30), &astray, None).await;
        assert!(matches!(&failed, Err(StoreError::Invalid(i)) if i.0[0].field == "votes"), "{failed:?}");
        let empty = Export { statements: vec![], participants: vec![], votes: vec![], moderated_out: 0 };
        assert!(store.import_polis(programme.id, "Empty (test)", date!(2016 - 08 - 30), &empty, None).await.is_err());
        let nowhere = store.import_polis(999_999, "Nowhere (test)", date!(2016 - 08 - 30), &small(), None).await;
        assert!(matches!(nowhere, Err(StoreError::NotFound)), "{nowhere:?}");
        assert_eq!(deliberation_count(&store, programme.id).await, before + 1);

        largest_conversation(&store, programme.id).await;
    }
}

/// vTaiwan's UberX conversation (1,921 participants, 50,000 votes), when `../shared/data/polis`
/// is beside the workspace: counts equal the export's, and it loads quickly.
async fn largest_conversation(store: &Store, programme_id: i64) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/polis/vtaiwan.uberx");
    if !dir.exists() {
        eprintln!("{} is not there: the largest conversation is not imported", dir.display());
        return;
    }
    let open = |name: &str| File::open(dir.join(name)).unwrap();
    let export = polis::read_export(open(polis::COMMENTS), open(polis::VOTES)).unwrap();
    let started = Instant::now();
    let id = store.import_polis(programme_id, "UberX (vTaiwan)", date!(2016 - 08 - 30), &export, None).await.unwrap();
    let took = started.elapsed();
    eprintln!("{:?}: {} votes imported in {took:.2?}", store.backend(), export.votes.len());

    let participation = store.participation(id).await.unwrap();
    assert_eq!(participation.attendees as usize, export.participants.len());
    assert_eq!(participation.votes as usize, export.votes.len());
    let statements = store.statements(id).await.unwrap();
    assert_eq!(statements.len(), export.statements.len());
    // Each statement's agrees, counted from the export independently.
    let mut agrees: BTreeMap<&str, u32> = BTreeMap::new();
    for vote in export.votes.iter().filter(|v| v.vote == PolisVote::Agree) {
        *agrees.entry(export.statements[vote.statement].text.as_str()).or_default() += 1;
    }
    for statement in &statements {
        assert_eq!(statement.agree, agrees.get(statement.text.as_str()).copied().unwrap_or(0), "{}", statement.id);
    }
    assert!(took.as_secs_f64() < 10.0, "importing took {took:?}");
}

/// The demo's finished Deliberation Day: a room of 60 whose votes really form opinion groups
/// (service users in one, commissioners elsewhere), pre and post answers with a shift, and the
/// same after loading again.
#[tokio::test]
async fn the_demo_holds_a_finished_deliberation_day_with_opinion_groups() {
    use heard_analysis::deliberation::questionnaire::Moment;
    use heard_analysis::deliberation::{Choice, Settings, Vote, VoteMatrix, analyse};
    use heard_domain::deliberation::days::{DeclaredKind, StatementState};

    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let programme = store.programme("early-years").await.unwrap().unwrap();
        let days = store.deliberations(programme.id).await.unwrap();
        assert_eq!(days.len(), 1, "{days:?}");
        let day = store.deliberation(days[0].id).await.unwrap().unwrap();
        assert_eq!(day.status, DeliberationStatus::Closed);

        let statements = store.statements(day.id).await.unwrap();
        let accepted = statements.iter().filter(|s| s.state == StatementState::Accepted).count();
        assert!((20..=30).contains(&accepted), "{accepted} statements");
        assert_eq!(statements.iter().filter(|s| s.state == StatementState::Rejected).count(), 1);
        assert!(statements.iter().any(|s| s.origin == Origin::Attendee && s.state == StatementState::Accepted));
        assert!(statements.iter().any(|s| matches!(s.origin, Origin::Insight(_))));
        let participation = store.participation(day.id).await.unwrap();
        assert_eq!((participation.attendees, participation.voters), (60, 60));
        assert_eq!(participation.by_kind.get(&DeclaredKind::ServiceUser), Some(&18));

        let data = store.vote_data(day.id).await.unwrap();
        let votes = data
            .votes
            .iter()
            .map(|&(participant, statement, stance)| Vote {
                participant,
                statement,
                choice: match stance {
                    Stance::Agree => Choice::Agree,
                    Stance::Disagree => Choice::Disagree,
                    Stance::Pass => Choice::Pass,
                },
            })
            .collect();
        let groups =
            analyse(&VoteMatrix::new(data.attendees.len(), data.statements.len(), votes), &Settings::default());
        assert!((2..=3).contains(&groups.groups), "{} groups", groups.groups);
        let group_of = |kind: DeclaredKind| -> Vec<usize> {
            groups
                .counted
                .iter()
                .zip(&groups.group)
                .filter(|(p, _)| data.attendees[**p].1 == Some(kind))
                .map(|(_, g)| *g)
                .collect()
        };
        let service_users = group_of(DeclaredKind::ServiceUser);
        assert_eq!(service_users.len(), 18);
        assert!(service_users.iter().all(|g| *g == service_users[0]), "{service_users:?}");
        assert!(group_of(DeclaredKind::Commissioner).iter().all(|g| *g != service_users[0]));

        // The first question's answers rise from before to after, on average.
        let first = day.questions[0].id;
        let answers = store.questionnaire_answers(day.id).await.unwrap();
        let mean = |moment: Moment| {
            let values: Vec<f64> = answers
                .iter()
                .filter(|a| a.question_id == first && a.moment == moment)
                .map(|a| f64::from(a.value))
                .collect();
            assert_eq!(values.len(), 60);
            values.iter().sum::<f64>() / 60.0
        };
        assert!(mean(Moment::After) > mean(Moment::Before) + 0.8, "{} → {}", mean(Moment::Before), mean(Moment::After));
        if day.proposition_ids.len() >= 2 {
            assert!(participation.pairwise_choices >= 300, "{participation:?}");
        }

        // As a Pol.is export: the rejected statement moderated out, the attendee's own statement
        // by a participant number, every vote.
        let export = store.polis_export(day.id).await.unwrap();
        assert_eq!(export.statements.iter().filter(|s| s.moderated == Moderated::Out).count(), 1);
        assert_eq!(export.statements.iter().filter(|s| s.author.is_some()).count(), 2);
        assert!(export.statements.iter().filter_map(|s| s.author).all(|a| a < 60));
        let read = round_trip(&export);
        assert_eq!((read.statements.len(), read.moderated_out), (accepted, 1));
        assert_eq!((read.participants.len(), read.votes.len() as u64), (60, participation.votes));

        assert_eq!(demo::load(&store).await.unwrap(), super::DemoOutcome::AlreadyPresent);
        assert_eq!(store.deliberations(programme.id).await.unwrap().len(), 1);
        assert_eq!(store.participation(day.id).await.unwrap(), participation);
    }
}
