//! Film sources as people meet them: a researcher uploads a recording with its transcript, the
//! recording streams in byte ranges to those who may see it and only while everyone in it consents
//! to filming, and a bad upload names its problem and leaves nothing behind.

use std::path::{Path, PathBuf};

use heard_analysis::voice::synthetic_audio::{demo_recording, wav};
use heard_domain::governance::Role;
use heard_domain::voice::sources::SourceKind;
use heard_store::media::DEMO_FILM_TITLE;
use heard_store::{SearchFilters, Source};
use heard_testkit::{Browser, TestApp, TestBackend};
use heard_web::WebSettings;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const PROGRAMME: &str = "adults-with-disabilities";
const NEW_FILM: &str = "/programmes/adults-with-disabilities/sources/new-film";

const TRANSCRIPT: &str = "WEBVTT

00:00:00.500 --> 00:00:02.000
<v Interviewer (test)>How did the day centre
help?

00:00:02.500 --> 00:00:04.000
It helped Service user G (demo) get out of the house.
";

/// A short WAV that no other test uploads, so its address is its own.
fn recording() -> Vec<u8> {
    let samples: Vec<i16> = (0..40_000).map(|i| ((i * 37) % 2000 - 1000) as i16).collect();
    wav(&samples, 8000)
}

/// Every file under `dir`, temporary files included.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

async fn programme_id(app: &TestApp) -> i64 {
    app.store.programme(PROGRAMME).await.expect("store").expect("the demo programme").id
}

async fn films(app: &TestApp) -> Vec<Source> {
    let id = programme_id(app).await;
    let filters = SearchFilters { programme_id: Some(id), kind: Some(SourceKind::Film), ..Default::default() };
    let (summaries, _) = app.store.sources(&filters, 0).await.expect("store");
    let mut films = Vec::new();
    for summary in summaries {
        films.push(app.store.source(id, summary.id).await.expect("store").expect("the source"));
    }
    films
}

async fn demo_film(app: &TestApp) -> Source {
    films(app).await.into_iter().find(|f| f.title == DEMO_FILM_TITLE).expect("the demo film is loaded")
}

/// The film form as a browser sends it: the CSRF token first, then the fields given, then the
/// transcript and the recording when given.
async fn upload(
    app: &TestApp,
    browser: &Browser,
    fields: &[(&str, String)],
    transcript: Option<(&str, Vec<u8>)>,
    media: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let token = browser.csrf_token(NEW_FILM).await;
    let mut form = Form::new().text("csrf_token", token);
    for (name, value) in fields {
        form = form.text(name.to_string(), value.clone());
    }
    if let Some((name, bytes)) = transcript {
        form = form.part("transcript", Part::bytes(bytes).file_name(name.to_owned()));
    }
    if let Some((name, bytes)) = media {
        form = form.part("media", Part::bytes(bytes).file_name(name.to_owned()));
    }
    browser.client.post(app.url(NEW_FILM)).multipart(form).send().await.expect("the server answers")
}

async fn get_media(app: &TestApp, browser: &Browser, path: &str, range: Option<&str>) -> reqwest::Response {
    let mut request = browser.client.get(app.url(path));
    if let Some(range) = range {
        request = request.header("range", range);
    }
    request.send().await.expect("the server answers")
}

fn media_path(source: &Source) -> String {
    format!("/programmes/{PROGRAMME}/sources/{}/media", source.id)
}

#[tokio::test]
async fn a_researcher_adds_a_film_whose_transcript_becomes_timed_redacted_lines() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let form = browser.page(NEW_FILM).await;
    assert!(form.contains("Add a film") && form.contains("enctype=\"multipart/form-data\""), "{form}");
    let participant = app
        .store
        .participants(programme_id(&app).await)
        .await
        .expect("store")
        .into_iter()
        .find(|p| p.pseudonym == "Service user G (demo)")
        .expect("a demo participant who consents to filming");

    let bytes = recording();
    let response = upload(
        &app,
        &browser,
        &[("title", "Day centre interview (test)".to_owned()), ("participants", participant.id.to_string())],
        Some(("interview.vtt", TRANSCRIPT.as_bytes().to_vec())),
        Some(("interview.wav", bytes.clone())),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap_or_default());
    let location = response.headers()["location"].to_str().expect("a location").to_owned();

    let film = films(&app).await.into_iter().find(|f| f.title == "Day centre interview (test)").expect("saved");
    assert_eq!(location, format!("/programmes/{PROGRAMME}/sources/{}", film.id));
    assert_eq!(film.kind, SourceKind::Film);
    assert_eq!(film.cue_timings, Some(vec![(500, 2000), (2500, 4000)]));
    assert_eq!(
        film.text.original(),
        "Interviewer (test): How did the day centre help?\nIt helped Service user G (demo) get out of the house."
    );
    assert!(!film.redacted_text.contains("Service user G"), "known names are hidden: {}", film.redacted_text);
    assert_eq!(film.redacted_text.lines().count(), 2, "one line per cue");
    let media = film.media.clone().expect("a recording");
    assert_eq!(media.media_type, "audio/wav");
    assert_eq!(media.bytes, bytes.len() as i64);
    let kept = app.media_dir.join(&media.address[..2]).join(&media.address[2..4]).join(&media.address);
    assert_eq!(std::fs::read(&kept).expect("the recording is kept by its address"), bytes);
    assert_eq!(film.participants.iter().map(|p| p.id).collect::<Vec<_>>(), [participant.id]);

    let played = get_media(&app, &browser, &media_path(&film), None).await;
    assert_eq!(played.status(), StatusCode::OK);
    assert_eq!(played.bytes().await.expect("a body").as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn the_recording_streams_in_byte_ranges() {
    let app = TestApp::spawn().await;
    let film = demo_film(&app).await;
    let bytes = demo_recording();
    let browser = app.signed_in(Role::Commissioner).await;
    let path = media_path(&film);
    let size = bytes.len();

    let whole = get_media(&app, &browser, &path, None).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.headers()["content-type"], "audio/wav");
    assert_eq!(whole.headers()["content-length"], size.to_string().as_str());
    assert_eq!(whole.bytes().await.expect("a body").as_ref(), bytes.as_slice());

    for (range, from, to) in [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, size - 1),
        ("bytes=-44", size - 44, size - 1),
        ("bytes=300000-99999999", 300_000, size - 1),
    ] {
        let part = get_media(&app, &browser, &path, Some(range)).await;
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(part.headers()["accept-ranges"], "bytes", "{range}");
        assert_eq!(part.headers()["content-range"], format!("bytes {from}-{to}/{size}").as_str(), "{range}");
        assert_eq!(part.headers()["content-length"], (to - from + 1).to_string().as_str(), "{range}");
        assert_eq!(part.bytes().await.expect("a body").as_ref(), &bytes[from..=to], "{range}");
    }

    let beyond = get_media(&app, &browser, &path, Some(&format!("bytes={size}-"))).await;
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()["content-range"], format!("bytes */{size}").as_str());

    let head = browser.client.head(format!("{}{path}", app.address)).send().await.expect("answers");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], size.to_string().as_str());

    let missing = get_media(&app, &browser, &format!("/programmes/{PROGRAMME}/sources/999999/media"), None).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_commissioner_plays_a_film_only_while_everyone_in_it_consents_to_filming() {
    let app = TestApp::spawn().await;
    let film = demo_film(&app).await;
    let path = media_path(&film);
    let commissioner = app.signed_in(Role::Commissioner).await;
    assert_eq!(get_media(&app, &commissioner, &path, Some("bytes=0-9")).await.status(), StatusCode::PARTIAL_CONTENT);

    let heard = film.participants.first().expect("the demo film hears a participant");
    let researcher = app.signed_in(Role::Researcher).await;
    let withdraw = format!("/programmes/{PROGRAMME}/participants/{}/consents/filming/withdraw", heard.id);
    let today = time::OffsetDateTime::now_utc().date();
    let withdrawn = researcher
        .submit(
            &withdraw,
            &withdraw,
            &[
                ("withdrawn_on.day", &today.day().to_string()),
                ("withdrawn_on.month", &u8::from(today.month()).to_string()),
                ("withdrawn_on.year", &today.year().to_string()),
            ],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER, "{}", withdrawn.text().await.unwrap_or_default());

    // Withdrawing consent to filming erases the recording (issue 8): nobody can play it again.
    for browser in [&commissioner, &researcher] {
        let refused = get_media(&app, browser, &path, Some("bytes=0-9")).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        let page = refused.text().await.expect("a page");
        assert!(!page.contains("RIFF"), "no byte of the recording");
    }
    let source =
        app.store.source(film.programme_id, film.id).await.expect("store").expect("the film's transcript stays");
    assert!(source.media.is_none(), "the source no longer names a recording");
}

#[tokio::test]
async fn a_viewer_and_a_stranger_may_not_play_a_film() {
    let app = TestApp::spawn().await;
    let path = media_path(&demo_film(&app).await);
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(get_media(&app, &viewer, &path, None).await.status(), StatusCode::FORBIDDEN);
    let stranger = app.browser();
    let response = get_media(&app, &stranger, &path, Some("bytes=0-9")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/sign-in");
    let commissioner = app.signed_in(Role::Commissioner).await;
    let form = commissioner.get(NEW_FILM).await;
    assert_eq!(form.status(), StatusCode::FORBIDDEN, "a commissioner may not add sources");
}

/// Uploads that must be refused with `message`, leaving the sources and the media folder as they were.
async fn refused(app: &TestApp, response: reqwest::Response, status: StatusCode, message: &str) {
    assert_eq!(response.status(), status, "{message}");
    let page = response.text().await.expect("a page");
    assert!(page.contains("There is a problem") && page.contains(message), "{message}: {page}");
    assert_eq!(films(app).await.len(), 1, "only the demo film: {message}");
    let demo = demo_film(app).await.media.expect("a recording").address;
    let files = files_under(&app.media_dir);
    assert!(files.len() == 1 && files[0].ends_with(&demo), "nothing else kept: {message}: {files:?}");
}

#[tokio::test]
async fn bad_uploads_name_their_problem_and_leave_nothing_behind() {
    let settings = WebSettings { max_media_bytes: 100_000, ..WebSettings::default() };
    let app = TestApp::spawn_with(TestBackend::Sqlite, settings).await;
    let browser = app.signed_in(Role::Researcher).await;
    let vtt = || Some(("t.vtt", TRANSCRIPT.as_bytes().to_vec()));

    let not_media =
        upload(&app, &browser, &[], vtt(), Some(("film.mp4", b"%PDF-1.7 not a film at all".to_vec()))).await;
    refused(&app, not_media, StatusCode::UNPROCESSABLE_ENTITY, "must be a video or audio file: MP4, M4A").await;

    let too_big = wav(&vec![1000i16; 60_000], 8000);
    let over = upload(&app, &browser, &[], vtt(), Some(("long.wav", too_big))).await;
    refused(&app, over, StatusCode::PAYLOAD_TOO_LARGE, "The recording must be smaller than 97 KB").await;

    // Far over: refused from its declared length, before it is read.
    let huge = wav(&vec![1000i16; 4_000_000], 8000);
    let declared = upload(&app, &browser, &[], vtt(), Some(("huge.wav", huge))).await;
    refused(&app, declared, StatusCode::PAYLOAD_TOO_LARGE, "The recording must be smaller than 97 KB").await;

    let broken = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFine\n\n00:00:03.000 -> 00:00:04.000\nBroken arrow\n";
    let broken =
        upload(&app, &browser, &[], Some(("t.vtt", broken.as_bytes().to_vec())), Some(("a.wav", recording()))).await;
    refused(&app, broken, StatusCode::UNPROCESSABLE_ENTITY, "Cue 2 (line 7): expected a timestamp").await;

    let no_transcript = upload(&app, &browser, &[], None, Some(("a.wav", recording()))).await;
    refused(&app, no_transcript, StatusCode::UNPROCESSABLE_ENTITY, "Select the transcript").await;

    let no_recording = upload(&app, &browser, &[], vtt(), Some(("", Vec::new()))).await;
    refused(&app, no_recording, StatusCode::UNPROCESSABLE_ENTITY, "Select the recording").await;

    let other = app.store.programme("early-years").await.expect("store").expect("programme");
    let stranger = app.store.participants(other.id).await.expect("store")[0].id;
    let not_ours =
        upload(&app, &browser, &[("participants", stranger.to_string())], vtt(), Some(("a.wav", recording()))).await;
    refused(&app, not_ours, StatusCode::UNPROCESSABLE_ENTITY, "Choose participants of this programme").await;
}

#[tokio::test]
async fn a_refused_upload_of_a_recording_another_film_holds_leaves_that_recording_in_place() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let same = upload(&app, &browser, &[], None, Some(("demo.wav", demo_recording()))).await;
    refused(&app, same, StatusCode::UNPROCESSABLE_ENTITY, "Select the transcript").await;
    let film = demo_film(&app).await;
    let played = get_media(&app, &browser, &media_path(&film), None).await;
    assert_eq!(played.bytes().await.expect("a body").as_ref(), demo_recording().as_slice());
}

#[tokio::test]
async fn an_upload_without_the_forms_token_stores_nothing() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let form = Form::new()
        .part("transcript", Part::bytes(TRANSCRIPT.as_bytes().to_vec()).file_name("t.vtt"))
        .part("media", Part::bytes(recording()).file_name("a.wav"))
        .text("csrf_token", browser.csrf_token(NEW_FILM).await);
    let response = browser.client.post(app.url(NEW_FILM)).multipart(form).send().await.expect("answers");
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "the token must come first");
    let wrong =
        Form::new().text("csrf_token", "0".repeat(64)).part("media", Part::bytes(recording()).file_name("a.wav"));
    let response = browser.client.post(app.url(NEW_FILM)).multipart(wrong).send().await.expect("answers");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let not_multipart = browser.submit(NEW_FILM, NEW_FILM, &[("title", "x")]).await;
    assert_eq!(not_multipart.status(), StatusCode::BAD_REQUEST);
    assert_eq!(films(&app).await.len(), 1);
    assert_eq!(files_under(&app.media_dir).len(), 1, "only the demo film's recording");
}
