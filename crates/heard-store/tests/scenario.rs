//! One story through every table and every public Store method, run unchanged on SQLite and on
//! PostgreSQL, so the two backends cannot drift apart.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

#[path = "scenario/audit.rs"]
mod audit;
#[path = "scenario/cancelled.rs"]
mod cancelled;
#[path = "scenario/causes.rs"]
mod causes;
#[path = "scenario/decisions.rs"]
mod decisions;
#[path = "scenario/deliberation.rs"]
mod deliberation;
#[path = "scenario/horizon.rs"]
mod horizon;
#[path = "scenario/learning.rs"]
mod learning;
#[path = "scenario/outcomes.rs"]
mod outcomes;
#[path = "scenario/polis.rs"]
mod polis;
#[path = "scenario/propositions.rs"]
mod propositions;
#[path = "scenario/protection.rs"]
mod protection;
#[path = "scenario/sso.rs"]
mod sso;

use std::collections::BTreeMap;

use heard_analysis::voice::redaction::{PiiKind, Redactor, Span};
use heard_analysis::voice::screening::Screened;
use heard_domain::governance::{ApiToken, Email, Password, Role, Sector};
use heard_domain::journeys::{
    ActivityKind, Attendance, AttendeeKind, ProgrammeStatus, Slug, StageStatus, StageTemplate, TransitionError,
    default_template,
};
use heard_domain::voice::participants::{
    AgeBand, ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym,
};
use heard_domain::voice::sources::{ReviewDecision, SearchQuery, SourceKind};
use heard_store::demo::{self, DEMO_ACCOUNTS, DEMO_PASSWORD, DemoOutcome};
use heard_store::{
    Backend, Move, NewActivity, NewConsent, NewParticipant, NewProgramme, NewSource, NewUser, ProgrammeChange,
    SearchFilters, StageChange, Store, StoreError, UserChange,
};
use heard_testkit::{TestBackend, fresh_store};
use time::macros::date;
use tower_sessions::SessionStore as _;

#[tokio::test]
async fn scenario_on_sqlite() {
    let store = fresh_store(TestBackend::Sqlite).await;
    assert_eq!(store.backend(), Backend::Sqlite);
    assert_eq!(store.backend().name(), "sqlite");
    scenario(&store).await;
}

#[tokio::test]
async fn scenario_on_postgres() {
    let store = fresh_store(TestBackend::Postgres).await;
    assert_eq!(store.backend(), Backend::Postgres);
    assert_eq!(store.backend().name(), "postgresql");
    scenario(&store).await;
}

#[tokio::test]
async fn sqlite_urls_create_the_file_and_migrate_twice() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("by-url.db");
    let store = Store::connect(&format!("sqlite://{}", path.display())).await.expect("connects");
    store.migrate().await.expect("migrates");
    store.migrate().await.expect("migrating again changes nothing");
    assert!(path.exists());
    assert_eq!(store.journey_template().await.expect("template").len(), 8);
    assert!(matches!(Store::connect("mysql://nope").await, Err(StoreError::Invalid(_))));
}

fn email(raw: &str) -> Email {
    Email::parse("email", raw).expect("a valid email")
}

fn attendance(sectors: &[(Sector, u32)], kinds: &[(AttendeeKind, u32)]) -> Attendance {
    Attendance { by_sector: sectors.iter().copied().collect(), by_kind: kinds.iter().copied().collect() }
}

async fn scenario(store: &Store) {
    assert!(store.ping().await);

    // Organisation
    assert_eq!(store.organisation_name().await.unwrap(), "Heard");
    store.set_organisation_name("Testshire County Council").await.unwrap();
    store.set_organisation_name("Testshire Council").await.unwrap();
    assert_eq!(store.organisation_name().await.unwrap(), "Testshire Council");

    // Users
    let hash = Password::new("password", "a long enough password").unwrap().hash();
    let new_user = |address: &str, name: &str, role: Role| NewUser {
        email: email(address),
        display_name: name.into(),
        role,
        password_hash: hash.clone(),
    };
    let zoe = store.create_user(&new_user("zoe@test.example", "Zoe Commissioner", Role::Commissioner)).await.unwrap();
    assert_eq!((zoe.email.as_str(), zoe.role, zoe.active), ("zoe@test.example", Role::Commissioner, true));
    assert!(zoe.password_hash().verify("a long enough password"));
    assert_eq!(zoe.last_signed_in_at, None);
    let ann = store.create_user(&new_user("ann@test.example", "ann researcher", Role::Researcher)).await.unwrap();
    let duplicate = store.create_user(&new_user("ZOE@test.example", "Another", Role::Viewer)).await;
    assert!(matches!(duplicate, Err(StoreError::Duplicate { field: "email" })), "{duplicate:?}");

    let names: Vec<_> = store.users().await.unwrap().into_iter().map(|u| u.display_name).collect();
    assert_eq!(names, ["ann researcher", "Zoe Commissioner"]);
    assert_eq!(store.user(zoe.id).await.unwrap().map(|u| u.email), Some("zoe@test.example".into()));
    assert!(store.user(9999).await.unwrap().is_none());
    assert_eq!(store.user_by_email(&email("Zoe@Test.example")).await.unwrap().map(|u| u.id), Some(zoe.id));
    assert!(store.user_by_email(&email("nobody@test.example")).await.unwrap().is_none());

    let ann = store
        .update_user(
            ann.id,
            &UserChange { display_name: "Ann Researcher".into(), role: Role::Facilitator, active: true },
        )
        .await
        .unwrap();
    assert_eq!((ann.display_name.as_str(), ann.role), ("Ann Researcher", Role::Facilitator));
    let change = UserChange { display_name: "x".into(), role: Role::Viewer, active: true };
    assert!(matches!(store.update_user(9999, &change).await, Err(StoreError::NotFound)));

    let new_hash = Password::new("password", "another long password").unwrap().hash();
    store.set_password(ann.id, &new_hash).await.unwrap();
    let ann = store.user(ann.id).await.unwrap().unwrap();
    assert!(ann.password_hash().verify("another long password"));
    assert!(!ann.password_hash().verify("a long enough password"));
    assert!(matches!(store.set_password(9999, &new_hash).await, Err(StoreError::NotFound)));
    store.record_sign_in(ann.id).await.unwrap();
    assert!(store.user(ann.id).await.unwrap().unwrap().last_signed_in_at.is_some());
    assert!(serde_json::to_string(&ann).unwrap().find("argon2").is_none(), "the hash is never serialised");

    // API tokens
    let first = ApiToken::generate();
    let second = ApiToken::generate();
    let first_record = store.create_api_token(ann.id, "laptop", &first.hash()).await.unwrap();
    let second_record = store.create_api_token(ann.id, "script", &second.hash()).await.unwrap();
    assert_eq!(first_record.last_used_at, None);
    let tokens = store.api_tokens(ann.id).await.unwrap();
    assert_eq!(tokens.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["script", "laptop"]);
    assert!(matches!(store.create_api_token(9999, "x", "y").await, Err(StoreError::NotFound)));
    assert_eq!(store.user_by_api_token(&first.hash()).await.unwrap().map(|u| u.id), Some(ann.id));
    assert!(
        store.api_tokens(ann.id).await.unwrap().iter().any(|t| t.id == first_record.id && t.last_used_at.is_some())
    );
    assert!(store.user_by_api_token("not-a-hash").await.unwrap().is_none());
    assert!(matches!(store.revoke_api_token(zoe.id, first_record.id).await, Err(StoreError::NotFound)));
    store.revoke_api_token(ann.id, first_record.id).await.unwrap();
    assert!(matches!(store.revoke_api_token(ann.id, first_record.id).await, Err(StoreError::NotFound)));
    assert!(store.user_by_api_token(&first.hash()).await.unwrap().is_none());
    let tokens = store.api_tokens(ann.id).await.unwrap();
    assert_eq!(tokens.len(), 2, "revoked tokens are still listed");
    assert!(tokens.iter().any(|t| t.id == first_record.id && t.revoked_at.is_some()));
    // A deactivated account's tokens stop working.
    store
        .update_user(ann.id, &UserChange { display_name: ann.display_name.clone(), role: ann.role, active: false })
        .await
        .unwrap();
    assert!(store.user_by_api_token(&second.hash()).await.unwrap().is_none());
    store
        .update_user(ann.id, &UserChange { display_name: ann.display_name.clone(), role: ann.role, active: true })
        .await
        .unwrap();
    assert_eq!(store.user_by_api_token(&second.hash()).await.unwrap().map(|u| u.id), Some(second_record.user_id));

    // Partners
    let health = store.create_partner("Testshire Health Board", Sector::Health).await.unwrap();
    let carers = store.create_partner("carers together", Sector::VoluntarySector).await.unwrap();
    let police = store.create_partner("Testshire Police", Sector::Other).await.unwrap();
    assert!(matches!(
        store.create_partner("TESTSHIRE POLICE", Sector::Police).await,
        Err(StoreError::Duplicate { field: "name" })
    ));
    let police = store.update_partner(police.id, "Testshire Constabulary", Sector::Police).await.unwrap();
    assert_eq!((police.name.as_str(), police.sector), ("Testshire Constabulary", Sector::Police));
    assert!(matches!(
        store.update_partner(police.id, "Testshire Health Board", Sector::Police).await,
        Err(StoreError::Duplicate { field: "name" })
    ));
    assert!(matches!(store.update_partner(9999, "x", Sector::Other).await, Err(StoreError::NotFound)));
    assert_eq!(store.partner(carers.id).await.unwrap(), Some(carers.clone()));
    assert_eq!(store.partner(9999).await.unwrap(), None);
    let names: Vec<_> = store.partners().await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["carers together", "Testshire Constabulary", "Testshire Health Board"]);

    // Audit
    store.record_audit(Some(zoe.id), "user.role_changed", &format!("user {}", ann.id)).await.unwrap();
    store.record_audit(None, "export", "programme 1").await.unwrap();
    let events = store.audit_events(10).await.unwrap();
    // Newest first; before them, the API token uses above (each one audited).
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[..2], ["export", "user.role_changed"]);
    assert!(actions[2..].contains(&"api_token.used"), "{actions:?}");
    assert_eq!((events[1].actor_id, events[1].subject.as_str()), (Some(zoe.id), format!("user {}", ann.id).as_str()));
    assert_eq!(store.audit_events(1).await.unwrap().len(), 1);

    // The journey template: the default, written by migrate.
    let template = store.journey_template().await.unwrap();
    assert_eq!(template.len(), 8);
    assert_eq!((template[0].position, template[0].name.as_str()), (1, "Case for change"));
    assert_eq!(template[7].name, "Review and learn");

    // Programmes
    let new_programme = NewProgramme {
        slug: Slug::parse("slug", "early-help").unwrap(),
        name: "Early Help".into(),
        aim: "A good start".into(),
        status: ProgrammeStatus::Active,
        lead_commissioner_id: Some(zoe.id),
        partner_ids: vec![health.id, carers.id, health.id],
    };
    let early = store.create_programme(&new_programme).await.unwrap();
    assert_eq!(
        (early.slug.as_str(), early.name.as_str(), early.status),
        ("early-help", "Early Help", ProgrammeStatus::Active)
    );
    assert_eq!(
        early.lead_commissioner.as_ref().map(|l| (l.id, l.display_name.as_str())),
        Some((zoe.id, "Zoe Commissioner"))
    );
    assert_eq!(early.partners, [carers.clone(), health.clone()]);
    assert!(matches!(store.create_programme(&new_programme).await, Err(StoreError::Duplicate { field: "slug" })));

    let not_a_commissioner = NewProgramme {
        slug: Slug::parse("slug", "memory-support").unwrap(),
        lead_commissioner_id: Some(ann.id),
        ..new_programme.clone()
    };
    match store.create_programme(&not_a_commissioner).await {
        Err(StoreError::Invalid(invalid)) => {
            assert_eq!(invalid.message_for("lead_commissioner"), Some("Choose a commissioner"))
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let unknown_partner =
        NewProgramme { partner_ids: vec![9999], lead_commissioner_id: None, ..not_a_commissioner.clone() };
    match store.create_programme(&unknown_partner).await {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("partners").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(store.programme("memory-support").await.unwrap().is_none(), "a failed create leaves nothing behind");

    // Editing the template leaves existing programmes' journeys as they were.
    let mut edited = default_template();
    edited.swap(0, 1);
    edited[2].name = "Sense-making".into();
    edited.push(StageTemplate {
        name: "Celebrate".into(),
        description: "Share the story.".into(),
        exit_criteria: String::new(),
    });
    store.replace_journey_template(&edited).await.unwrap();
    let template = store.journey_template().await.unwrap();
    assert_eq!(
        template.iter().map(|s| (s.position, s.name.as_str())).take(3).collect::<Vec<_>>(),
        [(1, "Listen"), (2, "Case for change"), (3, "Sense-making")]
    );
    assert_eq!(template.len(), 9);
    let mut clash = edited.clone();
    clash[1].name = "LISTEN".into();
    assert!(matches!(store.replace_journey_template(&clash).await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.replace_journey_template(&[]).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.journey_template().await.unwrap().len(), 9, "a rejected template changes nothing");

    let stages = store.stages(early.id).await.unwrap();
    assert_eq!(stages.len(), 8);
    assert_eq!(stages[0].name, "Case for change");
    assert_eq!(stages[2].name, "Make sense");
    assert!(stages.iter().all(|s| s.status == StageStatus::NotStarted && s.starts_on.is_none()));
    assert_eq!(stages[1].exit_criteria, "Voices heard from every participant group.");

    let memory = store
        .create_programme(&NewProgramme {
            slug: Slug::parse("slug", "memory-support").unwrap(),
            name: "Memory Support".into(),
            aim: String::new(),
            status: ProgrammeStatus::Paused,
            lead_commissioner_id: None,
            partner_ids: vec![],
        })
        .await
        .unwrap();
    let memory_stages = store.stages(memory.id).await.unwrap();
    assert_eq!(memory_stages.len(), 9, "a new programme copies the current template");
    assert_eq!(memory_stages[0].name, "Listen");
    assert!(memory.lead_commissioner.is_none() && memory.partners.is_empty());

    let updated = store
        .update_programme(
            memory.id,
            &ProgrammeChange {
                name: "Memory support and carers".into(),
                aim: "Support at home".into(),
                status: ProgrammeStatus::Active,
                lead_commissioner_id: Some(zoe.id),
                partner_ids: vec![police.id],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.aim.as_str(), updated.status),
        ("Memory support and carers", "Support at home", ProgrammeStatus::Active)
    );
    assert_eq!(updated.partners, std::slice::from_ref(&police));
    assert_eq!(
        store.programme("memory-support").await.unwrap().map(|p| p.name),
        Some("Memory support and carers".into())
    );
    assert_eq!(store.programme_by_id(memory.id).await.unwrap().map(|p| p.slug), Some("memory-support".into()));
    let bad_change = ProgrammeChange {
        name: "x".into(),
        aim: String::new(),
        status: ProgrammeStatus::Closed,
        lead_commissioner_id: Some(ann.id),
        partner_ids: vec![],
    };
    assert!(matches!(store.update_programme(memory.id, &bad_change).await, Err(StoreError::Invalid(_))));
    assert_eq!(
        store.programme("memory-support").await.unwrap().map(|p| p.status),
        Some(ProgrammeStatus::Active),
        "rolled back"
    );
    assert!(matches!(
        store.update_programme(9999, &ProgrammeChange { lead_commissioner_id: None, ..bad_change }).await,
        Err(StoreError::NotFound)
    ));

    // Stages: edit, then move by the rules.
    let change = StageChange {
        starts_on: Some(date!(2014 - 01 - 13)),
        ends_on: Some(date!(2014 - 02 - 07)),
        exit_criteria: "A shared case for change.".into(),
        notes: "Film shown to partners.".into(),
    };
    let stage = store.update_stage(early.id, 1, &change).await.unwrap();
    assert_eq!((stage.starts_on, stage.ends_on), (Some(date!(2014 - 01 - 13)), Some(date!(2014 - 02 - 07))));
    assert_eq!(
        (stage.exit_criteria.as_str(), stage.notes.as_str()),
        ("A shared case for change.", "Film shown to partners.")
    );
    assert_eq!(stage.status, StageStatus::NotStarted);
    let backwards =
        StageChange { starts_on: Some(date!(2014 - 03 - 01)), ends_on: Some(date!(2014 - 02 - 01)), ..change.clone() };
    match store.update_stage(early.id, 1, &backwards).await {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("ends_on").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(matches!(store.update_stage(early.id, 99, &change).await, Err(StoreError::NotFound)));

    let started = store.move_stage(early.id, 1, Move::Forward, date!(2014 - 01 - 20)).await.unwrap();
    assert_eq!(
        (started.status, started.starts_on),
        (StageStatus::InProgress, Some(date!(2014 - 01 - 13))),
        "planned dates stay"
    );
    let listen = store.move_stage(early.id, 2, Move::Forward, date!(2014 - 02 - 10)).await.unwrap();
    assert_eq!(
        (listen.status, listen.starts_on, listen.ends_on),
        (StageStatus::InProgress, Some(date!(2014 - 02 - 10)), None)
    );
    assert!(matches!(
        store.move_stage(early.id, 4, Move::Forward, date!(2014 - 02 - 10)).await,
        Err(StoreError::Transition(TransitionError::EarlierNotStarted(name))) if name == "Make sense"
    ));
    assert!(matches!(
        store.move_stage(early.id, 2, Move::Forward, date!(2014 - 04 - 04)).await,
        Err(StoreError::Transition(TransitionError::EarlierNotComplete(name))) if name == "Case for change"
    ));
    assert!(matches!(
        store.move_stage(early.id, 1, Move::Back, date!(2014 - 04 - 04)).await,
        Err(StoreError::Transition(TransitionError::LaterComplete(_)))
    ));
    assert!(matches!(
        store.move_stage(early.id, 9, Move::Forward, date!(2014 - 04 - 04)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.move_stage(early.id, 0, Move::Forward, date!(2014 - 04 - 04)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.move_stage(9999, 1, Move::Forward, date!(2014 - 04 - 04)).await, Err(StoreError::NotFound)));
    let complete = store.move_stage(early.id, 1, Move::Forward, date!(2014 - 02 - 20)).await.unwrap();
    assert_eq!((complete.status, complete.ends_on), (StageStatus::Complete, Some(date!(2014 - 02 - 07))));
    let listen = store.move_stage(early.id, 2, Move::Forward, date!(2014 - 04 - 04)).await.unwrap();
    assert_eq!((listen.status, listen.ends_on), (StageStatus::Complete, Some(date!(2014 - 04 - 04))));
    assert!(matches!(
        store.move_stage(early.id, 2, Move::Forward, date!(2014 - 04 - 04)).await,
        Err(StoreError::Transition(TransitionError::AlreadyComplete))
    ));
    let reopened = store.move_stage(early.id, 2, Move::Back, date!(2014 - 04 - 05)).await.unwrap();
    assert_eq!(reopened.status, StageStatus::InProgress);
    assert!(matches!(
        store.move_stage(early.id, 3, Move::Back, date!(2014 - 04 - 05)).await,
        Err(StoreError::Transition(TransitionError::NotStarted))
    ));
    store.move_stage(early.id, 2, Move::Forward, date!(2014 - 04 - 06)).await.unwrap();
    store.move_stage(early.id, 3, Move::Forward, date!(2014 - 04 - 07)).await.unwrap();
    let statuses: Vec<_> = store.stages(early.id).await.unwrap().iter().map(|s| s.status).take(4).collect();
    assert_eq!(
        statuses,
        [StageStatus::Complete, StageStatus::Complete, StageStatus::InProgress, StageStatus::NotStarted]
    );

    // Activities and the room.
    let workshop = NewActivity {
        stage_position: Some(1),
        kind: ActivityKind::Workshop,
        title: "System workshop".into(),
        held_on: date!(2014 - 01 - 28),
        place: "County Hall".into(),
        facilitator: "Facilitation team".into(),
        notes: "Stories heard.".into(),
        attendance: attendance(
            &[(Sector::Health, 60), (Sector::VoluntarySector, 40), (Sector::Police, 0)],
            &[(AttendeeKind::Professional, 100)],
        ),
    };
    let workshop = store.create_activity(early.id, &workshop).await.unwrap();
    assert_eq!(
        (workshop.title.as_str(), workshop.kind, workshop.stage_position),
        ("System workshop", ActivityKind::Workshop, Some(1))
    );
    assert_eq!(
        workshop.attendance.by_sector,
        BTreeMap::from([(Sector::Health, 60), (Sector::VoluntarySector, 40)]),
        "zeros are not kept"
    );
    let listening = NewActivity {
        stage_position: None,
        kind: ActivityKind::ListeningEvent,
        title: "Listening with parents".into(),
        held_on: date!(2014 - 03 - 20),
        place: "Family hub".into(),
        facilitator: "Researchers".into(),
        notes: String::new(),
        attendance: attendance(&[(Sector::Citizen, 15)], &[(AttendeeKind::ServiceUser, 9), (AttendeeKind::Carer, 6)]),
    };
    let listening = store.create_activity(early.id, &listening).await.unwrap();
    let wrong_stage = NewActivity { stage_position: Some(42), ..listening_input(&listening) };
    match store.create_activity(early.id, &wrong_stage).await {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("stage").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(matches!(store.create_activity(9999, &listening_input(&listening)).await, Err(StoreError::NotFound)));
    let other_programme = store.create_activity(memory.id, &listening_input(&listening)).await.unwrap();

    let titles: Vec<_> = store.activities(early.id).await.unwrap().into_iter().map(|a| a.title).collect();
    assert_eq!(titles, ["Listening with parents", "System workshop"], "most recent first");
    assert_eq!(store.activity(early.id, workshop.id).await.unwrap(), Some(workshop.clone()));
    assert_eq!(store.activity(memory.id, workshop.id).await.unwrap(), None, "activities belong to one programme");

    let room = store.room(early.id).await.unwrap();
    assert_eq!((room.activities, room.attendances), (2, 115));
    assert_eq!(room.by_sector[&Sector::Health], 60);
    assert_eq!(room.by_sector[&Sector::Citizen], 15);
    assert_eq!(room.by_kind[&AttendeeKind::Professional], 100);
    assert_eq!(room.by_kind[&AttendeeKind::Carer], 6);

    let mut edit = listening_input(&listening);
    edit.title = "Listening with parents and carers".into();
    edit.stage_position = Some(2);
    edit.held_on = date!(2014 - 01 - 02);
    edit.attendance = attendance(&[(Sector::Citizen, 20)], &[]);
    let edited = store.update_activity(early.id, listening.id, &edit).await.unwrap();
    assert_eq!(
        (edited.title.as_str(), edited.stage_position, edited.held_on),
        ("Listening with parents and carers", Some(2), date!(2014 - 01 - 02))
    );
    assert_eq!(edited.attendance, attendance(&[(Sector::Citizen, 20)], &[]), "attendance is replaced");
    assert_eq!(store.activities(early.id).await.unwrap()[0].id, workshop.id, "order follows the new date");
    assert!(matches!(store.update_activity(memory.id, listening.id, &edit).await, Err(StoreError::NotFound)));
    assert!(matches!(
        store.update_activity(early.id, listening.id, &NewActivity { stage_position: Some(42), ..edit.clone() }).await,
        Err(StoreError::Invalid(_))
    ));

    let summaries = store.programmes().await.unwrap();
    assert_eq!(
        summaries.iter().map(|s| s.programme.slug.as_str()).collect::<Vec<_>>(),
        ["early-help", "memory-support"]
    );
    let early_summary = &summaries[0];
    assert_eq!((early_summary.stages_total, early_summary.stages_complete, early_summary.activities), (8, 2, 2));
    assert_eq!(early_summary.current_stage.as_deref(), Some("Make sense"));
    assert_eq!(early_summary.programme.partners.len(), 2);
    assert_eq!(summaries[1].current_stage.as_deref(), Some("Listen"));
    assert_eq!(summaries[1].activities, 1);
    let json = serde_json::to_value(early_summary).unwrap();
    assert_eq!(json["slug"], "early-help", "the summary flattens the programme");
    assert_eq!(json["stages_complete"], 2);

    store.delete_activity(early.id, listening.id).await.unwrap();
    assert!(matches!(store.delete_activity(early.id, listening.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.delete_activity(early.id, other_programme.id).await, Err(StoreError::NotFound)));
    let room = store.room(early.id).await.unwrap();
    assert_eq!((room.activities, room.attendances), (1, 100));
    assert!(!room.by_sector.contains_key(&Sector::Citizen));

    // Participants and their consent.
    let today = date!(2014 - 12 - 01);
    let parent = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", "Parent A").unwrap(),
        kind: ParticipantKind::Parent,
        age_band: Some(AgeBand::From25To34),
        area: Some("North".into()),
        contact_details: ContactDetails::parse("contact_details", "01632 960 001").unwrap(),
    };
    let parent = store.create_participant(early.id, &parent).await.unwrap();
    assert_eq!(
        (parent.pseudonym.as_str(), parent.kind, parent.programme_id),
        ("Parent A", ParticipantKind::Parent, early.id)
    );
    assert_eq!(parent.contact_details.as_ref().map(ContactDetails::expose), Some("01632 960 001"));
    assert!(parent.consents.is_empty() && parent.current_consents.is_empty());
    let json = serde_json::to_string(&parent).unwrap();
    assert!(
        !json.contains("01632") && !json.contains("contact_details"),
        "contact details are never serialised: {json}"
    );
    let carer = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", "carer b").unwrap(),
        kind: ParticipantKind::Carer,
        age_band: None,
        area: None,
        contact_details: None,
    };
    let carer = store.create_participant(early.id, &carer).await.unwrap();
    let clash = NewParticipant { pseudonym: Pseudonym::parse("pseudonym", "PARENT a").unwrap(), ..input(&carer) };
    assert!(matches!(
        store.create_participant(early.id, &clash).await,
        Err(StoreError::Duplicate { field: "pseudonym" })
    ));
    let elsewhere = store.create_participant(memory.id, &clash).await.unwrap();
    assert_eq!(elsewhere.pseudonym, "PARENT a", "pseudonyms are unique within a programme only");
    assert!(matches!(store.create_participant(9999, &input(&carer)).await, Err(StoreError::NotFound)));

    let pseudonyms: Vec<_> = store.participants(early.id).await.unwrap().into_iter().map(|p| p.pseudonym).collect();
    assert_eq!(pseudonyms, ["carer b", "Parent A"], "by pseudonym, ignoring case");
    assert_eq!(store.participant(early.id, parent.id).await.unwrap(), Some(parent.clone()));
    assert_eq!(store.participant(memory.id, parent.id).await.unwrap(), None, "participants belong to one programme");

    let renamed = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", "Carer B").unwrap(),
        age_band: Some(AgeBand::From80),
        area: Some("South".into()),
        contact_details: ContactDetails::parse("contact_details", "(test) via the carers' network").unwrap(),
        ..input(&carer)
    };
    let carer = store.update_participant(early.id, carer.id, &renamed).await.unwrap();
    assert_eq!(
        (carer.pseudonym.as_str(), carer.age_band, carer.area.as_deref()),
        ("Carer B", Some(AgeBand::From80), Some("South"))
    );
    assert!(carer.contact_details.is_some());
    let taken = NewParticipant { pseudonym: Pseudonym::parse("pseudonym", "parent A").unwrap(), ..input(&carer) };
    assert!(matches!(
        store.update_participant(early.id, carer.id, &taken).await,
        Err(StoreError::Duplicate { field: "pseudonym" })
    ));
    assert!(matches!(store.update_participant(memory.id, carer.id, &input(&carer)).await, Err(StoreError::NotFound)));
    let cleared = store
        .update_participant(early.id, carer.id, &NewParticipant { contact_details: None, area: None, ..input(&carer) })
        .await
        .unwrap();
    assert!(cleared.contact_details.is_none() && cleared.area.is_none());

    let research = |given_on| NewConsent {
        purpose: ConsentPurpose::Research,
        given_on,
        how: ConsentMethod::Written,
        note: "Signed form kept in the locked cabinet".into(),
    };
    let given =
        store.record_consent(early.id, parent.id, &research(date!(2014 - 03 - 04)), zoe.id, today).await.unwrap();
    assert_eq!(given.current_consents, [ConsentPurpose::Research]);
    let consent = &given.consents[0];
    assert_eq!(
        (consent.purpose, consent.given_on, consent.how, consent.withdrawn_on),
        (ConsentPurpose::Research, date!(2014 - 03 - 04), ConsentMethod::Written, None)
    );
    assert_eq!(consent.recorded_by.as_ref().map(|u| u.id), Some(zoe.id));
    let filming = NewConsent {
        purpose: ConsentPurpose::Filming,
        how: ConsentMethod::Verbal,
        note: String::new(),
        ..research(date!(2014 - 03 - 05))
    };
    let given = store.record_consent(early.id, parent.id, &filming, zoe.id, today).await.unwrap();
    assert_eq!(given.current_consents, [ConsentPurpose::Research, ConsentPurpose::Filming]);
    match store.record_consent(early.id, parent.id, &research(date!(2014 - 04 - 01)), zoe.id, today).await {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("purpose").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    match store.record_consent(early.id, carer.id, &research(date!(2015 - 01 - 01)), zoe.id, today).await {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("given_on").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(matches!(
        store.record_consent(memory.id, parent.id, &research(date!(2014 - 03 - 04)), zoe.id, today).await,
        Err(StoreError::NotFound)
    ));

    match store
        .withdraw_consent(early.id, parent.id, ConsentPurpose::Filming, date!(2014 - 03 - 01), zoe.id, today)
        .await
    {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("withdrawn_on").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let withdrawn = store
        .withdraw_consent(early.id, parent.id, ConsentPurpose::Filming, date!(2014 - 04 - 02), zoe.id, today)
        .await
        .unwrap();
    assert_eq!(withdrawn.current_consents, [ConsentPurpose::Research]);
    assert_eq!(withdrawn.consents.len(), 2, "a withdrawal keeps the history");
    assert_eq!(withdrawn.consents[1].withdrawn_on, Some(date!(2014 - 04 - 02)));
    assert!(matches!(
        store
            .withdraw_consent(early.id, parent.id, ConsentPurpose::Filming, date!(2014 - 04 - 03), zoe.id, today)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.withdraw_consent(early.id, parent.id, ConsentPurpose::SharingWithPartners, today, zoe.id, today).await,
        Err(StoreError::NotFound)
    ));
    let again = NewConsent { given_on: date!(2014 - 05 - 01), ..filming.clone() };
    let regiven = store.record_consent(early.id, parent.id, &again, zoe.id, today).await.unwrap();
    assert_eq!(regiven.consents.len(), 3, "giving again after withdrawal makes a new record");
    assert_eq!(regiven.current_consents, [ConsentPurpose::Research, ConsentPurpose::Filming]);
    let audited: Vec<_> = store.audit_events(10).await.unwrap().into_iter().map(|e| (e.action, e.subject)).collect();
    assert_eq!(audited[0], ("consent.given".to_owned(), format!("participant {}, consent to filming", parent.id)));
    // Withdrawing filming erased the recordings it allowed: the erasure is recorded after the withdrawal.
    let withdrawn = audited.iter().position(|(action, _)| action == "consent.withdrawn").expect("the withdrawal");
    assert_eq!(audited[withdrawn].1, format!("participant {}, consent to filming", parent.id));
    assert!(
        withdrawn > 1 && audited[1..withdrawn].iter().all(|(action, _)| action.starts_with("erasure.")),
        "between the withdrawal and the new consent only the erasure it made: {audited:?}"
    );
    assert!(audited.iter().all(|(_, subject)| !subject.contains("Parent A")), "audit subjects carry no pseudonym");

    let counts = store.participant_counts(early.id).await.unwrap();
    assert_eq!(counts, BTreeMap::from([(ParticipantKind::Parent, 1), (ParticipantKind::Carer, 1)]));
    assert!(store.participant_counts(9999).await.unwrap().is_empty());

    // Sources: screened on arrival, reviewed, searched.
    let names = store.known_names(early.id).await.unwrap();
    assert!(names.contains(&"Parent A".to_owned()) && names.contains(&"Zoe Commissioner".to_owned()));
    let redactor = Redactor::new().with_known_names(names.iter().map(String::as_str));
    let workshop = store.activities(early.id).await.unwrap().remove(0);
    let story = NewSource {
        kind: SourceKind::Story,
        title: None,
        text: Screened::new(&redactor, "Parent A said the respite nights saved us. Call 07700 900123.".into()),
        collected_on: Some(date!(2014 - 03 - 10)),
        activity_id: Some(workshop.id),
        participant_ids: vec![parent.id, carer.id],
        attributes: BTreeMap::from([("ward".to_owned(), "North".to_owned())]),
        media: None,
        cue_timings: None,
    };
    let added = store.add_source(early.id, &story, Some(zoe.id)).await.unwrap();
    assert_eq!(added.title, "Story of 10 March 2014");
    assert_eq!(added.redacted_text, "[NAME-1] said the respite nights saved us. Call [PHONE-1].");
    assert_eq!(added.text.original(), story.text.original());
    assert_eq!(added.activity.as_ref().map(|a| a.id), Some(workshop.id));
    assert_eq!(added.participants.iter().map(|p| p.id).collect::<Vec<_>>(), [carer.id, parent.id]);
    assert!(!added.consented_to(ConsentPurpose::Research), "the carer has not consented to research");
    let json = serde_json::to_string(&added).unwrap();
    assert!(!json.contains("07700") && !json.contains("Parent A said"), "the original never serialises: {json}");
    assert_eq!(
        store.source(early.id, added.id).await.unwrap().map(|s| s.redacted_text),
        Some(added.redacted_text.clone())
    );
    assert!(store.source(memory.id, added.id).await.unwrap().is_none(), "sources belong to one programme");
    let stranger = NewSource { participant_ids: vec![elsewhere.id], ..story.clone() };
    match store.add_source(early.id, &stranger, None).await {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("participants").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let wrong_activity = NewSource { activity_id: Some(other_programme.id), participant_ids: vec![], ..story.clone() };
    match store.add_source(early.id, &wrong_activity, None).await {
        Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("activity").is_some()),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(matches!(
        store.add_source(9999, &NewSource { activity_id: None, participant_ids: vec![], ..story.clone() }, None).await,
        Err(StoreError::NotFound)
    ));
    let note = NewSource {
        kind: SourceKind::FieldNote,
        title: Some("Drop-in at the library".into()),
        text: Screened::new(&redactor, "Parents queued for the short break scheme; the café was full.".into()),
        collected_on: Some(date!(2014 - 04 - 02)),
        activity_id: None,
        participant_ids: vec![],
        attributes: BTreeMap::new(),
        media: None,
        cue_timings: None,
    };
    let note_input = note.clone();
    let note = store.add_source(early.id, &note, Some(zoe.id)).await.unwrap();
    assert!(note.consented_to(ConsentPurpose::Research), "nobody's consent is in question");

    let phone = added.text.detected()[1];
    let reviewed = store.review_span(early.id, added.id, phone, ReviewDecision::Removed, zoe.id).await.unwrap();
    assert_eq!(reviewed.redacted_text, "[NAME-1] said the respite nights saved us. Call 07700 900123.");
    let nights = Span { start: 26, end: 32, kind: PiiKind::Address };
    let reviewed = store.review_span(early.id, added.id, nights, ReviewDecision::Added, zoe.id).await.unwrap();
    assert_eq!(reviewed.redacted_text, "[NAME-1] said the respite [ADDRESS-1] saved us. Call 07700 900123.");
    assert_eq!(reviewed.reviews.len(), 2);
    let reviewed = store.review_span(early.id, added.id, phone, ReviewDecision::Confirmed, zoe.id).await.unwrap();
    assert_eq!(reviewed.redacted_text, "[NAME-1] said the respite [ADDRESS-1] saved us. Call [PHONE-1].");
    let nowhere = Span { start: 0, end: 2, kind: PiiKind::Person };
    assert!(matches!(
        store.review_span(early.id, added.id, nowhere, ReviewDecision::Removed, zoe.id).await,
        Err(StoreError::NotFound)
    ));
    let outside = Span { start: 0, end: 500, kind: PiiKind::Person };
    assert!(matches!(
        store.review_span(early.id, added.id, outside, ReviewDecision::Added, zoe.id).await,
        Err(StoreError::Invalid(_))
    ));

    let query = |raw: &str| SearchQuery::parse("q", raw).unwrap();
    let everywhere = SearchFilters::default();
    let found = store.search(&query("respite"), &everywhere, 0).await.unwrap();
    assert_eq!((found.total, found.hits.len()), (1, 1));
    assert!(found.hits[0].snippet.contains("\u{E001}respite\u{E002}"), "{:?}", found.hits[0].snippet);
    assert_eq!(found.hits[0].source.programme_slug, early.slug.as_str());
    assert_eq!(
        store.search(&query("nights"), &everywhere, 0).await.unwrap().total,
        0,
        "text hidden on review is not found"
    );
    assert_eq!(
        store.search(&query("Parent"), &everywhere, 0).await.unwrap().total,
        1,
        "only the note: names are hidden"
    );
    assert_eq!(store.search(&query("\"short break\""), &everywhere, 0).await.unwrap().total, 1);
    assert_eq!(store.search(&query("\"break short\""), &everywhere, 0).await.unwrap().total, 0);
    assert_eq!(store.search(&query("schemes"), &everywhere, 0).await.unwrap().total, 1, "stemmed");
    let carers = SearchFilters { participant_kind: Some(ParticipantKind::Carer), ..Default::default() };
    assert_eq!(store.search(&query("saved"), &carers, 0).await.unwrap().total, 1);
    assert_eq!(store.search(&query("café"), &carers, 0).await.unwrap().total, 0);
    let spring =
        SearchFilters { from: Some(date!(2014 - 04 - 01)), kind: Some(SourceKind::FieldNote), ..Default::default() };
    assert_eq!(store.search(&query("cafe"), &spring, 0).await.unwrap().total, 1, "diacritics ignored");
    let north = SearchFilters { attribute: Some(("ward".into(), "North".into())), ..Default::default() };
    assert_eq!(store.search(&query("saved"), &north, 0).await.unwrap().total, 1);
    let south = SearchFilters { attribute: Some(("ward".into(), "South".into())), ..Default::default() };
    assert_eq!(store.search(&query("saved"), &south, 0).await.unwrap().total, 0);
    let quoted = SearchFilters { attribute: Some(("wa\"rd'$.x".into(), "North".into())), ..Default::default() };
    assert_eq!(store.search(&query("saved"), &quoted, 0).await.unwrap().total, 0, "any attribute name is safe");
    let at_workshop =
        SearchFilters { activity_id: Some(workshop.id), programme_id: Some(early.id), ..Default::default() };
    let (listed, total) = store.sources(&at_workshop, 0).await.unwrap();
    assert_eq!((listed.len(), total), (1, 1));
    let (listed, total) =
        store.sources(&SearchFilters { programme_id: Some(early.id), ..Default::default() }, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(listed[0].id, note.id, "newest first");
    assert!(listed.iter().all(|s| !s.preview.contains("07700")));
    let audited = store.audit_events(1).await.unwrap();
    assert_eq!(audited[0].action, "source.redaction_reviewed");

    // More matches than are worth ranking: newest first, and said so.
    let mut last = 0;
    for n in 0..=heard_store::voice::sources::COUNT_LIMIT {
        let text = Screened::new(&redactor, format!("Overflowing note number {n}."));
        let many =
            NewSource { kind: SourceKind::FieldNote, title: Some(format!("Note {n}")), text, ..note_input.clone() };
        last = store.add_source(memory.id, &many, None).await.unwrap().id;
    }
    let found = store.search(&query("overflowing"), &everywhere, 0).await.unwrap();
    assert!(found.more && !found.by_relevance, "{} found", found.total);
    assert_eq!(found.hits[0].source.id, last, "newest first");
    assert!(found.hits.windows(2).all(|w| w[0].source.id > w[1].source.id));
    let few = store.search(&query("respite"), &everywhere, 0).await.unwrap();
    assert!(!few.more && few.by_relevance);

    // Sessions, through the tower-sessions trait the web layer uses.
    let sessions = store.session_store();
    let mut record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: [("user_id".to_owned(), serde_json::json!(zoe.id))].into_iter().collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    sessions.create(&mut record).await.unwrap();
    let loaded = sessions.load(&record.id).await.unwrap().expect("the session was saved");
    assert_eq!(loaded.data.get("user_id"), Some(&serde_json::json!(zoe.id)));
    record.data.insert("flash".into(), serde_json::json!("Saved"));
    sessions.save(&record).await.unwrap();
    assert_eq!(sessions.load(&record.id).await.unwrap().map(|r| r.data.len()), Some(2));
    let mut expired = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() - time::Duration::hours(1),
    };
    sessions.create(&mut expired).await.unwrap();
    assert!(sessions.load(&expired.id).await.unwrap().is_none(), "an expired session does not load");
    store.delete_expired_sessions().await.unwrap();
    assert!(sessions.load(&record.id).await.unwrap().is_some(), "a live session survives clean-up");
    sessions.delete(&record.id).await.unwrap();
    assert!(sessions.load(&record.id).await.unwrap().is_none());

    // The demo: loaded once, then left alone.
    assert_eq!(demo::load(store).await.unwrap(), DemoOutcome::Loaded);
    let before = (
        store.users().await.unwrap().len(),
        store.partners().await.unwrap().len(),
        store.programmes().await.unwrap().len(),
    );
    assert_eq!(demo::load(store).await.unwrap(), DemoOutcome::AlreadyPresent);
    let after = (
        store.users().await.unwrap().len(),
        store.partners().await.unwrap().len(),
        store.programmes().await.unwrap().len(),
    );
    assert_eq!(before, after);
    assert_eq!(store.organisation_name().await.unwrap(), "Northmoor County Council (demo)");
    for (role, address) in DEMO_ACCOUNTS {
        let user = store.user_by_email(&email(address)).await.unwrap().expect("a demo account per role");
        assert_eq!(user.role, *role);
        assert!(user.display_name.contains("demo") || user.display_name.contains("Demo"));
    }
    let admin = store.user_by_email(&email(DEMO_ACCOUNTS[0].1)).await.unwrap().unwrap();
    assert!(admin.password_hash().verify(DEMO_PASSWORD));
    let demo_slugs =
        ["early-years", "adults-with-disabilities", "dementia", "childrens-commissioning", "mental-health"];
    for slug in demo_slugs {
        assert!(store.programme(slug).await.unwrap().is_some(), "{slug}");
    }
    let adults = store.programme("adults-with-disabilities").await.unwrap().unwrap();
    assert!(!adults.partners.is_empty() && adults.lead_commissioner.is_some());
    let adult_stages = store.stages(adults.id).await.unwrap();
    assert_eq!(adult_stages[1].name, "Case for change", "the demo uses the template as it then is");
    let adult_room = store.room(adults.id).await.unwrap();
    assert!(adult_room.attendances >= 100);
    let held: Vec<_> = store.activities(adults.id).await.unwrap().iter().map(|a| a.held_on).collect();
    for day in [date!(2014 - 05 - 19), date!(2014 - 05 - 20), date!(2014 - 05 - 21)] {
        assert!(held.contains(&day), "a workshop on {day}");
    }
    for activity in store.activities(adults.id).await.unwrap() {
        assert_eq!(activity.attendance.sector_total(), activity.attendance.kind_total(), "{}", activity.title);
    }
    let demo_early = store.programme("early-years").await.unwrap().unwrap();
    for id in [demo_early.id, adults.id] {
        let people = store.participants(id).await.unwrap();
        assert!(people.len() >= 3, "demo participants in programme {id}");
        assert!(people.iter().all(|p| p.pseudonym.contains("(demo)")));
        assert!(
            people.iter().filter_map(|p| p.contact_details.as_ref()).all(|c| c.expose().starts_with("(demo)")),
            "no demo contact details look real"
        );
        assert!(people.iter().all(|p| p.consents.iter().all(|c| c.given_on.year() == 2014)));
    }
    let early_people = store.participants(demo_early.id).await.unwrap();
    assert!(early_people.iter().any(|p| p.consents.iter().any(|c| c.withdrawn_on.is_some())), "one withdrawal");
    let demo_filter = SearchFilters { programme_id: Some(demo_early.id), ..Default::default() };
    let (_, demo_total) = store.sources(&demo_filter, 0).await.unwrap();
    assert!(demo_total >= 5, "demo sources");
    let stories = SearchFilters { kind: Some(SourceKind::Story), ..demo_filter.clone() };
    let (demo_sources, _) = store.sources(&stories, 0).await.unwrap();
    let first = demo_sources.iter().find(|s| s.title == "The first weeks at home").unwrap();
    let first = store.source(demo_early.id, first.id).await.unwrap().unwrap();
    assert!(first.redacted_text.contains("[PHONE-1]") && first.redacted_text.contains("[EMAIL-1]"));
    assert!(!first.redacted_text.contains("Grandparent C (demo)"), "known names are hidden");
    let found = store.search(&SearchQuery::parse("q", "caseloads").unwrap(), &demo_filter, 0).await.unwrap();
    assert_eq!(found.total, 1);

    imports(store).await;
    story_forms(store).await;
}

fn input(participant: &heard_store::Participant) -> NewParticipant {
    NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", &participant.pseudonym).unwrap(),
        kind: participant.kind,
        age_band: participant.age_band,
        area: participant.area.clone(),
        contact_details: participant.contact_details.clone(),
    }
}

fn listening_input(activity: &heard_store::Activity) -> NewActivity {
    NewActivity {
        stage_position: activity.stage_position,
        kind: activity.kind,
        title: activity.title.clone(),
        held_on: activity.held_on,
        place: activity.place.clone(),
        facilitator: activity.facilitator.clone(),
        notes: activity.notes.clone(),
        attendance: activity.attendance.clone(),
    }
}

/// Importing sources: all rows or none, participants found or registered, attributes kept, and
/// the imported text searchable (redacted).
async fn imports(store: &Store) {
    use heard_domain::voice::import::{ColumnMapping, ImportFormat, read};
    use heard_store::voice::import::ImportOptions;

    let programme = store.programme("mental-health").await.unwrap().unwrap();
    let known = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", "Import Carer").unwrap(),
        kind: ParticipantKind::Carer,
        age_band: None,
        area: None,
        contact_details: None,
    };
    let known = store.create_participant(programme.id, &known).await.unwrap();
    let file = "text,kind,date,pseudonym,participant_kind,ward\n\
                \"The zebrafinch clinic bus never came, said Import Carer.\",story,2024-03-01,import carer,,North\n\
                The zebrafinch helpline rang and rang,interview_transcript,,New Importee,parent,South\n\
                Zebrafinch row with no participant,,2024-03-02,,,\n\
                Zebrafinch clash,story,,Import Carer,parent,\n";
    let report = read(file.as_bytes(), ImportFormat::Csv, &ColumnMapping::default(), SourceKind::FieldNote);
    assert!(report.is_clean(), "{:?}", report.problems);
    let names = vec!["New Importee".to_owned()];
    let search = |store: &Store| {
        let store = store.clone();
        async move {
            let filters = SearchFilters { programme_id: Some(programme.id), ..SearchFilters::default() };
            store.search(&SearchQuery::parse("q", "zebrafinch").unwrap(), &filters, 0).await.unwrap()
        }
    };
    let counted = std::sync::atomic::AtomicU64::new(0);
    let progress = |n: u64| counted.store(n, std::sync::atomic::Ordering::Relaxed);
    let participants_before = store.participants(programme.id).await.unwrap().len();

    // All or nothing: the clash on row 5 stops every row.
    let options = ImportOptions { names: names.clone(), ..ImportOptions::default() };
    let outcome = store.import_sources(programme.id, report.rows.clone(), &options, None, &progress).await.unwrap();
    assert!(!outcome.committed);
    assert_eq!((outcome.imported, outcome.participants_created), (0, 0));
    let [clash] = outcome.problems.as_slice() else { panic!("{:?}", outcome.problems) };
    assert_eq!((clash.row, clash.column.as_deref()), (Some(5), Some("participant kind")));
    assert!(clash.message.contains("carer") && !clash.message.contains("Import"), "{}", clash.message);
    assert_eq!(counted.load(std::sync::atomic::Ordering::Relaxed), 4, "progress counts every row");
    assert_eq!(search(store).await.total, 0, "nothing half-imported");
    assert_eq!(store.participants(programme.id).await.unwrap().len(), participants_before);

    // A dry run finds the same and writes nothing.
    let dry = ImportOptions { dry_run: true, ..options.clone() };
    let outcome = store.import_sources(programme.id, report.rows.clone(), &dry, None, &|_| {}).await.unwrap();
    assert_eq!((outcome.committed, outcome.problems.len()), (false, 1));
    assert_eq!(search(store).await.total, 0);

    // Skipping the invalid row imports the rest.
    let skip = ImportOptions { skip_invalid: true, ..options };
    let outcome = store.import_sources(programme.id, report.rows.clone(), &skip, None, &|_| {}).await.unwrap();
    assert!(outcome.committed);
    assert_eq!((outcome.imported, outcome.participants_created, outcome.problems.len()), (3, 1, 1));
    let found = search(store).await;
    assert_eq!(found.total, 3);
    let people = store.participants(programme.id).await.unwrap();
    assert_eq!(people.len(), participants_before + 1);
    let newcomer = people.iter().find(|p| p.pseudonym == "New Importee").expect("registered by the import");
    assert_eq!(newcomer.kind, ParticipantKind::Parent);
    let mut by_ward = BTreeMap::new();
    for hit in &found.hits {
        let source = store.source(programme.id, hit.source.id).await.unwrap().unwrap();
        assert!(!source.redacted_text.contains("Import Carer"), "a known name is redacted");
        assert!(!hit.snippet.contains("Import Carer"));
        by_ward.insert(source.attributes.get("ward").cloned(), source);
    }
    let north = &by_ward[&Some("North".to_owned())];
    assert_eq!(north.kind, SourceKind::Story);
    assert_eq!(north.collected_on, Some(date!(2024 - 03 - 01)));
    assert_eq!(north.participants.iter().map(|p| p.id).collect::<Vec<_>>(), [known.id], "found by pseudonym, any case");
    assert!(north.text.original().contains("Import Carer"), "the original is kept");
    let south = &by_ward[&Some("South".to_owned())];
    assert_eq!((south.kind, south.participants[0].id), (SourceKind::InterviewTranscript, newcomer.id));
    let none = &by_ward[&None];
    assert_eq!((none.kind, none.participants.len()), (SourceKind::FieldNote, 0), "the default kind");

    // No such programme.
    let missing = store.import_sources(i64::MAX, Vec::new(), &ImportOptions::default(), None, &|_| {}).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

/// Story forms: a draft edited in place, published, answered in one transaction, edited into a new
/// version while answers keep theirs, read and withdrawn by receipt, drawn by kind, and closed.
async fn story_forms(store: &Store) {
    use heard_domain::voice::forms::{AnswerValue, FormDefinition, FormStatus, ReceiptCode, StoryAnswer};
    use heard_store::NewStory;

    let early = store.programme("early-years").await.unwrap().unwrap();
    let riley = store.user_by_email(&email(DEMO_ACCOUNTS[2].1)).await.unwrap().unwrap();

    // The demo's form is published with a dozen synthetic answers.
    let demo_forms = store.story_forms(early.id).await.unwrap();
    let demo_form = demo_forms.iter().find(|f| f.definition.title.contains("(demo)")).expect("the demo's form");
    assert_eq!((demo_form.status, demo_form.answer_count), (FormStatus::Published, 12));
    let demo_stories = store.story_pattern(early.id, demo_form.id, None).await.unwrap();
    assert_eq!(demo_stories.len(), 12);
    let first = store.source(early.id, demo_stories[0].source_id).await.unwrap().unwrap();
    assert_eq!(first.kind, SourceKind::Story);
    assert!(first.text.original().contains("(demo)") && first.participants[0].pseudonym.contains("(demo)"));

    let fields = |title: &str| -> BTreeMap<String, String> {
        [
            ("title", title),
            ("prompt", "Tell us about a time when you asked for help"),
            ("signifiers[0].kind", "triad"),
            ("signifiers[0].question", "Where did help come from?"),
            ("signifiers[0].labels", "Family\nServices\nCommunity"),
            ("signifiers[1].kind", "slider"),
            ("signifiers[1].question", "How did it feel?"),
            ("signifiers[1].labels", "Alone\nSupported"),
            ("consents.research.ask", "required"),
            ("consents.anonymous_quotation.ask", "optional"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    };
    let parse = |fields: BTreeMap<String, String>| {
        FormDefinition::parse(&|name: &str| fields.get(name).cloned().unwrap_or_default()).unwrap()
    };
    let draft = store.create_story_form(early.id, &parse(fields("Asking for help (test)")), riley.id).await.unwrap();
    assert_eq!((draft.status, draft.version, draft.answer_count), (FormStatus::Draft, 1, 0));
    assert_eq!(draft.public_id.len(), 16);
    let missing = store.create_story_form(i64::MAX, &draft.definition, riley.id).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    // A draft is edited in place.
    let draft = store
        .update_story_form(early.id, draft.id, &parse(fields("Asking for help v1 (test)")), riley.id)
        .await
        .unwrap();
    assert_eq!(draft.version, 1);
    let published = store.set_story_form_status(early.id, draft.id, FormStatus::Published, riley.id).await.unwrap();
    assert!(published.published_at.is_some());
    let by_public = store.story_form_by_public_id(&published.public_id).await.unwrap().unwrap();
    assert_eq!((by_public.id, by_public.version_id), (published.id, published.version_id));
    assert!(store.story_form_by_public_id("nosuchform").await.unwrap().is_none());
    assert!(store.story_form(early.id + 1, draft.id).await.unwrap().is_none(), "another programme's");

    let redactor = Redactor::new().with_known_names(["Riley Researcher (demo)"]);
    let story = |text: &str, kind: ParticipantKind, triad: [u8; 3], code: &ReceiptCode| {
        let mut answers = BTreeMap::new();
        answers.insert("s1".to_owned(), AnswerValue::Triad(triad));
        answers.insert("s2".to_owned(), AnswerValue::Slider(30));
        NewStory {
            text: Screened::new(&redactor, text.to_owned()),
            answer: StoryAnswer {
                text: text.to_owned(),
                participant_kind: kind,
                answers,
                consents: vec![ConsentPurpose::Research, ConsentPurpose::AnonymousQuotation],
            },
            receipt_hash: code.hash(),
            today: date!(2015 - 06 - 01),
            pseudonym_suffix: None,
        }
    };
    let parent_code = ReceiptCode::generate();
    let parent_story = store
        .submit_story(
            published.id,
            published.version_id,
            &story(
                "The waiting list was a kerfuffle; call 07700 900123 (test).",
                ParticipantKind::Parent,
                [60, 30, 10],
                &parent_code,
            ),
        )
        .await
        .unwrap();
    let source = store.source(early.id, parent_story).await.unwrap().unwrap();
    assert_eq!(source.kind, SourceKind::Story);
    assert!(source.redacted_text.contains("[PHONE-1]"));
    assert_eq!(source.attributes["Where did help come from?"], "Family 60, Services 30, Community 10");
    assert_eq!(source.attributes["Story form version"], "1");
    let contributor = &source.participants[0];
    assert!(contributor.pseudonym.starts_with("Contributor "));
    assert_eq!(contributor.kind, ParticipantKind::Parent);
    assert_eq!(contributor.current_consents, [ConsentPurpose::Research, ConsentPurpose::AnonymousQuotation]);
    let participant = store.participant(early.id, contributor.id).await.unwrap().unwrap();
    assert!(participant.consents.iter().all(|c| c.how == ConsentMethod::OnlineForm && c.recorded_by.is_none()));

    // A reused receipt hash fails whole: no participant, source or answer is left behind.
    let participants_before = store.participants(early.id).await.unwrap().len();
    let filter = SearchFilters { programme_id: Some(early.id), ..Default::default() };
    let sources_before = store.sources(&filter, 0).await.unwrap().1;
    let again = store
        .submit_story(
            published.id,
            published.version_id,
            &story("Again (test)", ParticipantKind::Carer, [0, 0, 100], &parent_code),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate { field: "receipt" })), "{again:?}");
    assert_eq!(store.participants(early.id).await.unwrap().len(), participants_before);
    assert_eq!(store.sources(&filter, 0).await.unwrap().1, sources_before);

    // Editing a published form makes version 2; the first answer keeps version 1.
    let v2 = store
        .update_story_form(early.id, published.id, &parse(fields("Asking for help v2 (test)")), riley.id)
        .await
        .unwrap();
    assert_eq!((v2.version, v2.status), (2, FormStatus::Published));
    assert_ne!(v2.version_id, published.version_id);
    let stale = store
        .submit_story(
            published.id,
            published.version_id,
            &story("Stale (test)", ParticipantKind::Carer, [0, 0, 100], &ReceiptCode::generate()),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Invalid(_))), "{stale:?}");
    let carer_code = ReceiptCode::generate();
    let carer_story = store
        .submit_story(
            v2.id,
            v2.version_id,
            &story("The drop-in group helped (test).", ParticipantKind::Carer, [0, 20, 80], &carer_code),
        )
        .await
        .unwrap();
    let all = store.story_pattern(early.id, v2.id, None).await.unwrap();
    let versions: Vec<(i64, i64)> = all.iter().map(|s| (s.source_id, s.version)).collect();
    assert_eq!(versions, [(parent_story, 1), (carer_story, 2)]);
    let carers = store.story_pattern(early.id, v2.id, Some(ParticipantKind::Carer)).await.unwrap();
    assert_eq!(carers.iter().map(|s| s.source_id).collect::<Vec<_>>(), [carer_story]);
    assert_eq!(carers[0].answers["s1"], AnswerValue::Triad([0, 20, 80]));

    // The receipt shows the redacted text and the answers as asked.
    let receipt = store.story_by_receipt(&parent_code).await.unwrap().unwrap();
    assert_eq!((receipt.version, receipt.form_title.as_str()), (1, "Asking for help v1 (test)"));
    assert!(receipt.redacted_text.contains("[PHONE-1]") && !receipt.redacted_text.contains("07700"));
    assert!(receipt.answers.contains(&("How did it feel?".to_owned(), "30 (0 is Alone, 100 is Supported)".to_owned())));
    assert!(store.story_by_receipt(&ReceiptCode::generate()).await.unwrap().is_none());

    // Withdrawal deletes the source and its search entry, and withdraws every consent.
    let waiting = SearchQuery::parse("q", "kerfuffle").unwrap();
    assert_eq!(store.search(&waiting, &filter, 0).await.unwrap().total, 1);
    store.withdraw_story(&parent_code, date!(2015 - 06 - 02)).await.unwrap();
    assert!(store.source(early.id, parent_story).await.unwrap().is_none());
    assert_eq!(store.search(&waiting, &filter, 0).await.unwrap().total, 0);
    assert!(store.story_by_receipt(&parent_code).await.unwrap().is_none());
    let participant = store.participant(early.id, contributor.id).await.unwrap().unwrap();
    assert!(participant.current_consents.is_empty());
    assert!(participant.consents.iter().all(|c| c.withdrawn_on == Some(date!(2015 - 06 - 02))));
    let gone = store.withdraw_story(&parent_code, date!(2015 - 06 - 02)).await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");
    assert_eq!(store.story_form(early.id, v2.id).await.unwrap().unwrap().answer_count, 1);

    // A closed form takes no more stories.
    store.set_story_form_status(early.id, v2.id, FormStatus::Closed, riley.id).await.unwrap();
    let closed = store
        .submit_story(
            v2.id,
            v2.version_id,
            &story("Late (test)", ParticipantKind::Carer, [0, 0, 100], &ReceiptCode::generate()),
        )
        .await;
    assert!(matches!(closed, Err(StoreError::Invalid(_))), "{closed:?}");
}

/// The demo film on each backend: loaded once however often it is asked for, its recording kept by
/// address and known to be in use, so a failed upload of the same recording leaves it in place.
#[tokio::test]
async fn the_demo_film_and_its_recording_on_both_backends() {
    use heard_store::media::{DEMO_FILM_TITLE, FsMediaStore, MediaStore, discard_unused, load_demo_film};
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        let folder = tempfile::tempdir().unwrap();
        let media = FsMediaStore::open(folder.path().join("media")).unwrap();
        demo::load(&store).await.unwrap();
        load_demo_film(&store, &media).await.unwrap();
        load_demo_film(&store, &media).await.unwrap();
        let programme = store.programme("adults-with-disabilities").await.unwrap().unwrap();
        let filters =
            SearchFilters { programme_id: Some(programme.id), kind: Some(SourceKind::Film), ..Default::default() };
        let (films, total) = store.sources(&filters, 0).await.unwrap();
        assert_eq!(total, 1, "{backend:?}: loaded once");
        assert_eq!(films[0].title, DEMO_FILM_TITLE);
        assert!(films[0].has_media);
        let film = store.source(programme.id, films[0].id).await.unwrap().unwrap();
        assert_eq!(film.cue_timings.as_ref().map(Vec::len), Some(6), "{backend:?}");
        assert_eq!(film.text.original().lines().count(), 6);
        assert!(film.consented_to(ConsentPurpose::Filming), "{backend:?}: the participant heard consents to filming");
        let address = film.media.unwrap().address;
        assert!(store.media_in_use(&address).await.unwrap(), "{backend:?}");
        assert!(!store.media_in_use(&"0".repeat(64)).await.unwrap(), "{backend:?}");
        discard_unused(&store, &media, &address).await;
        assert!(media.size(&address).await.is_ok(), "{backend:?}: a recording in use stays");
    }
}

/// Coding on both backends: a codebook with a hierarchy, two coders on one source, a redaction
/// review that makes a new text version and carries the codings across, merge and split with
/// history, memos, an insight with its breadth and consent-filtered quotes, the gaps, matrices,
/// agreement, suggestions and a theme made a code.
#[tokio::test]
async fn coding_on_both_backends() {
    use heard_domain::coding::codebook::{CodeInput, MemoTarget, Stance};
    use heard_store::coding::Attribute;
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let researcher = store.user_by_email(&email(DEMO_ACCOUNTS[2].1)).await.unwrap().unwrap();
        let hash = Password::new("password", "a long enough password").unwrap().hash();
        let second = NewUser {
            email: email("second.coder@test.example"),
            display_name: "Second Coder (test)".into(),
            role: Role::Researcher,
            password_hash: hash,
        };
        let second = store.create_user(&second).await.unwrap();
        let programme = store.programme("dementia").await.unwrap().unwrap();
        let today = date!(2026 - 11 - 26);

        // Participants: a carer who consents to quotation, a practitioner who does not.
        let carer = NewParticipant {
            pseudonym: Pseudonym::parse("pseudonym", "Coding Carer").unwrap(),
            kind: ParticipantKind::Carer,
            age_band: Some(AgeBand::From50To64),
            area: Some("Riverside".into()),
            contact_details: None,
        };
        let carer = store.create_participant(programme.id, &carer).await.unwrap();
        let worker = NewParticipant {
            pseudonym: Pseudonym::parse("pseudonym", "Coding Worker").unwrap(),
            kind: ParticipantKind::Practitioner,
            ..input(&carer)
        };
        let worker = store.create_participant(programme.id, &worker).await.unwrap();
        for (who, purpose) in [
            (carer.id, ConsentPurpose::Research),
            (carer.id, ConsentPurpose::AnonymousQuotation),
            (worker.id, ConsentPurpose::Research),
        ] {
            let consent = NewConsent { purpose, given_on: today, how: ConsentMethod::Written, note: String::new() };
            store.record_consent(programme.id, who, &consent, researcher.id, today).await.unwrap();
        }
        let redactor = Redactor::new();
        let text =
            "We waited eleven weeks for respite. Ring 07700 900123 if the café 🙂 has room. The respite was good.";
        let source = |participant: i64, words: &str| NewSource {
            kind: SourceKind::Story,
            title: None,
            text: Screened::new(&redactor, words.to_owned()),
            collected_on: Some(date!(2024 - 05 - 01)),
            activity_id: None,
            participant_ids: vec![participant],
            attributes: BTreeMap::new(),
            media: None,
            cue_timings: None,
        };
        let story = store.add_source(programme.id, &source(carer.id, text), Some(researcher.id)).await.unwrap();
        let other = store
            .add_source(programme.id, &source(worker.id, "Respite beds are scarce on the ward."), None)
            .await
            .unwrap();
        let spare =
            store.add_source(programme.id, &source(worker.id, "The day centre closed at noon."), None).await.unwrap();

        // The codebook: a parent and a child; a name clash under one parent is refused.
        let code = |name: &str, parent: Option<i64>| CodeInput {
            name: name.into(),
            description: None,
            colour: None,
            parent_id: parent,
        };
        let waiting = store.add_code(Some(programme.id), &code("Waiting (test)", None), researcher.id).await.unwrap();
        let respite =
            store.add_code(Some(programme.id), &code("Respite (test)", Some(waiting)), researcher.id).await.unwrap();
        let clash = store.add_code(Some(programme.id), &code("respite  (TEST)", Some(waiting)), researcher.id).await;
        assert!(matches!(clash, Err(StoreError::Duplicate { field: "name" })), "{backend:?}: {clash:?}");
        let cycle = store.edit_code(programme.id, waiting, &code("Waiting (test)", Some(respite)), researcher.id).await;
        assert!(matches!(cycle, Err(StoreError::Invalid(_))), "{backend:?}: a code cannot sit beneath its child");
        let book = store.codebook(Some(programme.id)).await.unwrap();
        let child = book.iter().find(|c| c.id == respite).unwrap();
        assert_eq!((child.depth, child.parent_id), (1, Some(waiting)));
        let shared = store.add_code(None, &code("Shared (test)", None), researcher.id).await.unwrap();
        assert!(
            store.codebook(Some(programme.id)).await.unwrap().iter().any(|c| c.id == shared),
            "the organisation's codes are every programme's"
        );
        let place = store.add_code(Some(programme.id), &code("Place (test)", None), second.id).await.unwrap();

        // Coding by character offsets; a span outside the text is refused and nothing stored.
        let chars = text.chars().count();
        let outside = store.code_span(programme.id, story.id, (5, chars + 1), &[waiting], researcher.id).await;
        assert!(
            matches!(&outside, Err(StoreError::Invalid(i)) if i.message_for("end").is_some()),
            "{backend:?}: {outside:?}"
        );
        let redacted: String = store.source(programme.id, story.id).await.unwrap().unwrap().redacted_text;
        let find = |words: &str| {
            let at = redacted.find(words).unwrap();
            let start = redacted[..at].chars().count();
            (start, start + words.chars().count())
        };
        let eleven = find("eleven weeks");
        let first = store.code_span(programme.id, story.id, eleven, &[waiting], researcher.id).await.unwrap();
        let again = store.code_span(programme.id, story.id, eleven, &[waiting], second.id).await.unwrap();
        assert_eq!(first, again, "{backend:?}: coders share the excerpt");
        let good = find("The respite was good.");
        store.code_span(programme.id, story.id, good, &[respite], researcher.id).await.unwrap();
        let emoji = find("café 🙂");
        let cafe = store.code_span(programme.id, story.id, emoji, &[place], second.id).await.unwrap();
        let ward = store.code_span(programme.id, other.id, (0, 13), &[respite, waiting], second.id).await.unwrap();
        let excerpts = store.source_excerpts(programme.id, story.id).await.unwrap();
        assert_eq!(
            excerpts.iter().map(|e| e.quote.as_str()).collect::<Vec<_>>(),
            ["eleven weeks", "café 🙂", "The respite was good."]
        );
        assert_eq!(excerpts[0].codings.len(), 2, "{backend:?}: one coding per coder");
        assert!(excerpts.iter().all(|e| e.current));

        // A redaction review changes the coded text: a new version, excerpts carried across.
        let before = store.source(programme.id, story.id).await.unwrap().unwrap();
        let hidden = before.text.original().find("eleven").unwrap();
        let span = Span {
            start: before.text.original()[..hidden].chars().count(),
            end: before.text.original()[..hidden].chars().count() + 6,
            kind: PiiKind::Person,
        };
        store.review_span(programme.id, story.id, span, ReviewDecision::Added, researcher.id).await.unwrap();
        let after = store.source_excerpts(programme.id, story.id).await.unwrap();
        let by_quote = |q: &str| after.iter().find(|e| e.quote == q).unwrap().clone();
        assert!(!by_quote("eleven weeks").current, "{backend:?}: the words under the excerpt changed");
        let moved = by_quote("The respite was good.");
        assert!(moved.current);
        let new_text = store.source(programme.id, story.id).await.unwrap().unwrap().redacted_text;
        assert_eq!(
            new_text.chars().skip(moved.start).take(moved.end - moved.start).collect::<String>(),
            "The respite was good."
        );

        // Memos on a source, a code and an excerpt.
        store.add_memo(programme.id, MemoTarget::Source, story.id, "Long waits again.", researcher.id).await.unwrap();
        store
            .add_memo(programme.id, MemoTarget::Code, respite, "Short breaks for carers.", researcher.id)
            .await
            .unwrap();
        store.add_memo(programme.id, MemoTarget::Excerpt, cafe, "Place, not person.", second.id).await.unwrap();
        assert_eq!(store.memos(programme.id, Some((MemoTarget::Code, respite))).await.unwrap().len(), 1);
        assert!(matches!(
            store.add_memo(programme.id, MemoTarget::Source, i64::MAX, "x", researcher.id).await,
            Err(StoreError::NotFound)
        ));

        // An insight: breadth from supporting evidence; quotes only where consent allows.
        let insight =
            store.add_insight(programme.id, "Carers wait too long for respite.", researcher.id).await.unwrap();
        store.attach_evidence(programme.id, insight, moved.id, Stance::Supports, researcher.id).await.unwrap();
        store.attach_evidence(programme.id, insight, ward, Stance::Contradicts, researcher.id).await.unwrap();
        let read = store.insight(programme.id, insight).await.unwrap().unwrap();
        assert_eq!((read.breadth.participants, read.breadth.sources), (1, 1));
        assert_eq!(read.breadth.by_kind, [(ParticipantKind::Carer, 1)]);
        let quotable: Vec<bool> = read.evidence.iter().map(|e| e.quotable).collect();
        assert_eq!(
            quotable,
            [true, false],
            "{backend:?}: supports first; the practitioner did not consent to quotation"
        );
        let list = store.insights(programme.id).await.unwrap();
        let summary = list.iter().find(|i| i.id == insight).unwrap();
        assert_eq!((summary.supporting, summary.contradicting, summary.participants), (1, 1, 1));

        // Who have we not heard: carers and practitioners are in the coded evidence, parents not.
        let gaps = store.gaps(programme.id).await.unwrap();
        let kind = |code: &str| gaps.iter().find(|g| g.attribute == "kind" && g.value == code).unwrap().clone();
        assert!(kind("carer").coded >= 1 && !kind("carer").thin);
        assert!(kind("young_person").thin);

        // Matrices and agreement.
        let matrix = store.co_occurrence(programme.id).await.unwrap();
        let cell = |a: i64, b: i64| matrix.cells.iter().find(|c| (c.0, c.1) == (a.min(b), a.max(b))).map(|c| c.2);
        assert_eq!(cell(respite, waiting), Some(1), "{backend:?}: both codes on the ward excerpt");
        assert_eq!(store.co_occurrence_excerpts(programme.id, waiting, respite).await.unwrap(), [ward]);
        let by_kind = store.attribute_matrix(programme.id, Attribute::Kind).await.unwrap();
        assert!(by_kind.cells.contains(&(respite, "practitioner".to_owned(), 1)), "{:?}", by_kind.cells);
        assert_eq!(
            store.attribute_excerpts(programme.id, Attribute::Kind, respite, "practitioner").await.unwrap(),
            [ward]
        );
        let agreement = store.agreement(programme.id).await.unwrap();
        assert!(agreement.sources.contains(&story.id), "{backend:?}: two coders coded the story");
        assert!(!agreement.disagreements.is_empty());

        // Merge: codings move, history kept; split moves the chosen codings to a new code.
        let refused = store.merge_codes(programme.id, shared, respite, researcher.id).await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))), "{backend:?}: other programmes' codings would move");
        let moved_n = store.merge_codes(programme.id, place, respite, researcher.id).await.unwrap();
        assert_eq!(moved_n, 1);
        assert!(!store.codebook(Some(programme.id)).await.unwrap().iter().any(|c| c.id == place));
        let events = store.code_events(place).await.unwrap();
        assert_eq!(events.last().map(|e| e.kind.as_str()), Some("merged_into"));
        let coding_ids: Vec<i64> = store
            .source_excerpts(programme.id, story.id)
            .await
            .unwrap()
            .iter()
            .flat_map(|e| e.codings.iter().filter(|c| c.code_id == respite).map(|c| c.id))
            .collect();
        let split = store
            .split_code(
                programme.id,
                respite,
                &code("Respite quality (test)", Some(waiting)),
                &coding_ids[..1],
                researcher.id,
            )
            .await
            .unwrap();
        assert_eq!(store.code_excerpts(programme.id, split).await.unwrap().len(), 1);

        // Suggestions: accepted ones become assisted codings of the whole source.
        let uncoded = store.uncoded_sources(programme.id).await.unwrap();
        assert!(!uncoded.iter().any(|u| u.source_id == story.id));
        assert!(uncoded.iter().any(|u| u.source_id == spare.id));
        let target = spare.id;
        store.replace_suggestions(programme.id, &[(target, waiting, 0.9), (target, respite, 0.4)]).await.unwrap();
        let pending = store.suggestions(programme.id).await.unwrap();
        assert_eq!(pending.iter().map(|s| s.code_id).collect::<Vec<_>>(), [waiting, respite]);
        assert_eq!(store.decide_suggestions(programme.id, &[pending[0].id], true, researcher.id).await.unwrap(), 1);
        assert_eq!(store.decide_suggestions(programme.id, &[pending[1].id], false, researcher.id).await.unwrap(), 1);
        let accepted = store.source_excerpts(programme.id, target).await.unwrap();
        assert!(accepted[0].codings[0].assisted && accepted[0].start == 0);
        store.replace_suggestions(programme.id, &[(target, respite, 0.5)]).await.unwrap();
        assert!(
            store.suggestions(programme.id).await.unwrap().is_empty(),
            "{backend:?}: a rejected suggestion is not made again"
        );

        // A theme becomes a code applied to its sources.
        let theme = heard_store::coding::NewTheme {
            top_terms: vec!["beds".into()],
            member_ids: vec![other.id],
            representative_ids: vec![other.id],
        };
        store.save_theme_run(programme.id, 7, 1, &[theme], researcher.id).await.unwrap();
        let run = store.latest_theme_run(programme.id).await.unwrap().unwrap();
        assert_eq!((run.themes[0].size, run.themes[0].representatives[0].source_id), (1, other.id));
        let made = store
            .theme_to_code(programme.id, run.themes[0].id, &code("Beds (test)", None), researcher.id)
            .await
            .unwrap();
        assert_eq!(store.code_excerpts(programme.id, made).await.unwrap().len(), 1);
        let twice =
            store.theme_to_code(programme.id, run.themes[0].id, &code("Beds again (test)", None), researcher.id).await;
        assert!(matches!(twice, Err(StoreError::Invalid(_))));

        // Taking back a coding: only the coder's own.
        let theirs = store.source_excerpts(programme.id, other.id).await.unwrap()[0]
            .codings
            .iter()
            .find(|c| c.coder.as_ref().map(|u| u.id) == Some(second.id))
            .unwrap()
            .id;
        assert!(matches!(store.remove_coding(programme.id, theirs, researcher.id).await, Err(StoreError::NotFound)));
        store.remove_coding(programme.id, theirs, second.id).await.unwrap();
    }
}

#[tokio::test]
async fn refi_exchange_on_both_backends() {
    use heard_domain::coding::codebook::{CodeInput, MemoTarget};
    use heard_domain::coding::refi::Codebook;
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let researcher = store.user_by_email(&email(DEMO_ACCOUNTS[2].1)).await.unwrap().unwrap();
        let programme = store.programme("dementia").await.unwrap().unwrap();
        let carer = NewParticipant {
            pseudonym: Pseudonym::parse("pseudonym", "Exchange Carer").unwrap(),
            kind: ParticipantKind::Carer,
            age_band: Some(AgeBand::From50To64),
            area: Some("Riverside".into()),
            contact_details: None,
        };
        let carer = store.create_participant(programme.id, &carer).await.unwrap();
        let consent = NewConsent {
            purpose: ConsentPurpose::Research,
            given_on: date!(2024 - 05 - 01),
            how: ConsentMethod::Written,
            note: String::new(),
        };
        store.record_consent(programme.id, carer.id, &consent, researcher.id, date!(2024 - 05 - 02)).await.unwrap();
        let text = "Call 07700 900123 about the café 🙂 — the respite bed was good.";
        let new = NewSource {
            kind: SourceKind::InterviewTranscript,
            title: Some("Exchange interview (test)".into()),
            text: Screened::new(&Redactor::new(), text.to_owned()),
            collected_on: Some(date!(2024 - 05 - 01)),
            activity_id: None,
            participant_ids: vec![carer.id],
            attributes: BTreeMap::new(),
            media: None,
            cue_timings: None,
        };
        let source = store.add_source(programme.id, &new, Some(researcher.id)).await.unwrap();
        assert!(source.redacted_text.contains("[PHONE-1]"), "{backend:?}: {}", source.redacted_text);
        let code =
            |name: &str, parent| CodeInput { name: name.into(), description: None, colour: None, parent_id: parent };
        let care = store.add_code(Some(programme.id), &code("Care (exchange)", None), researcher.id).await.unwrap();
        let respite =
            store.add_code(Some(programme.id), &code("Respite (exchange)", Some(care)), researcher.id).await.unwrap();
        let chars = |needle: &str| {
            let at = source.redacted_text.find(needle).unwrap();
            let start = source.redacted_text[..at].chars().count();
            (start, start + needle.chars().count())
        };
        let bed = store
            .code_span(programme.id, source.id, chars("the respite bed was good"), &[respite], researcher.id)
            .await
            .unwrap();
        store
            .add_memo(programme.id, MemoTarget::Excerpt, bed, "Warm about respite (test)", researcher.id)
            .await
            .unwrap();

        // Redacted: placeholders only; the detector leaves them alone on the way back in.
        let export = store.export_project(programme.id, None).await.unwrap();
        assert!(export.project.sources.iter().all(|s| !s.text.contains("07700")), "{backend:?}");
        let again = store.export_project(programme.id, None).await.unwrap();
        assert_eq!(export, again, "{backend:?}: the same data exports the same project");

        let target = store
            .create_programme(&NewProgramme {
                slug: Slug::parse("slug", "exchange-target").unwrap(),
                name: "Exchange target (test)".into(),
                aim: "Round trips".into(),
                status: ProgrammeStatus::Active,
                lead_commissioner_id: None,
                partner_ids: vec![],
            })
            .await
            .unwrap();
        let report = store.import_project(target.id, &export.project, researcher.id).await.unwrap();
        assert!(report.problems.is_empty(), "{backend:?}: {:?}", report.problems);
        assert_eq!(report.codings.created, 1, "{backend:?}: {report:?}");
        assert_eq!(report.memos.created, 1);
        assert!(report.participants.created >= 1);
        let back = store.export_project(target.id, None).await.unwrap().project;
        let coded: Vec<String> = back
            .sources
            .iter()
            .flat_map(|s| s.excerpts.iter().map(|e| s.text.chars().skip(e.start).take(e.end - e.start).collect()))
            .collect();
        assert!(coded.contains(&"the respite bed was good".to_owned()), "{backend:?}: {coded:?}");
        // Importing again reuses everything.
        let twice = store.import_project(target.id, &export.project, researcher.id).await.unwrap();
        assert_eq!((twice.sources.created, twice.codings.created, twice.memos.created), (0, 0, 0), "{backend:?}");

        // Originals: placed in the original text, audited; an excerpt over hidden data refuses it.
        let originals = store.export_project(programme.id, Some(researcher.id)).await.unwrap();
        assert!(originals.project.sources.iter().any(|s| s.text.contains("07700 900123")), "{backend:?}");
        let events = store.audit_events(5).await.unwrap();
        assert!(events.iter().any(|e| e.action == "project.exported_with_originals"), "{backend:?}");
        store.code_span(programme.id, source.id, chars("Call [PHONE-1]"), &[care], researcher.id).await.unwrap();
        let refused = store.export_project(programme.id, Some(researcher.id)).await;
        assert!(matches!(refused, Err(StoreError::Invalid(_))), "{backend:?}: {refused:?}");

        // A codebook alone: names under the same parent are reused.
        let codebook: Codebook = store.export_codebook(programme.id).await.unwrap();
        let report = store.import_codebook(target.id, &codebook, researcher.id).await.unwrap();
        assert_eq!(report.codes.created, 0, "{backend:?}: {report:?}");
        assert!(report.codes.reused >= 2);
    }
}

/// A correction of a coded source's text: a new version; excerpts and redaction reviews move with
/// their words where unchanged; a film cannot be corrected this way.
#[tokio::test]
async fn a_corrected_text_carries_its_codings_and_reviews() {
    use heard_domain::coding::codebook::CodeInput;
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let researcher = store.user_by_email(&email(DEMO_ACCOUNTS[2].1)).await.unwrap().unwrap();
        let programme = store.programme("dementia").await.unwrap().unwrap();
        let redactor = Redactor::new();
        let text = "The respite was good. Ring 07700 900123. The bus was late and the bus was full.";
        let new = NewSource {
            kind: SourceKind::Story,
            title: None,
            text: Screened::new(&redactor, text.to_owned()),
            collected_on: None,
            activity_id: None,
            participant_ids: Vec::new(),
            attributes: BTreeMap::new(),
            media: None,
            cue_timings: None,
        };
        let source = store.add_source(programme.id, &new, Some(researcher.id)).await.unwrap();
        let hide = Span { start: 0, end: 3, kind: PiiKind::Person };
        store.review_span(programme.id, source.id, hide, ReviewDecision::Added, researcher.id).await.unwrap();
        let code = CodeInput { name: "Respite (test)".into(), description: None, colour: None, parent_id: None };
        let code = store.add_code(Some(programme.id), &code, researcher.id).await.unwrap();
        let redacted = store.source(programme.id, source.id).await.unwrap().unwrap().redacted_text;
        let place = |words: &str| {
            let at = redacted.find(words).unwrap();
            let start = redacted[..at].chars().count();
            (start, start + words.chars().count())
        };
        store.code_span(programme.id, source.id, place("respite was good"), &[code], researcher.id).await.unwrap();
        store.code_span(programme.id, source.id, place("bus was late"), &[code], researcher.id).await.unwrap();

        let corrected = "The respite was good. Ring 07700 900123. The bus was very late and the bus was full.";
        let done = store
            .correct_source_text(
                programme.id,
                source.id,
                &Screened::new(&redactor, corrected.to_owned()),
                researcher.id,
            )
            .await
            .unwrap();
        assert_eq!((done.excerpts_carried, done.excerpts_to_place), (1, 1), "{backend:?}");
        assert_eq!((done.reviews_kept, done.reviews_dropped), (1, 0));
        let after = store.source(programme.id, source.id).await.unwrap().unwrap();
        assert!(after.text.original().contains("very late"));
        assert!(
            after.redacted_text.starts_with("[NAME-1] respite"),
            "the review moved with its words: {}",
            after.redacted_text
        );
        assert!(!after.redacted_text.contains("900123"), "screened anew");
        let excerpts = store.source_excerpts(programme.id, source.id).await.unwrap();
        let kept = excerpts.iter().find(|e| e.quote == "respite was good").unwrap();
        assert!(kept.current);
        assert_eq!(
            after.redacted_text.chars().skip(kept.start).take(kept.end - kept.start).collect::<String>(),
            "respite was good"
        );
        assert!(!excerpts.iter().find(|e| e.quote == "bus was late").unwrap().current);
        let events = store.audit_events(10).await.unwrap();
        assert!(events.iter().any(|e| e.action == "source.text_corrected"), "{backend:?}");
    }
}
