//! The room's side of a Deliberation Day through the real router, on SQLite and PostgreSQL: the
//! projector (join code, QR code, counts, opinion map) and its event stream, which sends the new
//! counts after an attendee votes; the results and the exports, with figures checked against
//! counts made here from the votes planted; and no attendee id or token in any export.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};

use heard_analysis::deliberation::prioritise::Pick;
use heard_analysis::deliberation::questionnaire::Moment;
use heard_domain::dates::DateParts;
use heard_domain::deliberation::days::{
    AttendeeToken, Declaration, DeclaredKind, DeliberationFields, DeliberationInput, DeliberationStatus, Stance,
};
use heard_domain::governance::{Role, Sector};
use heard_domain::propositions::proposition::PropositionInput;
use heard_store::deliberation::NewOrigin;
use heard_testkit::TestApp;
use serde_json::Value;

/// Statements 0-2 split the room one way, 3-5 the other way, and everyone agrees with 6 and 7.
const STATEMENTS: [&str; 8] = [
    "Short breaks for carers come first (test)",
    "Day centres should open at weekends (test)",
    "Money should follow the person (test)",
    "Clinics should stay in hospitals (test)",
    "Referrals should go through the GP (test)",
    "Assessments should be done once a year (test)",
    "People should be told who to call (test)",
    "Waiting times should be published (test)",
];
const PROPOSITIONS: [&str; 3] = ["Weekend respite (test)", "One phone number (test)", "Published waiting times (test)"];

struct Room {
    slug: String,
    id: i64,
    code: String,
    statements: Vec<i64>,
    propositions: Vec<i64>,
    question: i64,
    tokens: Vec<AttendeeToken>,
}

fn setup(title: &str) -> DeliberationInput {
    DeliberationInput::parse(&DeliberationFields {
        title: title.into(),
        held_on: DateParts::from_date(Some(time::macros::date!(2027 - 03 - 14))),
        venue: "Test Hall (synthetic)".into(),
        attendee_statements: false,
        prioritisation: "pairwise".into(),
        dots: String::new(),
    })
    .unwrap()
}

/// A small synthetic room: six service users and six practitioners who see statements 0-5 in
/// opposite ways and agree on 6 and 7; pairwise choices and a questionnaire before and after.
async fn plant(app: &TestApp) -> Room {
    let store = &app.store;
    let programme = store.programme("early-years").await.unwrap().unwrap();
    let mut propositions = Vec::new();
    for title in PROPOSITIONS {
        let input = PropositionInput::parse(title, "A synthetic change for the test.", "").unwrap();
        propositions.push(store.create_proposition(programme.id, &input, None).await.unwrap());
    }
    let questions = vec!["Services listen to people like me (test)".to_owned()];
    let id = store.create_deliberation(programme.id, &setup("Room test day"), &questions, None).await.unwrap();
    store.set_deliberation_propositions(id, &propositions).await.unwrap();
    let mut statements = Vec::new();
    for text in STATEMENTS {
        statements.push(store.add_statement(id, text, NewOrigin::Written, None).await.unwrap());
    }
    store.move_deliberation(id, DeliberationStatus::Open).await.unwrap();
    let deliberation = store.deliberation(id).await.unwrap().unwrap();
    let question = deliberation.questions[0].id;

    let mut attendees = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..12 {
        let (kind, sector) = if i < 6 {
            (DeclaredKind::ServiceUser, Sector::Citizen)
        } else {
            (DeclaredKind::Practitioner, Sector::Health)
        };
        let token = AttendeeToken::generate();
        let attendee =
            store.join_deliberation(id, &token.hash(), &Declaration { kind, sector: Some(sector) }).await.unwrap();
        attendees.push(attendee);
        tokens.push(token);
    }
    for (i, &attendee) in attendees.iter().enumerate() {
        let camp_a = i < 6;
        for (s, &statement) in statements.iter().enumerate() {
            let stance = match s {
                0..=2 if camp_a => Stance::Agree,
                0..=2 => Stance::Disagree,
                3..=5 if camp_a => Stance::Disagree,
                3..=5 => Stance::Agree,
                _ => Stance::Agree,
            };
            // A first vote changed: only the latest counts.
            if s == 0 {
                store.vote(attendee, statement, Stance::Pass).await.unwrap();
            }
            store.vote(attendee, statement, stance).await.unwrap();
        }
        // Everyone prefers proposition 0 to 1; service users prefer 2 to 0, practitioners 0 to 2.
        store.choose_pair(attendee, propositions[0], propositions[1], Pick::Left).await.unwrap();
        let pick = if camp_a { Pick::Right } else { Pick::Left };
        store.choose_pair(attendee, propositions[0], propositions[2], pick).await.unwrap();
        // Before 2 for everyone; after 4 for service users, 3 for practitioners.
        store.answer_questions(attendee, Moment::Before, &[(question, 2)]).await.unwrap();
        store.answer_questions(attendee, Moment::After, &[(question, if camp_a { 4 } else { 3 })]).await.unwrap();
    }
    Room {
        slug: programme.slug.to_string(),
        id,
        code: deliberation.join_code.clone(),
        statements,
        propositions,
        question,
        tokens,
    }
}

impl Room {
    fn path(&self, rest: &str) -> String {
        format!("/programmes/{}/deliberations/{}{rest}", self.slug, self.id)
    }

    /// Every id an export may hold: the deliberation's, its statements', propositions' and question's.
    fn allowed_ids(&self) -> BTreeSet<i64> {
        let mut ids: BTreeSet<i64> = self.statements.iter().chain(&self.propositions).copied().collect();
        ids.insert(self.question);
        ids.insert(self.id);
        ids
    }
}

fn aoi(wins: u32, losses: u32) -> f64 {
    let score = f64::from(wins + 1) / f64::from(wins + losses + 2) * 100.0;
    (score * 10.0).round() / 10.0
}

/// Every `(key, value)` under a key naming an id, anywhere in `value`, and every key.
fn walk<'a>(value: &'a Value, ids: &mut Vec<(String, &'a Value)>, keys: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                keys.insert(key.clone());
                if key == "id" || key.ends_with("_id") {
                    ids.push((key.clone(), v));
                }
                walk(v, ids, keys);
            }
        }
        Value::Array(list) => list.iter().for_each(|v| walk(v, ids, keys)),
        _ => {}
    }
}

async fn results_story(app: &TestApp) {
    let room = plant(app).await;
    let facilitator = app.signed_in(Role::Facilitator).await;

    // The JSON export, against counts made here.
    let response = facilitator.get(&room.path("/export.json")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let body = response.text().await.unwrap();
    let json: Value = serde_json::from_str(&body).unwrap();
    let p = &json["participation"];
    assert_eq!(p["attendees"], 12);
    assert_eq!(p["voters"], 12);
    assert_eq!(p["votes"], 12 * 8, "a changed vote counts once");
    assert_eq!(p["counted"], 12);
    let kinds: HashMap<&str, u64> = p["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["code"].as_str().unwrap(), k["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(kinds["service_user"], 6);
    assert_eq!(kinds["practitioner"], 6);
    assert_eq!(kinds["carer"], 0);

    let statements = json["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 8);
    assert_eq!((statements[0]["agree"].as_u64(), statements[0]["disagree"].as_u64()), (Some(6), Some(6)));
    assert_eq!(statements[0]["pass"], 0, "the first pass was changed");
    assert_eq!(statements[6]["agree"], 12);

    // Two opinion groups of six: the first holds attendee 0's camp (service users), and what sets
    // it apart is its own side of statements 0-5, with every one of it and no one else there.
    let groups = json["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!((groups[0]["size"].as_u64(), groups[1]["size"].as_u64()), (Some(6), Some(6)));
    assert_eq!(groups[0]["label"], "Group A");
    let first = &groups[0]["representative"].as_array().unwrap()[0];
    let at = room.statements.iter().position(|&s| s == first["statement_id"].as_i64().unwrap()).unwrap();
    let expected = if at <= 2 { "agree" } else { "disagree" };
    assert!(at <= 5, "a statement that splits the room");
    assert_eq!(first["direction"], expected);
    assert_eq!((first["votes"].as_u64(), first["count"].as_u64()), (Some(6), Some(6)));
    assert_eq!((first["percent"].as_u64(), first["rest_percent"].as_u64()), (Some(100), Some(0)));
    // Pol.is's probability with pseudocounts: (6 + 1) / (6 + 2).
    assert!((first["probability"].as_f64().unwrap() - 7.0 / 8.0).abs() < 1e-4);

    // Consensus: statements 6 and 7, (6+1)/(6+2) squared; divisive: one of 0-5.
    let consensus: Vec<i64> =
        json["consensus"].as_array().unwrap().iter().map(|a| a["statement_id"].as_i64().unwrap()).collect();
    assert_eq!(BTreeSet::from([consensus[0], consensus[1]]), BTreeSet::from([room.statements[6], room.statements[7]]));
    assert!((json["consensus"][0]["consensus"].as_f64().unwrap() - (7.0f64 / 8.0).powi(2)).abs() < 1e-4);
    let divisive = json["divisive"][0]["statement_id"].as_i64().unwrap();
    assert!(room.statements[..6].contains(&divisive));

    // Across declared kinds: the same split, since the kinds are the camps.
    let apart = &json["kinds"]["apart"][0];
    assert!(room.statements[..6].contains(&apart["statement_id"].as_i64().unwrap()));
    let parts: HashMap<&str, u64> = apart["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|part| (part["label"].as_str().unwrap(), part["agree_percent"].as_u64().unwrap()))
        .collect();
    assert_eq!(parts.len(), 2);
    assert_eq!(BTreeSet::from([parts["Service user"], parts["Practitioner"]]), BTreeSet::from([0, 100]));

    // Pairwise: proposition 0 beat 1 twelve times, beat 2 six times and lost six.
    let priorities = &json["prioritisation"];
    assert_eq!(priorities["method"], "pairwise");
    let all: HashMap<i64, &Value> =
        priorities["all"].as_array().unwrap().iter().map(|i| (i["proposition_id"].as_i64().unwrap(), i)).collect();
    let [p0, p1, p2] = [room.propositions[0], room.propositions[1], room.propositions[2]];
    assert_eq!((all[&p0]["wins"].as_u64(), all[&p0]["losses"].as_u64()), (Some(18), Some(6)));
    assert_eq!(all[&p0]["score"].as_f64().unwrap(), aoi(18, 6));
    assert_eq!(all[&p1]["score"].as_f64().unwrap(), aoi(0, 12));
    assert_eq!(all[&p2]["score"].as_f64().unwrap(), aoi(6, 6));
    assert_eq!(all[&p0]["rank"], 1);
    assert!(all[&p0]["low"].as_f64().unwrap() < all[&p0]["strength"].as_f64().unwrap());
    let by_kind: HashMap<&str, &Value> =
        priorities["by_kind"].as_array().unwrap().iter().map(|k| (k["code"].as_str().unwrap(), k)).collect();
    let first_of = |code: &str| by_kind[code]["items"][0]["proposition_id"].as_i64().unwrap();
    assert_eq!(first_of("practitioner"), p0, "practitioners chose 0 every time");
    let service_users: HashMap<i64, f64> = by_kind["service_user"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["proposition_id"].as_i64().unwrap(), i["score"].as_f64().unwrap()))
        .collect();
    assert_eq!(service_users[&p2], aoi(6, 0));

    // The questionnaire: everyone 2 before; after, 4 for service users and 3 for practitioners.
    let q = &json["questionnaire"][0];
    assert_eq!(q["question_id"], room.question);
    assert_eq!(q["all"]["before_mean"].as_f64(), Some(2.0));
    assert_eq!(q["all"]["after_mean"].as_f64(), Some(3.5));
    assert_eq!(q["all"]["shift"].as_f64(), Some(1.5));
    assert_eq!(q["all"]["increased"], 12);
    let shifts: HashMap<&str, f64> = q["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["code"].as_str().unwrap(), k["shift"]["shift"].as_f64().unwrap()))
        .collect();
    assert_eq!((shifts["service_user"], shifts["practitioner"]), (2.0, 1.0));

    // Nothing in the JSON names an attendee: every id is the deliberation's, a statement's, a
    // proposition's or the question's, and no key speaks of attendees or voters one by one.
    let (mut ids, mut keys) = (Vec::new(), BTreeSet::new());
    walk(&json, &mut ids, &mut keys);
    let allowed = room.allowed_ids();
    for (key, value) in &ids {
        assert!(
            allowed.contains(&value.as_i64().unwrap()),
            "{key} = {value} is not a statement, proposition or question"
        );
    }
    for key in &keys {
        assert!(
            !["attendee_id", "respondent", "participant", "token", "hash", "voter"].contains(&key.as_str()),
            "{key}"
        );
    }
    for token in &room.tokens {
        assert!(!body.contains(token.expose()) && !body.contains(&token.hash()));
    }

    // The CSV: the same figures in long form, with the same guarantees.
    let response = facilitator.get(&room.path("/export.csv")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["section", "id", "text", "part", "measure", "value"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |section: &str, id: &str, part: &str, measure: &str| {
        rows.iter()
            .find(|r| &r[0] == section && &r[1] == id && &r[3] == part && &r[4] == measure)
            .map(|r| r[5].to_owned())
    };
    assert_eq!(find("participation", "", "", "votes").as_deref(), Some("96"));
    assert_eq!(find("statement", &room.statements[6].to_string(), "", "agree").as_deref(), Some("12"));
    assert_eq!(find("group", "", "Group B", "size").as_deref(), Some("6"));
    assert_eq!(
        find("prioritisation_pairwise", &p0.to_string(), "all", "aoi_score").unwrap().parse::<f64>().unwrap(),
        aoi(18, 6)
    );
    assert_eq!(find("questionnaire", &room.question.to_string(), "practitioner", "shift").as_deref(), Some("1"));
    for row in &rows {
        if !row[1].is_empty() {
            assert!(allowed.contains(&row[1].parse::<i64>().unwrap()), "id {} in {}", &row[1], &row[0]);
        }
    }
    for token in &room.tokens {
        assert!(!body.contains(token.expose()) && !body.contains(&token.hash()));
    }

    // The results page shows the same, with the map described in words.
    let page = facilitator.page(&room.path("/results")).await;
    assert!(page.contains("Results: Room test day"));
    assert!(page.contains("Group A: 6 people"));
    assert!(page.contains("The opinion map in words"));
    assert!(page.contains("Where service users and professionals see things differently"));
    assert!(page.contains(STATEMENTS[6]));
    assert!(page.contains(PROPOSITIONS[0]));
    assert!(page.contains("Services listen to people like me (test)"));

    // A last vote just before the close: the results and exports count it at once, not after the
    // analysis's next turn (the worker above has analysed the room already).
    let phone = app.browser();
    let code = &room.code;
    let joined = phone.submit(&format!("/d/{code}"), &format!("/d/{code}"), &[("kind", "carer"), ("sector", "")]).await;
    assert!(joined.status().is_redirection(), "{}", joined.status());
    let form_page = phone.get(&format!("/d/{code}/vote")).await.text().await.unwrap();
    let token = heard_testkit::csrf_token_in(&form_page).unwrap_or_default();
    let statement = room.statements[7].to_string();
    let voted =
        phone.post(&format!("/d/{code}/vote"), &token, &[("statement", &statement), ("stance", "disagree")]).await;
    assert!(voted.status().is_redirection(), "{}", voted.status());
    let json: Value = facilitator.get(&room.path("/export.json")).await.json().await.unwrap();
    assert_eq!(json["participation"]["votes"], 12 * 8 + 1);
    assert_eq!(
        (json["statements"][7]["agree"].as_u64(), json["statements"][7]["disagree"].as_u64()),
        (Some(12), Some(1))
    );
}

#[tokio::test]
async fn results_and_exports_hold_the_rooms_figures_and_no_attendee_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        results_story(&app).await;
    }
}

#[tokio::test]
async fn who_may_see_the_projector_results_and_exports() {
    let app = TestApp::spawn().await;
    let room = plant(&app).await;
    for role in [Role::Administrator, Role::Commissioner, Role::Researcher, Role::Facilitator] {
        let browser = app.signed_in(role).await;
        for path in ["/projector", "/results", "/export.csv", "/export.json"] {
            assert_eq!(browser.get(&room.path(path)).await.status(), 200, "{role:?} {path}");
        }
    }
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(&room.path("/projector")).await.status(), 403);
    assert_eq!(viewer.get(&room.path("/export.json")).await.status(), 403);
    let facilitator = app.signed_in(Role::Facilitator).await;
    let elsewhere = format!("/programmes/dementia/deliberations/{}/results", room.id);
    assert_eq!(facilitator.get(&elsewhere).await.status(), 404, "another programme's deliberation is not found");
    let missing = format!("/programmes/{}/deliberations/999999/results", room.slug);
    assert_eq!(facilitator.get(&missing).await.status(), 404);
}

#[tokio::test]
async fn the_projector_shows_how_to_join_and_the_room() {
    let app = TestApp::spawn().await;
    let room = plant(&app).await;
    let facilitator = app.signed_in(Role::Facilitator).await;
    let page = facilitator.page(&room.path("/projector")).await;
    let shown = format!("{}-{}", &room.code[..3], &room.code[3..]);
    assert!(page.contains(&shown), "the code as ABC-DEF");
    let host = app.address.trim_start_matches("http://");
    assert!(page.contains(&format!("{host}/join")));
    assert!(page.contains(&format!("aria-label=\"QR code of http://{host}/d/{}\"", room.code)));
    assert!(page.contains("data-count=\"votes\">96<"));
    assert!(page.contains("data-picture=\"opinion-map\""), "the opinion map");
    assert!(page.contains("What everyone agrees on"));
    assert!(page.contains(STATEMENTS[6]) || page.contains(STATEMENTS[7]));
    assert!(page.contains("Leading propositions"));
    assert!(page.contains("src=\"/assets/projector.js\""));
    assert!(page.contains(">Refresh</a>"));
    assert!(!page.contains("<script>"), "no inline script");
    assert!(app.browser().get("/assets/projector.js").await.status() == 200);
}

/// Reads the event stream until a `parts` event for which `wanted` holds, or fails after 15 s.
async fn next_parts(response: &mut reqwest::Response, buffer: &mut String, wanted: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if event.lines().any(|l| l == "event: parts") {
                let data: String =
                    event.lines().filter_map(|l| l.strip_prefix("data: ").or(l.strip_prefix("data:"))).collect();
                let parts: Value = serde_json::from_str(&data).unwrap();
                if wanted(&parts) {
                    return parts;
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk()).await.expect("an event in time").unwrap();
        buffer.push_str(std::str::from_utf8(&chunk.expect("the stream stays open")).unwrap());
    }
}

fn votes_in(parts: &Value) -> Option<u64> {
    let html = parts["projector-counts"].as_str()?;
    let at = html.find("data-count=\"votes\">")? + "data-count=\"votes\">".len();
    html[at..].split('<').next()?.trim().parse().ok()
}

async fn events_story(app: &TestApp) {
    let room = plant(app).await;
    let facilitator = app.signed_in(Role::Facilitator).await;
    let mut stream = facilitator.get(&room.path("/projector/events")).await;
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut buffer = String::new();
    let first = next_parts(&mut stream, &mut buffer, |p| p.get("projector-counts").is_some()).await;
    assert_eq!(votes_in(&first), Some(96));

    // A new attendee joins on their phone and votes: the projector hears of it.
    let phone = app.browser();
    let code = &room.code;
    let joined = phone.submit(&format!("/d/{code}"), &format!("/d/{code}"), &[("kind", "carer"), ("sector", "")]).await;
    assert!(joined.status().is_redirection() || joined.status().is_success(), "{}", joined.status());
    let statement = room.statements[7].to_string();
    let form_page = phone.get(&format!("/d/{code}/vote")).await.text().await.unwrap();
    let token = heard_testkit::csrf_token_in(&form_page).unwrap_or_default();
    let sent = std::time::Instant::now();
    let voted = phone.post(&format!("/d/{code}/vote"), &token, &[("statement", &statement), ("stance", "agree")]).await;
    assert!(voted.status().is_redirection() || voted.status().is_success(), "{}", voted.status());
    let after = next_parts(&mut stream, &mut buffer, |p| votes_in(p) == Some(97)).await;
    println!("the projector heard of a vote {:?} after it was sent", sent.elapsed());
    assert!(after["projector-counts"].as_str().unwrap().contains("Carer"));
}

#[tokio::test]
async fn the_projector_stream_sends_the_counts_after_a_vote_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        events_story(&app).await;
    }
}

/// The time of one full recompute (reading the votes and analysing them) for a room of 300
/// attendees who each voted on all 60 statements, in two camps with noise. For docs/performance.md:
/// `cargo test --release -p heard-web --test room recompute -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn recompute_of_300_attendees_and_60_statements() {
    let app = TestApp::spawn().await;
    let store = &app.store;
    let programme = store.programme("early-years").await.unwrap().unwrap();
    let id = store.create_deliberation(programme.id, &setup("Timing day"), &[], None).await.unwrap();
    let mut statements = Vec::new();
    for s in 0..60 {
        statements.push(
            store.add_statement(id, &format!("Synthetic statement {s}"), NewOrigin::Written, None).await.unwrap(),
        );
    }
    store.move_deliberation(id, DeliberationStatus::Open).await.unwrap();
    let kinds = DeclaredKind::ALL;
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    for a in 0..300usize {
        let declaration = Declaration { kind: kinds[a % kinds.len()], sector: None };
        let attendee = store.join_deliberation(id, &AttendeeToken::generate().hash(), &declaration).await.unwrap();
        for (s, &statement) in statements.iter().enumerate() {
            let camp = (a % 3 == 0) == (s % 2 == 0);
            let stance = match next() % 10 {
                0 => Stance::Pass,
                1 | 2 => {
                    if camp {
                        Stance::Disagree
                    } else {
                        Stance::Agree
                    }
                }
                _ => {
                    if camp {
                        Stance::Agree
                    } else {
                        Stance::Disagree
                    }
                }
            };
            store.vote(attendee, statement, stance).await.unwrap();
        }
    }
    let live = heard_web::deliberation::live::Live::default();
    let first = live.snapshot(store, id).await.unwrap();
    assert_eq!(first.participation.votes, 18_000);
    let mut took = Vec::new();
    for _ in 0..5 {
        let version = live.version(id);
        live.changed(id);
        let mut latest = live.start(store, id);
        let snapshot = latest
            .wait_for(|l| matches!(l, heard_web::deliberation::live::Latest::Ready(s) if s.version > version))
            .await
            .unwrap()
            .clone();
        if let heard_web::deliberation::live::Latest::Ready(s) = snapshot {
            took.push(s.took);
        }
    }
    took.sort();
    println!("recompute of 300 attendees x 60 statements (18,000 votes): {took:?}, median {:?}", took[took.len() / 2]);
}
