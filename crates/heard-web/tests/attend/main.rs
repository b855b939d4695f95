//! A Deliberation Day as an attendee meets it on a phone, through the real router on both
//! backends: the code typed, what they declare, votes one statement at a time (changed, never
//! counted twice), the rate limit, a closed or unstarted day, refusals that count nothing,
//! statements of their own, pairs, dots, and the questionnaire before and after.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use heard_analysis::deliberation::prioritise::Pick;
use heard_analysis::deliberation::questionnaire::Moment;
use heard_domain::dates::DateParts;
use heard_domain::deliberation::days::{
    DeclaredKind, DeliberationFields, DeliberationInput, DeliberationStatus, StatementState,
};
use heard_domain::propositions::proposition::PropositionInput;
use heard_store::deliberation::{NewOrigin, Statement};
use heard_testkit::app::csrf_token_in;
use heard_testkit::{Browser, TestApp, TestBackend, backends};
use reqwest::StatusCode;

const STATEMENTS: [&str; 3] = [
    "Waiting lists are too long (test)",
    "Carers are asked the same questions twice (test)",
    "Help comes too late (test)",
];

/// A deliberation of the demo's early-years programme, opened: three statements, the
/// questionnaire, and the prioritisation asked for (`none`, `pairwise` or `dots`).
struct Day {
    id: i64,
    code: String,
    statements: Vec<i64>,
    propositions: Vec<i64>,
    questions: Vec<i64>,
}

async fn open_day(app: &TestApp, title: &str, prioritisation: &str) -> Day {
    let store = &app.store;
    let programme = store.programme("early-years").await.unwrap().unwrap();
    let input = DeliberationInput::parse(&DeliberationFields {
        title: title.into(),
        held_on: DateParts { day: "14".into(), month: "3".into(), year: "2027".into() },
        venue: String::new(),
        attendee_statements: true,
        prioritisation: prioritisation.into(),
        dots: if prioritisation == "dots" { "5".into() } else { String::new() },
    })
    .unwrap();
    let questions = ["Services listen to parents (test)".to_owned(), "I know where to get help (test)".to_owned()];
    let id = store.create_deliberation(programme.id, &input, &questions, None).await.unwrap();
    let mut statements = Vec::new();
    for text in STATEMENTS {
        statements.push(store.add_statement(id, text, NewOrigin::Written, None).await.unwrap());
    }
    let mut propositions = Vec::new();
    if prioritisation != "none" {
        for n in 1..=3 {
            let proposition = PropositionInput::parse(
                &format!("{title}: proposition {n} (test)"),
                &format!("Change number {n} to how support is commissioned (test)"),
                "",
            )
            .unwrap();
            propositions.push(store.create_proposition(programme.id, &proposition, None).await.unwrap());
        }
        store.set_deliberation_propositions(id, &propositions).await.unwrap();
    }
    store.move_deliberation(id, DeliberationStatus::Open).await.unwrap();
    let day = store.deliberation(id).await.unwrap().unwrap();
    Day { id, code: day.join_code, statements, propositions, questions: day.questions.iter().map(|q| q.id).collect() }
}

impl Day {
    fn path(&self, rest: &str) -> String {
        format!("/d/{}{rest}", self.code)
    }

    async fn statements(&self, app: &TestApp) -> Vec<Statement> {
        app.store.statements(self.id).await.unwrap()
    }

    async fn votes(&self, app: &TestApp) -> u32 {
        self.statements(app).await.iter().map(Statement::votes).sum()
    }
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A phone that has joined `day` as `kind`, past the questionnaire.
async fn joined(app: &TestApp, day: &Day, kind: &str) -> Browser {
    let phone = app.browser();
    let response = phone.submit(&day.path(""), &day.path(""), &[("kind", kind), ("sector", "")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "joining answers with a redirect");
    phone
}

/// The statement id and form token on a vote page.
fn statement_on(html: &str) -> Option<i64> {
    let at = html.find("name=\"statement\" value=\"")? + "name=\"statement\" value=\"".len();
    html[at..at + html[at..].find('"')?].parse().ok()
}

async fn vote(phone: &Browser, day: &Day, statement: i64, stance: &str) -> reqwest::Response {
    let token = phone.csrf_token(&day.path("/vote")).await;
    phone.post(&day.path("/vote"), &token, &[("statement", &statement.to_string()), ("stance", stance)]).await
}

#[tokio::test]
async fn an_attendee_joins_declares_votes_and_changes_a_vote_on_both_backends() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let day = open_day(&app, "Early years day", "none").await;
        let phone = app.browser();

        // The code as typed: wrong ones answer with the form and its error summary, never a 500.
        assert!(phone.page("/join").await.contains("Join a Deliberation Day"));
        let wrong = phone.post("/join", "", &[("code", "ZZZ-ZZZ")]).await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = wrong.text().await.unwrap();
        assert!(html.contains("There is a problem") && html.contains("href=\"#code\""), "{html}");
        assert!(html.contains("There is no Deliberation Day with that code"));
        let malformed = phone.post("/join", "", &[("code", "AB")]).await;
        assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let typed = format!("{}-{}", &day.code[..3], &day.code[3..]).to_lowercase();
        let found = phone.post("/join", "", &[("code", &typed)]).await;
        assert_eq!(found.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&found), day.path(""));
        assert_eq!(phone.get("/d/ZZZZZZ").await.status(), StatusCode::NOT_FOUND);

        // The first page sets the phone's cookie, scoped to this day, and asks who they are.
        let first = phone.get(&day.path("")).await;
        assert_eq!(first.status(), StatusCode::OK);
        let cookie = first
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with(&format!("heard_attendee_{}=", day.code)))
            .expect("the attendee cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains(&format!("Path=/d/{}", day.code)) && !cookie.contains("Secure"), "{cookie}");
        assert!(
            !first.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().starts_with("heard_session"))
        );
        assert!(first.text().await.unwrap().contains("Which best describes you today?"));

        let nameless = phone.submit(&day.path(""), &day.path(""), &[("kind", ""), ("sector", "moon")]).await;
        assert_eq!(nameless.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = nameless.text().await.unwrap();
        assert!(html.contains("href=\"#kind\"") && html.contains("href=\"#sector\""));
        assert_eq!(app.store.participation(day.id).await.unwrap().attendees, 0, "nothing saved");

        let declared = phone.submit(&day.path(""), &day.path(""), &[("kind", "carer"), ("sector", "health")]).await;
        assert_eq!(declared.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&declared), day.path("/before"), "the questionnaire comes first");
        let participation = app.store.participation(day.id).await.unwrap();
        assert_eq!(participation.attendees, 1);
        assert_eq!(participation.by_kind.get(&DeclaredKind::Carer), Some(&1));
        let again = phone.get(&day.path("")).await;
        assert_eq!((again.status(), location(&again)), (StatusCode::SEE_OTHER, day.path("/vote")), "joined goes on");

        // One statement at a time, never one already voted on, with progress.
        let mut seen = Vec::new();
        for n in 0..STATEMENTS.len() {
            let page = phone.page(&day.path("/vote")).await;
            assert!(page.contains(&format!("{n} of {}", STATEMENTS.len())), "progress {n}");
            let statement = statement_on(&page).expect("a statement to vote on");
            assert!(!seen.contains(&statement), "statement {statement} shown again after a vote");
            assert!(day.statements.contains(&statement));
            let response = vote(&phone, &day, statement, "agree").await;
            assert_eq!((response.status(), location(&response)), (StatusCode::SEE_OTHER, day.path("/vote")));
            seen.push(statement);
        }
        let done = phone.page(&day.path("/vote")).await;
        assert!(done.contains("You have voted on every statement") && statement_on(&done).is_none());
        assert!(done.contains(&day.path("/votes")) && done.contains(&day.path("/statements/new")));
        let statements = day.statements(&app).await;
        assert!(statements.iter().all(|s| (s.agree, s.disagree, s.pass) == (1, 0, 0)));

        // Changing a vote replaces it: counts move, the total does not grow.
        let mine = phone.page(&day.path("/votes")).await;
        assert_eq!(mine.matches("Your vote: <strong>Agree</strong>").count(), 3);
        let token = csrf_token_in(&mine).unwrap();
        let first = day.statements[0].to_string();
        let changed = phone.post(&day.path("/votes"), &token, &[("statement", &first), ("stance", "disagree")]).await;
        assert_eq!(changed.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&changed), day.path(&format!("/votes#statement-{first}")));
        let after = day.statements(&app).await;
        let changed = after.iter().find(|s| s.id == day.statements[0]).unwrap();
        assert_eq!((changed.agree, changed.disagree), (0, 1));
        assert_eq!(day.votes(&app).await, 3, "a changed vote is not a new one");
        assert!(phone.page(&day.path("/votes")).await.contains("Your vote: <strong>Disagree</strong>"));
        drop(app);
    }
}

#[tokio::test]
async fn the_next_statement_leaves_out_those_voted_on_whatever_others_did() {
    let app = TestApp::spawn().await;
    let day = open_day(&app, "Ordering day", "none").await;
    let others = joined(&app, &day, "practitioner").await;
    // Others vote on the first two; this attendee votes on the last; only the first two remain.
    for &s in &day.statements[..2] {
        assert_eq!(vote(&others, &day, s, "pass").await.status(), StatusCode::SEE_OTHER);
    }
    let phone = joined(&app, &day, "service_user").await;
    assert_eq!(vote(&phone, &day, day.statements[2], "disagree").await.status(), StatusCode::SEE_OTHER);
    let mut left = Vec::new();
    for _ in 0..2 {
        let statement = statement_on(&phone.page(&day.path("/vote")).await).unwrap();
        left.push(statement);
        vote(&phone, &day, statement, "agree").await;
    }
    left.sort_unstable();
    assert_eq!(left, day.statements[..2]);
}

#[tokio::test]
async fn a_phone_voting_too_fast_is_told_to_wait_and_nothing_counts_twice() {
    let app = TestApp::spawn().await;
    let day = open_day(&app, "Busy day", "none").await;
    let phone = joined(&app, &day, "other").await;
    let token = phone.csrf_token(&day.path("/vote")).await;
    let statement = day.statements[0].to_string();
    let (mut counted, mut refused) = (0, 0);
    for n in 0..40 {
        let stance = if n % 2 == 0 { "agree" } else { "disagree" };
        let response = phone.post(&day.path("/vote"), &token, &[("statement", &statement), ("stance", stance)]).await;
        match response.status() {
            StatusCode::SEE_OTHER => counted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                refused += 1;
                let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                assert!(wait >= 1);
                assert!(response.text().await.unwrap().contains("too many at once"));
            }
            other => panic!("vote {n} answered {other}"),
        }
    }
    assert!(counted >= 10 && refused > 0, "{counted} counted, {refused} refused");
    let statements = day.statements(&app).await;
    let first = statements.iter().find(|s| s.id == day.statements[0]).unwrap();
    assert_eq!(first.votes(), 1, "one vote per statement however many were sent");
    // Another phone is not slowed by the first.
    let other = joined(&app, &day, "carer").await;
    assert_eq!(vote(&other, &day, day.statements[1], "agree").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_day_not_yet_open_or_closed_says_so_and_counts_nothing_on_both_backends() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let day = open_day(&app, "Closing day", "none").await;
        let phone = joined(&app, &day, "commissioner").await;
        let token = phone.csrf_token(&day.path("/vote")).await;
        app.store.move_deliberation(day.id, DeliberationStatus::Closed).await.unwrap();

        let ended = phone.get(&day.path("")).await;
        assert_eq!(ended.status(), StatusCode::OK);
        assert!(ended.text().await.unwrap().contains("Closing day has ended, thank you"));
        assert!(phone.page(&day.path("/vote")).await.contains("has ended, thank you"));
        let late = phone
            .post(&day.path("/vote"), &token, &[("statement", &day.statements[0].to_string()), ("stance", "agree")])
            .await;
        assert_eq!(late.status(), StatusCode::CONFLICT);
        assert!(late.text().await.unwrap().contains("what you just sent was not counted"));
        assert_eq!(day.votes(&app).await, 0);
        let newcomer = app.browser().get(&day.path("")).await;
        assert!(newcomer.text().await.unwrap().contains("has ended, thank you"));

        let programme = app.store.programme("early-years").await.unwrap().unwrap();
        let input = DeliberationInput::parse(&DeliberationFields {
            title: "Later day".into(),
            held_on: DateParts { day: "1".into(), month: "4".into(), year: "2027".into() },
            prioritisation: "none".into(),
            ..DeliberationFields::default()
        })
        .unwrap();
        let draft = app.store.create_deliberation(programme.id, &input, &[], None).await.unwrap();
        let draft = app.store.deliberation(draft).await.unwrap().unwrap();
        let waiting = app.browser().page(&format!("/d/{}", draft.join_code)).await;
        assert!(waiting.contains("Later day has not started yet"));
        drop(app);
    }
}

#[tokio::test]
async fn votes_without_a_joined_phone_a_good_form_or_a_statement_of_this_day_are_refused() {
    for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
        let app = TestApp::spawn_on(backend).await;
        let day = open_day(&app, "Strict day", "none").await;
        let other_day = open_day(&app, "Other day", "none").await;
        let phone = joined(&app, &day, "carer").await;
        let token = phone.csrf_token(&day.path("/vote")).await;
        let statement = day.statements[0].to_string();

        // No cookie, or one the store does not know: 403, and a page that says to join.
        let stranger = app.browser();
        let response =
            stranger.post(&day.path("/vote"), &token, &[("statement", &statement), ("stance", "agree")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.text().await.unwrap().contains("You have not joined this Deliberation Day on this phone"));
        let forged = app
            .api_client()
            .post(app.url(&day.path("/vote")))
            .header("cookie", format!("heard_attendee_{}={}", day.code, "0".repeat(26)))
            .form(&[("csrf_token", token.as_str()), ("statement", &statement), ("stance", "agree")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let unjoined = stranger.get(&day.path("/vote")).await;
        assert_eq!((unjoined.status(), location(&unjoined)), (StatusCode::SEE_OTHER, day.path("")));

        // Another site's form (no token, or another phone's): 403.
        let no_token = phone.post(&day.path("/vote"), "", &[("statement", &statement), ("stance", "agree")]).await;
        assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
        let other_phone = joined(&app, &day, "carer").await;
        let theirs = other_phone.csrf_token(&day.path("/vote")).await;
        let crossed = phone.post(&day.path("/vote"), &theirs, &[("statement", &statement), ("stance", "agree")]).await;
        assert_eq!(crossed.status(), StatusCode::FORBIDDEN);

        // Malformed: 422 naming what is wrong.
        for fields in
            [[("statement", "seven"), ("stance", "agree")], [("statement", statement.as_str()), ("stance", "maybe")]]
        {
            let response = phone.post(&day.path("/vote"), &token, &fields).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        }
        // Another deliberation's statement, and one waiting for moderation: 422.
        let elsewhere = other_day.statements[0].to_string();
        let response = phone.post(&day.path("/vote"), &token, &[("statement", &elsewhere), ("stance", "agree")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("not part of this Deliberation Day"));
        assert_eq!(day.votes(&app).await + other_day.votes(&app).await, 0, "nothing counted");
        drop(app);
    }
}

#[tokio::test]
async fn an_attendee_adds_a_statement_that_waits_for_moderation() {
    let app = TestApp::spawn().await;
    let day = open_day(&app, "Adding day", "none").await;
    let phone = joined(&app, &day, "service_user").await;
    let form = day.path("/statements/new");
    let empty = phone.submit(&form, &form, &[("text", "  ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("href=\"#text\""));
    let duplicate = phone.submit(&form, &form, &[("text", "waiting lists are TOO long (test)")]).await;
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent = phone.submit(&form, &form, &[("text", "Nobody explains what happens next (test)")]).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert!(phone.page(&location(&sent)).await.contains("waits for a facilitator to accept it"));
    let added = day.statements(&app).await.into_iter().find(|s| s.text.starts_with("Nobody explains")).unwrap();
    assert_eq!(added.state, StatementState::Pending);
    // Not offered for votes until accepted.
    for _ in 0..STATEMENTS.len() {
        let statement = statement_on(&phone.page(&day.path("/vote")).await).unwrap();
        assert_ne!(statement, added.id);
        vote(&phone, &day, statement, "pass").await;
    }
    assert!(statement_on(&phone.page(&day.path("/vote")).await).is_none());
}

#[tokio::test]
async fn pairs_and_dots_are_recorded_on_both_backends() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let pairs = open_day(&app, "Pairs day", "pairwise").await;
        let phone = joined(&app, &pairs, "practitioner").await;
        let page = phone.page(&pairs.path("/pairs")).await;
        assert!(page.contains("Which of these two matters more?") && page.contains("I can't decide"));
        assert!(page.contains("Change number"), "the proposed change is shown");
        let hidden = |name: &str| -> i64 {
            let key = format!("name=\"{name}\" value=\"");
            let at = page.find(&key).unwrap() + key.len();
            page[at..at + page[at..].find('"').unwrap()].parse().unwrap()
        };
        let (left, right) = (hidden("left"), hidden("right"));
        assert!(pairs.propositions.contains(&left) && pairs.propositions.contains(&right) && left != right);
        let token = csrf_token_in(&page).unwrap();
        let chosen = phone
            .post(
                &pairs.path("/pairs"),
                &token,
                &[("left", &left.to_string()), ("right", &right.to_string()), ("pick", "left")],
            )
            .await;
        assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
        let outsider = phone
            .post(&pairs.path("/pairs"), &token, &[("left", "999999"), ("right", &right.to_string()), ("pick", "left")])
            .await;
        assert_eq!(outsider.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let choices = app.store.pairwise_choices(pairs.id).await.unwrap();
        assert_eq!(choices.len(), 1);
        assert_eq!((choices[0].left, choices[0].right, choices[0].pick), (left, right, Pick::Left));
        // The next pair is another one: this attendee has seen that one.
        let next = phone.page(&pairs.path("/pairs")).await;
        let key = |l: i64, r: i64| (l.min(r), l.max(r));
        let shown = |html: &str, name: &str| -> i64 {
            let k = format!("name=\"{name}\" value=\"");
            let at = html.find(&k).unwrap() + k.len();
            html[at..at + html[at..].find('"').unwrap()].parse().unwrap()
        };
        assert_ne!(key(shown(&next, "left"), shown(&next, "right")), key(left, right));
        assert!(next.contains("You have made 1 choice."));
        assert_eq!(phone.get(&pairs.path("/dots")).await.status(), StatusCode::NOT_FOUND);

        let dots = open_day(&app, "Dots day", "dots").await;
        let phone = joined(&app, &dots, "commissioner").await;
        let form = dots.path("/dots");
        let [a, b, c] = [0, 1, 2].map(|n| format!("dots.{}", dots.propositions[n]));
        let over = phone.submit(&form, &form, &[(&a, "3"), (&b, "3"), (&c, "")]).await;
        assert_eq!(over.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = over.text().await.unwrap();
        assert!(html.contains("href=\"#dots\"") && html.contains("You have 5 dots to place but placed 6: take 1 away"));
        let word = phone.submit(&form, &form, &[(&a, "two"), (&b, ""), (&c, "")]).await;
        assert_eq!(word.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(word.text().await.unwrap().contains(&format!("href=\"#dots-{}\"", dots.propositions[0])));
        assert!(app.store.dot_votes(dots.id).await.unwrap().is_empty(), "nothing saved");
        let placed = phone.submit(&form, &form, &[(&a, "3"), (&b, ""), (&c, "2")]).await;
        assert_eq!(placed.status(), StatusCode::SEE_OTHER);
        let mut recorded: Vec<(i64, u32)> =
            app.store.dot_votes(dots.id).await.unwrap().into_iter().map(|d| (d.proposition_id, d.dots)).collect();
        recorded.sort_unstable();
        assert_eq!(recorded, vec![(dots.propositions[0], 3), (dots.propositions[2], 2)]);
        let saved = phone.page(&form).await;
        assert!(saved.contains("Your dots are saved") && saved.contains("value=\"3\""));
        drop(app);
    }
}

#[tokio::test]
async fn the_questionnaire_is_answered_before_and_after_on_both_backends() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let day = open_day(&app, "Questions day", "none").await;
        let phone = joined(&app, &day, "carer").await;
        let [q1, q2] = [day.questions[0], day.questions[1]].map(|q| format!("q{q}"));
        let before = day.path("/before");
        let page = phone.page(&before).await;
        assert!(page.contains("Services listen to parents (test)") && page.contains("Strongly agree"));
        let half = phone.submit(&before, &before, &[(&q1, "4")]).await;
        assert_eq!(half.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(half.text().await.unwrap().contains(&format!("href=\"#{q2}\"")));
        let answered = phone.submit(&before, &before, &[(&q1, "2"), (&q2, "3")]).await;
        assert_eq!((answered.status(), location(&answered)), (StatusCode::SEE_OTHER, day.path("/vote")));
        let after = day.path("/after");
        let thanked = phone.submit(&after, &after, &[(&q1, "4"), (&q2, "3")]).await;
        assert_eq!(thanked.status(), StatusCode::SEE_OTHER);
        assert!(phone.page(&location(&thanked)).await.contains("your answers are saved"));
        let mut answers: Vec<(i64, Moment, i32)> = app
            .store
            .questionnaire_answers(day.id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.question_id, a.moment, a.value))
            .collect();
        answers.sort_unstable_by_key(|a| (a.0, a.1 == Moment::After));
        assert_eq!(
            answers,
            vec![
                (day.questions[0], Moment::Before, 2),
                (day.questions[0], Moment::After, 4),
                (day.questions[1], Moment::Before, 3),
                (day.questions[1], Moment::After, 3),
            ]
        );
        drop(app);
    }
}
