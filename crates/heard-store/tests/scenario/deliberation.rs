//! Deliberation Days on both backends: setup, statements and moderation, joining without an
//! account, votes (the latest counts, nothing twice, never across deliberations or after closing),
//! the questionnaire, and what the analysis reads back.

use heard_analysis::deliberation::questionnaire::Moment;
use heard_domain::dates::DateParts;
use heard_domain::deliberation::days::{
    AttendeeToken, Declaration, DeclaredKind, DeliberationFields, DeliberationInput, DeliberationStatus, JoinCode,
    Prioritisation, Stance, StatementState,
};
use heard_domain::governance::Sector;
use heard_store::deliberation::{NewOrigin, Origin};
use heard_store::{Store, StoreError};
use heard_testkit::fresh_store;
use time::macros::date;

use super::{DEMO_ACCOUNTS, demo, email};

fn setup(title: &str, prioritisation: &str) -> DeliberationInput {
    DeliberationInput::parse(&DeliberationFields {
        title: title.into(),
        held_on: DateParts::from_date(Some(date!(2027 - 03 - 14))),
        venue: "Test Hall (synthetic)".into(),
        attendee_statements: true,
        prioritisation: prioritisation.into(),
        dots: if prioritisation == "dots" { "5".into() } else { String::new() },
    })
    .unwrap()
}

fn invalid_field(error: StoreError) -> String {
    match error {
        StoreError::Invalid(invalid) => invalid.0[0].field.clone(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn join(store: &Store, deliberation_id: i64, kind: DeclaredKind) -> i64 {
    let token = AttendeeToken::generate();
    let declaration = Declaration { kind, sector: Some(Sector::Health) };
    let id = store.join_deliberation(deliberation_id, &token.hash(), &declaration).await.unwrap();
    assert_eq!(store.attendee(&token.hash()).await.unwrap().unwrap().id, id);
    id
}

#[tokio::test]
async fn deliberation_days_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let facilitator = store.user_by_email(&email(DEMO_ACCOUNTS[4].1)).await.unwrap().unwrap();
        let programme = store.programme("early-years").await.unwrap().unwrap();

        // Setup: a fresh join code that reads back as typed, and the questionnaire.
        let questions = vec!["Services listen to parents".to_owned(), "I know where to get help".to_owned()];
        let id = store
            .create_deliberation(programme.id, &setup("Test day", "none"), &questions, Some(facilitator.id))
            .await
            .unwrap();
        let day = store.deliberation(id).await.unwrap().unwrap();
        assert_eq!((day.status, day.prioritisation, day.dots), (DeliberationStatus::Draft, Prioritisation::None, None));
        assert_eq!(day.questions.iter().map(|q| q.text.as_str()).collect::<Vec<_>>(), questions);
        let code = JoinCode::parse("code", &day.join_code_shown().to_lowercase()).unwrap();
        assert_eq!(store.deliberation_by_code(&code).await.unwrap().unwrap().id, id);
        assert!(store.deliberations(programme.id).await.unwrap().iter().any(|d| d.id == id && d.attendees == 0));

        // Statements: written and seeded from an insight are accepted; the same words twice are not.
        let insight = store.insights(programme.id).await.unwrap().into_iter().next().expect("the demo has insights");
        let written = store
            .add_statement(id, "Waiting lists are too long", NewOrigin::Written, Some(facilitator.id))
            .await
            .unwrap();
        let seeded = store
            .add_statement(id, &insight.statement, NewOrigin::Insight(insight.id), Some(facilitator.id))
            .await
            .unwrap();
        let again = store.add_statement(id, "waiting lists are TOO long!", NewOrigin::Written, None).await;
        assert!(matches!(again, Err(StoreError::Duplicate { field: "text" })), "{again:?}");

        // Nobody joins before it opens.
        let early = store
            .join_deliberation(
                id,
                &AttendeeToken::generate().hash(),
                &Declaration { kind: DeclaredKind::Carer, sector: None },
            )
            .await;
        assert_eq!(invalid_field(early.unwrap_err()), "code");
        assert_eq!(invalid_field(store.move_deliberation(id, DeliberationStatus::Closed).await.unwrap_err()), "status");
        store.move_deliberation(id, DeliberationStatus::Open).await.unwrap();

        let carer = join(&store, id, DeclaredKind::Carer).await;
        let practitioner = join(&store, id, DeclaredKind::Practitioner).await;
        assert_eq!(invalid_field(store.move_deliberation(id, DeliberationStatus::Draft).await.unwrap_err()), "status");

        // Votes: the latest counts, once.
        store.vote(carer, written, Stance::Agree).await.unwrap();
        store.vote(carer, written, Stance::Disagree).await.unwrap();
        store.vote(carer, seeded, Stance::Pass).await.unwrap();
        store.vote(practitioner, written, Stance::Disagree).await.unwrap();
        let statements = store.statements(id).await.unwrap();
        let counts = |sid: i64| {
            let s = statements.iter().find(|s| s.id == sid).unwrap();
            (s.agree, s.disagree, s.pass)
        };
        assert_eq!(counts(written), (0, 2, 0));
        assert_eq!(counts(seeded), (0, 0, 1));
        assert_eq!(statements.iter().find(|s| s.id == seeded).unwrap().origin, Origin::Insight(insight.id));
        assert_eq!(
            store.attendee_votes(carer).await.unwrap(),
            vec![(written, Stance::Disagree), (seeded, Stance::Pass)]
        );

        // An attendee's statement waits for moderation and cannot be voted on until accepted.
        let theirs =
            store.suggest_statement(practitioner, "Evening sessions would help working parents").await.unwrap();
        assert_eq!(invalid_field(store.vote(carer, theirs, Stance::Agree).await.unwrap_err()), "statement");
        let waiting = store.statements(id).await.unwrap().into_iter().find(|s| s.id == theirs).unwrap();
        assert_eq!((waiting.state, waiting.origin), (StatementState::Pending, Origin::Attendee));
        store.moderate_statement(id, theirs, StatementState::Accepted, Some(facilitator.id)).await.unwrap();
        store.vote(carer, theirs, Stance::Agree).await.unwrap();

        // Another deliberation's statement is refused, and nothing is counted.
        let other = store.create_deliberation(programme.id, &setup("Other day", "none"), &[], None).await.unwrap();
        let elsewhere =
            store.add_statement(other, "A statement of the other day", NewOrigin::Written, None).await.unwrap();
        assert_ne!(store.deliberation(other).await.unwrap().unwrap().join_code, day.join_code);
        assert_eq!(invalid_field(store.vote(carer, elsewhere, Stance::Agree).await.unwrap_err()), "statement");
        assert!(store.statements(other).await.unwrap().iter().all(|s| s.votes() == 0));
        assert!(matches!(
            store.moderate_statement(other, theirs, StatementState::Rejected, None).await,
            Err(StoreError::NotFound)
        ));

        // The questionnaire, before and after; answering again replaces.
        let q = store.deliberation(id).await.unwrap().unwrap().questions;
        store.answer_questions(carer, Moment::Before, &[(q[0].id, 2), (q[1].id, 3)]).await.unwrap();
        store.answer_questions(carer, Moment::Before, &[(q[0].id, 1)]).await.unwrap();
        store.answer_questions(carer, Moment::After, &[(q[0].id, 4)]).await.unwrap();
        let bad = store.answer_questions(carer, Moment::After, &[(q[0].id, 9)]).await;
        assert!(bad.is_err());
        let answers = store.questionnaire_answers(id).await.unwrap();
        assert_eq!(answers.len(), 3);
        assert!(answers.iter().any(|a| a.question_id == q[0].id && a.moment == Moment::Before && a.value == 1));
        let changed = store.edit_deliberation(id, &setup("Test day", "none"), &["A new question".to_owned()]).await;
        assert_eq!(invalid_field(changed.unwrap_err()), "questions");

        // Prioritisation the day does not do is refused.
        assert_eq!(invalid_field(store.place_dots(carer, &[]).await.unwrap_err()), "dots");

        // What the analysis reads: attendees who voted, accepted statements, one vote each.
        let data = store.vote_data(id).await.unwrap();
        assert_eq!(
            data.attendees,
            vec![(carer, Some(DeclaredKind::Carer)), (practitioner, Some(DeclaredKind::Practitioner))]
        );
        assert_eq!(data.statements, vec![written, seeded, theirs]);
        assert_eq!(data.votes.len(), 4);
        assert!(data.votes.contains(&(0, 0, Stance::Disagree)));
        let participation = store.participation(id).await.unwrap();
        assert_eq!((participation.attendees, participation.voters, participation.votes), (2, 2, 4));
        assert_eq!(participation.by_kind.get(&DeclaredKind::Carer), Some(&1));
        assert_eq!(participation.by_sector.get(&Sector::Health), Some(&2));
        assert_eq!((participation.answered_before, participation.answered_after, participation.waiting), (1, 1, 0));

        // Closed: nothing more is counted; reopened, it is again.
        store.move_deliberation(id, DeliberationStatus::Closed).await.unwrap();
        assert_eq!(invalid_field(store.vote(carer, written, Stance::Agree).await.unwrap_err()), "statement");
        assert_eq!(invalid_field(store.suggest_statement(carer, "Too late").await.unwrap_err()), "text");
        assert_eq!(store.statements(id).await.unwrap().iter().map(|s| s.votes()).sum::<u32>(), 4);
        assert!(store.deliberation(id).await.unwrap().unwrap().closed_at.is_some());
        store.move_deliberation(id, DeliberationStatus::Open).await.unwrap();
        store.vote(carer, written, Stance::Agree).await.unwrap();

        store.delete_deliberation(other).await.unwrap();
        assert!(store.deliberation(other).await.unwrap().is_none());
    }
}
