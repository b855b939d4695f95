//! Data protection on both backends: a withdrawn consent to research erases a participant's words
//! from every table, the search index, the media store and (SQLite) every byte of the database file
//! and its WAL, or (PostgreSQL) every table, VACUUMed; a withdrawn consent to quotation or filming
//! takes only what it allowed; retention rules erase originals or whole sources past their period.

use std::path::Path;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::coding::codebook::{CodeInput, Stance};
use heard_domain::protection::{ErasureReason, RetentionErase, RetentionRule};
use heard_domain::voice::participants::{ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym};
use heard_domain::voice::sources::{SearchQuery, SourceKind};
use heard_store::media::{FsMediaStore, MediaStore};
use heard_store::protection::finish_erasures;

use heard_store::{Media, NewConsent, NewParticipant, NewSource, SearchFilters, Store, StoreError};
use heard_testkit::TestBackend;
use time::Date;
use time::macros::date;

use super::{DEMO_ACCOUNTS, demo, email};

/// Planted in one participant's words; must be found nowhere after they withdraw.
const PHRASE: &str = "counted marzipan tortoises beside the lock";
/// Another participant's words, which must survive: the check would find them if they were there.
const CONTROL: &str = "the ferry timetable puzzled everyone";
const TODAY: Date = date!(2014 - 06 - 02);

/// A store on `backend` whose files the test can read: SQLite in a folder of its own, and for
/// PostgreSQL the database's URL.
struct Opened {
    store: Store,
    folder: tempfile::TempDir,
    postgres_url: Option<String>,
}

async fn open(backend: TestBackend) -> Opened {
    let folder = tempfile::Builder::new().prefix("heard-protection-").tempdir().unwrap();
    let (store, postgres_url) = match backend {
        TestBackend::Sqlite => (Store::open_sqlite_file(&folder.path().join("heard.db")).await.unwrap(), None),
        TestBackend::Postgres => {
            let url = heard_testkit::fresh_postgres_url().await;
            (Store::connect(&url).await.unwrap(), Some(url))
        }
    };
    store.migrate().await.unwrap();
    demo::load(&store).await.unwrap();
    Opened { store, folder, postgres_url }
}

fn source(redactor: &Redactor, kind: SourceKind, text: &str, collected_on: Date, heard: &[i64]) -> NewSource {
    NewSource {
        kind,
        title: None,
        text: Screened::new(redactor, text.into()),
        collected_on: Some(collected_on),
        activity_id: None,
        participant_ids: heard.to_vec(),
        attributes: Default::default(),
        media: None,
        cue_timings: None,
    }
}

async fn participant(store: &Store, programme_id: i64, name: &str, purposes: &[ConsentPurpose], by: i64) -> i64 {
    let new = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", name).unwrap(),
        kind: ParticipantKind::Parent,
        age_band: None,
        area: None,
        contact_details: ContactDetails::parse("contact_details", "01632 960 777").unwrap(),
    };
    let id = store.create_participant(programme_id, &new).await.unwrap().id;
    for &purpose in purposes {
        let consent =
            NewConsent { purpose, given_on: date!(2014 - 03 - 01), how: ConsentMethod::Written, note: String::new() };
        store.record_consent(programme_id, id, &consent, by, TODAY).await.unwrap();
    }
    id
}

fn query(raw: &str) -> SearchQuery {
    SearchQuery::parse("q", raw).unwrap()
}

/// The character span of `words` in `text`.
fn span_of(text: &str, words: &str) -> (usize, usize) {
    let start = text[..text.find(words).unwrap()].chars().count();
    (start, start + words.chars().count())
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Every file under `folder`, read whole, with its path.
fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

#[tokio::test]
async fn withdrawing_consent_to_research_erases_every_byte_on_sqlite() {
    withdrawal(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn withdrawing_consent_to_research_erases_every_row_on_postgres() {
    withdrawal(TestBackend::Postgres).await;
}

async fn withdrawal(backend: TestBackend) {
    let opened = open(backend).await;
    let store = &opened.store;
    let media = FsMediaStore::open(opened.folder.path().join("media")).unwrap();
    let researcher = store.user_by_email(&email(DEMO_ACCOUNTS[2].1)).await.unwrap().unwrap().id;
    let programme = store.programme("early-years").await.unwrap().unwrap().id;
    let redactor = Redactor::new();
    use ConsentPurpose::*;

    let withdrawer =
        participant(store, programme, "Withdrawer (test)", &[Research, AnonymousQuotation, Filming], researcher).await;
    let stayer = participant(store, programme, "Stayer (test)", &[Research, AnonymousQuotation], researcher).await;
    let filmed = participant(store, programme, "Filmed (test)", &[Research, Filming], researcher).await;

    // The withdrawer's story, and a recording of them whose transcript and bytes hold the phrase.
    let story_text = format!("On the towpath we {PHRASE} and waited for the nursery to open.");
    let story = store
        .add_source(programme, &source(&redactor, SourceKind::Story, &story_text, TODAY, &[withdrawer]), None)
        .await
        .unwrap();
    let recording = format!("RIFF(test recording) {PHRASE}");
    let stored = media.put(&mut recording.as_bytes(), 1 << 20).await.unwrap();
    let mut film = source(&redactor, SourceKind::Film, &format!("Speaker: we {PHRASE}"), TODAY, &[withdrawer]);
    film.media =
        Some(Media { address: stored.address.clone(), media_type: "audio/wav".into(), bytes: stored.bytes as i64 });
    film.cue_timings = Some(vec![(0, 1_000)]);
    let film = store.add_source(programme, &film, Some(researcher)).await.unwrap();
    let other_text = format!("At the stop {CONTROL} on the first morning.");
    let other = store
        .add_source(programme, &source(&redactor, SourceKind::Story, &other_text, TODAY, &[stayer]), None)
        .await
        .unwrap();
    let other_recording = "RIFF(test recording) the allotment at dawn";
    let other_stored = media.put(&mut other_recording.as_bytes(), 1 << 20).await.unwrap();
    let mut other_film = source(&redactor, SourceKind::Film, "Speaker: the allotment at dawn", TODAY, &[filmed]);
    other_film.media = Some(Media {
        address: other_stored.address.clone(),
        media_type: "audio/wav".into(),
        bytes: other_stored.bytes as i64,
    });
    other_film.cue_timings = Some(vec![(0, 1_000)]);
    let other_film = store.add_source(programme, &other_film, Some(researcher)).await.unwrap();

    // Coded, quoted in an insight, and quoted beside it from the stayer.
    let code = store
        .add_code(
            Some(programme),
            &CodeInput { name: "Waiting (test)".into(), description: None, colour: None, parent_id: None },
            researcher,
        )
        .await
        .unwrap();
    let excerpt =
        store.code_span(programme, story.id, span_of(&story.redacted_text, PHRASE), &[code], researcher).await.unwrap();
    let film_excerpt =
        store.code_span(programme, film.id, span_of(&film.redacted_text, PHRASE), &[code], researcher).await.unwrap();
    let other_excerpt = store
        .code_span(programme, other.id, span_of(&other.redacted_text, CONTROL), &[code], researcher)
        .await
        .unwrap();
    let insight = store.add_insight(programme, "Families wait in the open (test)", researcher).await.unwrap();
    for excerpt in [excerpt, film_excerpt, other_excerpt] {
        store.attach_evidence(programme, insight, excerpt, Stance::Supports, researcher).await.unwrap();
    }
    let everywhere = SearchFilters::default();
    assert_eq!(store.search(&query("marzipan"), &everywhere, 0).await.unwrap().total, 2);

    // Quotation withdrawn by the stayer: nothing erased, their quote no longer consented.
    store.withdraw_consent(programme, stayer, AnonymousQuotation, TODAY, researcher, TODAY).await.unwrap();
    let kept = store.source(programme, other.id).await.unwrap().unwrap();
    assert!(!kept.consented_to(AnonymousQuotation) && kept.consented_to(Research));
    assert_eq!(store.source_excerpts(programme, other.id).await.unwrap().len(), 1);
    let record = store.erasures(programme, Some(stayer)).await.unwrap();
    assert_eq!(record.len(), 1);
    assert_eq!(
        (record[0].purpose, record[0].counts.quotes, record[0].counts.sources),
        (Some(AnonymousQuotation), 1, 0)
    );

    // Filming withdrawn: the recording goes, the transcript stays for analysis.
    store.withdraw_consent(programme, filmed, Filming, TODAY, researcher, TODAY).await.unwrap();
    let transcript = store.source(programme, other_film.id).await.unwrap().unwrap();
    assert!(transcript.media.is_none());
    assert_eq!(transcript.redacted_text, "Speaker: the allotment at dawn");
    assert_eq!(store.erasures(programme, Some(filmed)).await.unwrap()[0].counts.media_files, 1);

    // Research withdrawn: everything the withdrawer gave goes, in one transaction.
    store.withdraw_consent(programme, withdrawer, Research, TODAY, researcher, TODAY).await.unwrap();
    assert!(store.source(programme, story.id).await.unwrap().is_none());
    assert!(store.source(programme, film.id).await.unwrap().is_none());
    assert!(store.source(programme, other.id).await.unwrap().is_some(), "only the withdrawer's words go");
    let evidence = store.insight(programme, insight).await.unwrap().unwrap().evidence;
    assert_eq!(evidence.len(), 1, "only the stayer's quote is left in the insight");
    assert_eq!(store.search(&query("marzipan"), &everywhere, 0).await.unwrap().total, 0);
    assert_eq!(store.search(&query("timetable"), &everywhere, 0).await.unwrap().total, 1);
    let person = store.participant(programme, withdrawer).await.unwrap().unwrap();
    assert!(person.contact_details.is_none(), "contact details erased");
    assert!(!person.current_consents.contains(&Research) && person.current_consents.contains(&Filming));
    let record = store.erasures(programme, Some(withdrawer)).await.unwrap();
    assert_eq!(record.len(), 1);
    let erasure = &record[0];
    assert_eq!(
        (erasure.reason, erasure.purpose, erasure.actor_id),
        (ErasureReason::Withdrawal, Some(Research), Some(researcher))
    );
    assert_eq!(
        (
            erasure.counts.sources,
            erasure.counts.excerpts,
            erasure.counts.codings,
            erasure.counts.quotes,
            erasure.counts.media_files
        ),
        (2, 2, 2, 2, 1)
    );
    assert!(erasure.scrubbed_at.is_some(), "scrubbed straight after");
    // Withdrawn twice is not found: there is no current consent.
    assert!(matches!(
        store.withdraw_consent(programme, withdrawer, Research, TODAY, researcher, TODAY).await,
        Err(StoreError::NotFound)
    ));

    // The media files go after the commit, and only those no source holds.
    let mut pending = store.pending_media_erasures().await.unwrap();
    pending.sort();
    let mut expected = vec![stored.address.clone(), other_stored.address.clone()];
    expected.sort();
    assert_eq!(pending, expected);
    let finished = finish_erasures(store, &media).await.unwrap();
    assert_eq!((finished.media_files, finished.scrubbed), (2, true));
    assert!(store.pending_media_erasures().await.unwrap().is_empty());
    assert!(media.size(&stored.address).await.is_err(), "the recording is gone");
    assert_eq!(finish_erasures(store, &media).await.unwrap().media_files, 0, "idempotent");

    match backend {
        TestBackend::Sqlite => {
            // While the store is open (the WAL as the scrub left it), and once it is closed.
            let open_files = files(opened.folder.path());
            for (name, bytes) in &open_files {
                assert!(!contains(bytes, PHRASE), "the phrase survives in {name} while open");
            }
            store.close().await;
            let everything = files(opened.folder.path());
            assert!(everything.iter().any(|(name, _)| name.ends_with("heard.db")));
            for (name, bytes) in &everything {
                assert!(!contains(bytes, PHRASE), "the phrase survives in {name}");
                assert!(!contains(bytes, "marzipan"), "a word of it survives in {name}");
                assert!(!contains(bytes, "test recording) counted"), "the recording survives in {name}");
            }
            let database = &everything.iter().find(|(name, _)| name.ends_with("heard.db")).unwrap().1;
            assert!(contains(database, CONTROL), "the check finds words that are there");
            if let Some((_, wal)) = everything.iter().find(|(name, _)| name.ends_with("-wal")) {
                assert!(wal.is_empty(), "the WAL is truncated");
            }
        }
        TestBackend::Postgres => {
            let pool = sqlx::PgPool::connect(opened.postgres_url.as_deref().unwrap()).await.unwrap();
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            assert!(tables.len() > 40, "{tables:?}");
            let mut control_in = Vec::new();
            for table in &tables {
                for (needle, found_in) in [("marzipan", false), ("timetable puzzled", true)] {
                    let n: i64 = sqlx::query_scalar(&format!(
                        "SELECT COUNT(*) FROM \"{table}\" t WHERE t::text LIKE '%' || $1 || '%'"
                    ))
                    .bind(needle)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                    if found_in {
                        if n > 0 {
                            control_in.push(table.clone());
                        }
                    } else {
                        assert_eq!(n, 0, "the phrase survives in {table}");
                    }
                }
            }
            assert!(control_in.contains(&"sources".to_owned()), "{control_in:?}");
            assert!(control_in.contains(&"excerpts".to_owned()), "{control_in:?}");
            // VACUUM ran on the erased tables (its statistics may take a moment to show).
            let mut vacuumed = false;
            for _ in 0..50 {
                let at: Option<time::OffsetDateTime> =
                    sqlx::query_scalar("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'sources'")
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                if at.is_some() {
                    vacuumed = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert!(vacuumed, "sources was VACUUMed");
            pool.close().await;
        }
    }
}

#[tokio::test]
async fn retention_rules_erase_originals_or_sources_past_their_period_on_both_backends() {
    for backend in heard_testkit::backends() {
        let opened = open(backend).await;
        let store = &opened.store;
        let administrator = store.user_by_email(&email(DEMO_ACCOUNTS[0].1)).await.unwrap().unwrap().id;
        let researcher = store.user_by_email(&email(DEMO_ACCOUNTS[2].1)).await.unwrap().unwrap().id;
        let programme = store.programme("early-years").await.unwrap().unwrap().id;
        let redactor = Redactor::new();
        let before = store.retention_due(date!(2030 - 01 - 01)).await.unwrap();
        assert!(before.is_empty(), "no rules, nothing due");

        let note_text = "Spoke with a carer on 07700 900456 about the waiting list.";
        let old_note = store
            .add_source(
                programme,
                &source(&redactor, SourceKind::FieldNote, note_text, date!(2014 - 01 - 01), &[]),
                Some(researcher),
            )
            .await
            .unwrap();
        let new_note = store
            .add_source(
                programme,
                &source(&redactor, SourceKind::FieldNote, note_text, date!(2014 - 05 - 20), &[]),
                Some(researcher),
            )
            .await
            .unwrap();
        let old_observation = store
            .add_source(
                programme,
                &source(&redactor, SourceKind::Observation, "The hall was cold (test).", date!(2014 - 01 - 01), &[]),
                Some(researcher),
            )
            .await
            .unwrap();
        assert_ne!(old_note.text.original(), old_note.redacted_text, "the phone number is redacted");

        let notes = RetentionRule::parse("field_note", "30", "original").unwrap();
        let observations = RetentionRule::parse("observation", "90", "source").unwrap();
        store.set_retention_rule(&notes, administrator).await.unwrap();
        store.set_retention_rule(&RetentionRule { keep_days: 10, ..observations }, administrator).await.unwrap();
        store.set_retention_rule(&observations, administrator).await.unwrap();
        let rules = store.retention_rules().await.unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(
            (rules[1].kind, rules[1].keep_days, rules[1].erase),
            (SourceKind::Observation, 90, RetentionErase::Source)
        );
        assert_eq!(rules[0].set_by.as_ref().map(|u| u.id), Some(administrator));

        // The dry run lists ids, kinds and dates, and changes nothing.
        let today = date!(2014 - 06 - 02);
        let due = store.retention_due(today).await.unwrap();
        let listed: Vec<(i64, SourceKind, Date, RetentionErase)> =
            due.iter().map(|d| (d.id, d.kind, d.dated, d.erase)).collect();
        assert!(listed.contains(&(
            old_note.id,
            SourceKind::FieldNote,
            date!(2014 - 01 - 01),
            RetentionErase::Original
        )));
        assert!(listed.contains(&(
            old_observation.id,
            SourceKind::Observation,
            date!(2014 - 01 - 01),
            RetentionErase::Source
        )));
        assert!(!listed.iter().any(|d| d.0 == new_note.id), "the new note is kept");
        assert_eq!(store.source(programme, old_note.id).await.unwrap().unwrap().text.original(), note_text);

        let run = store.apply_retention(today, Some(administrator)).await.unwrap();
        assert_eq!(run.erased, due);
        let kept = store.source(programme, old_note.id).await.unwrap().unwrap();
        assert_eq!(kept.text.original(), kept.redacted_text, "only the redacted copy is left");
        assert!(!kept.text.original().contains("900456"));
        assert_eq!(store.source(programme, new_note.id).await.unwrap().unwrap().text.original(), note_text);
        assert!(store.source(programme, old_observation.id).await.unwrap().is_none());
        let record = store.erasures(programme, None).await.unwrap();
        let retention = record.iter().find(|e| e.reason == ErasureReason::Retention).unwrap();
        assert!(retention.counts.originals >= 1 && retention.counts.sources >= 1, "{:?}", retention.counts);
        assert_eq!(retention.participant_id, None);
        assert!(retention.scrubbed_at.is_some());

        // A second run finds nothing more; removing a rule twice is not found.
        assert!(store.retention_due(today).await.unwrap().is_empty());
        assert!(store.apply_retention(today, None).await.unwrap().erased.is_empty());
        store.remove_retention_rule(SourceKind::Observation, administrator).await.unwrap();
        assert!(matches!(
            store.remove_retention_rule(SourceKind::Observation, administrator).await,
            Err(StoreError::NotFound)
        ));
        store.close().await;
    }
}
