//! Changing what was recorded: a signal's details edited (never its scores), its links to
//! programmes and factors taken away, signals and drivers deleted, drivers kept per programme,
//! and signals taken out as CSV in the full layout and put back unchanged.

use heard_domain::governance::Role;
use heard_store::horizon::SignalFilter;
use heard_testkit::{Browser, TestApp};
use reqwest::StatusCode;

use super::{SIGNAL, id_from};

/// Adds the test signal (linked to Dementia) as `browser`; its id.
async fn add_signal(browser: &Browser) -> i64 {
    let response = browser.submit("/signals/new", "/signals", SIGNAL).await;
    assert_eq!(response.status(), 303);
    id_from(&response)
}

/// The descriptive fields of the edit form, with `changes` in place of the test signal's.
fn edit_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let descriptive = [
        "title",
        "summary",
        "source_url",
        "spotted_on.day",
        "spotted_on.month",
        "spotted_on.year",
        "primary_category",
        "categories",
        "kind",
    ];
    let mut fields: Vec<(&str, &str)> = SIGNAL
        .iter()
        .filter(|(name, _)| descriptive.contains(name) && !changes.iter().any(|(changed, _)| changed == name))
        .copied()
        .collect();
    fields.extend_from_slice(changes);
    fields
}

async fn status_and_text(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_signals_details_are_changed_and_its_scores_are_not() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let id = add_signal(&researcher).await;
    let page = format!("/signals/{id}");
    let edit = format!("/signals/{id}/edit");
    assert!(researcher.page(&page).await.contains(&format!("href=\"{edit}\"")), "the signal's page offers the change");

    let form = researcher.page(&edit).await;
    assert!(form.contains("value=\"Home monitoring kits (test)\""), "the form holds the signal's title");
    assert!(form.contains("example.org"), "and its source");

    // Roles that may not change signals are refused, and change nothing.
    assert_eq!(app.signed_in(Role::Viewer).await.get(&edit).await.status(), 403);
    let administrator = app.signed_in(Role::Administrator).await;
    assert_eq!(administrator.get(&edit).await.status(), 403);
    let response = administrator.submit(&page, &edit, &edit_fields(&[("title", "Taken over (test)")])).await;
    assert_eq!(response.status(), 403);

    // Bad input names each field, keeps what was typed and saves nothing, not even the good fields.
    let bad = edit_fields(&[
        ("title", ""),
        ("summary", "A summary typed again (test)"),
        ("source_url", "ftp://example.org/report"),
        ("spotted_on.day", "31"),
        ("spotted_on.month", "2"),
        ("kind", "omen"),
    ]);
    let (status, html) = status_and_text(researcher.submit(&edit, &edit, &bad).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("govuk-error-summary"));
    for field in ["#title", "#source_url", "#spotted_on", "#kind"] {
        assert!(html.contains(&format!("href=\"{field}\"")), "the error summary links {field}");
    }
    assert!(html.contains("A summary typed again (test)"), "values are kept as typed");
    assert!(html.contains("value=\"ftp:"), "the bad address is kept to be corrected");
    let unchanged = app.store.signal(id).await.unwrap().unwrap();
    assert_eq!(unchanged.title, "Home monitoring kits (test)");
    assert_eq!(unchanged.summary, "Families buy sensors to watch over a relative with dementia.");

    // Scores sent with the form are not the form's to change.
    let good = edit_fields(&[
        ("title", "Home monitoring kits in every chemist (test)"),
        ("primary_category", "economic"),
        ("categories", "technological"),
        ("kind", "trend"),
        ("source_publication", "Trade press (test)"),
        ("spotted_by", "A researcher (demo)"),
        ("so_what", "Families will ask us which to buy."),
        ("review_on.day", "1"),
        ("review_on.month", "6"),
        ("review_on.year", "2027"),
        ("impact", "1"),
        ("horizon", "h1"),
    ]);
    let response = researcher.submit(&edit, &edit, &good).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], page.as_str());
    let html = researcher.page(&page).await;
    assert!(html.contains("Home monitoring kits in every chemist (test)"));
    assert!(html.contains("Scored 1 time"), "no new scoring");
    let changed = app.store.signal(id).await.unwrap().unwrap();
    assert_eq!(changed.title, "Home monitoring kits in every chemist (test)");
    assert_eq!(changed.categories.iter().map(|c| c.code()).collect::<Vec<_>>(), ["economic", "technological"]);
    assert_eq!(changed.kind.code(), "trend");
    assert_eq!(changed.source_publication.as_deref(), Some("Trade press (test)"));
    assert_eq!(changed.spotted_by.as_deref(), Some("A researcher (demo)"));
    assert_eq!(changed.so_what.as_deref(), Some("Families will ask us which to buy."));
    assert_eq!(changed.review_on, Some(time::Date::from_calendar_date(2027, time::Month::June, 1).unwrap()));
    assert_eq!(changed.current, unchanged.current, "the scores are as they were");
    assert_eq!(changed.programmes, unchanged.programmes, "the links are as they were");

    // A blank optional field clears it.
    let cleared = edit_fields(&[("title", "Home monitoring kits in every chemist (test)"), ("source_url", "")]);
    assert_eq!(researcher.submit(&edit, &edit, &cleared).await.status(), 303);
    let cleared = app.store.signal(id).await.unwrap().unwrap();
    assert_eq!(cleared.source_url, None);
    assert_eq!(cleared.review_on, None);

    assert_eq!(researcher.get("/signals/999999/edit").await.status(), 404);
}

/// The value of the first option of the select called `name` on `html`.
fn first_option(html: &str, name: &str) -> String {
    let select = html.find(&format!("name=\"{name}\"")).expect("the select is on the page");
    let rest = &html[select..];
    let at = rest.find("<option value=\"").expect("an option") + "<option value=\"".len();
    rest[at..at + rest[at..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_signal_is_unlinked_from_its_programme_and_factor() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let id = add_signal(&researcher).await;
    let page = format!("/signals/{id}");
    let factor = first_option(&researcher.page(&page).await, "factor");
    let response = researcher.submit(&page, &format!("/signals/{id}/factors"), &[("factor", &factor)]).await;
    assert_eq!(response.status(), 303);
    let linked = app.store.signal(id).await.unwrap().unwrap();
    assert_eq!(linked.factors.len(), 1);
    assert_eq!(linked.programmes.len(), 1);

    let html = researcher.page(&page).await;
    let factors = &html[html.find("id=\"factors\"").expect("the factors are listed")..];
    assert!(factors.contains(&format!("name=\"factor\" value=\"{factor}\"")), "the factor can be unlinked");
    assert!(factors.contains("Unlink<span class=\"govuk-visually-hidden\"> from "));
    let programmes = &html[html.find("id=\"programmes\"").expect("the programmes are listed")..];
    assert!(programmes.contains("name=\"programme\" value=\"dementia\""), "the programme can be unlinked");

    // Roles that may not change signals see no button and are refused.
    let administrator = app.signed_in(Role::Administrator).await;
    let administrator_page = administrator.page(&page).await;
    assert!(!administrator_page.contains("name=\"unlink\""), "no unlink buttons for a role that may not");
    let unlink_factor = [("factor", factor.as_str()), ("unlink", "yes")];
    let response = administrator.submit(&page, &format!("/signals/{id}/factors"), &unlink_factor).await;
    assert_eq!(response.status(), 403);
    let unlink_programme = [("programme", "dementia"), ("unlink", "yes")];
    let response = administrator.submit(&page, &format!("/signals/{id}/programmes"), &unlink_programme).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.store.signal(id).await.unwrap().unwrap(), linked, "nothing changed");

    // An unknown programme is named and nothing changes.
    let unknown = [("programme", "no-such-programme"), ("unlink", "yes")];
    let (status, html) =
        status_and_text(researcher.submit(&page, &format!("/signals/{id}/programmes"), &unknown).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#programme\""));
    assert_eq!(app.store.signal(id).await.unwrap().unwrap().programmes.len(), 1);

    let response = researcher.submit(&page, &format!("/signals/{id}/factors"), &unlink_factor).await;
    assert_eq!(response.status(), 303);
    let response = researcher.submit(&page, &format!("/signals/{id}/programmes"), &unlink_programme).await;
    assert_eq!(response.status(), 303);
    let unlinked = app.store.signal(id).await.unwrap().unwrap();
    assert!(unlinked.factors.is_empty() && unlinked.programmes.is_empty());
    assert_eq!(unlinked.scorings, 1, "unlinking keeps the signal and its scores");
    let dementia = researcher.page("/signals?programme=dementia").await;
    assert!(!dementia.contains("Home monitoring kits (test)"), "no longer in the programme's list");
    let html = researcher.page(&page).await;
    assert!(html.contains("Not linked to a programme.") && html.contains("Not linked to a factor."));
}

#[tokio::test]
async fn a_signal_is_deleted_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let id = add_signal(&researcher).await;
    let page = format!("/signals/{id}");
    let delete = format!("/signals/{id}/delete");
    assert!(researcher.page(&page).await.contains(&format!("action=\"{delete}\"")));

    let (status, html) = status_and_text(researcher.submit(&page, &delete, &[]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#confirm\""), "the error summary names the box to tick");
    assert!(app.store.signal(id).await.unwrap().is_some(), "not deleted unconfirmed");

    let administrator = app.signed_in(Role::Administrator).await;
    assert_eq!(administrator.submit(&page, &delete, &[("confirm", "yes")]).await.status(), 403);
    assert!(app.store.signal(id).await.unwrap().is_some());

    let response = researcher.submit(&page, &delete, &[("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/signals");
    assert_eq!(researcher.get(&page).await.status(), 404);
    assert!(app.store.signal(id).await.unwrap().is_none());
    let csrf = researcher.csrf_token("/signals/new").await;
    assert_eq!(researcher.post(&delete, &csrf, &[("confirm", "yes")]).await.status(), 404, "gone already");
}

#[tokio::test]
async fn drivers_are_listed_per_programme_and_deleted_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let commissioner = app.signed_in(Role::Commissioner).await;
    let list = "/drivers?programme=dementia";
    assert!(commissioner.page(list).await.contains("name=\"programme\" value=\"dementia\""));

    // A driver added from a programme's list is that programme's.
    let fields = [("programme", "dementia"), ("name", "Families care from afar (test)")];
    let response = commissioner.submit(list, "/drivers", &fields).await;
    assert_eq!(response.status(), 303);
    let id = id_from(&response);
    assert!(app.store.driver(id).await.unwrap().unwrap().programme_id.is_some());
    let organisation = [("name", "Money is tight everywhere (test)")];
    let response = commissioner.submit("/drivers", "/drivers", &organisation).await;
    assert_eq!(response.status(), 303);

    let dementia = commissioner.page(list).await;
    assert!(dementia.contains("Families care from afar (test)"));
    assert!(dementia.contains("Money is tight everywhere (test)"), "the organisation's drivers show everywhere");
    let other = commissioner.page("/drivers?programme=early-years").await;
    assert!(!other.contains("Families care from afar (test)"), "not another programme's");
    assert!(other.contains("Money is tight everywhere (test)"));
    assert!(commissioner.page("/drivers").await.contains("Families care from afar (test)"));
    let signals = commissioner.page("/signals?programme=dementia").await;
    assert!(signals.contains(&format!("href=\"/drivers/{id}\"")), "the programme's signals list its drivers");
    assert!(!commissioner.page("/signals?programme=early-years").await.contains(&format!("href=\"/drivers/{id}\"")));
    assert_eq!(commissioner.get("/drivers?programme=no-such-programme").await.status(), 404);

    // A bad driver keeps its programme and names its field.
    let bad = [("programme", "dementia"), ("name", ""), ("impact", "9")];
    let (status, html) = status_and_text(commissioner.submit(list, "/drivers", &bad).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#name\"") && html.contains("href=\"#impact\""));
    assert!(html.contains("name=\"programme\" value=\"dementia\""), "still adding to the programme");

    // Deleting: confirmed, by a role that may, and the signals stay.
    let signal = app.store.signals(SignalFilter::default()).await.unwrap()[0].id;
    app.store.set_driver_signals(id, &[signal]).await.unwrap();
    let page = format!("/drivers/{id}");
    let delete = format!("/drivers/{id}/delete");
    let (status, html) = status_and_text(commissioner.submit(&page, &delete, &[]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#confirm\""));
    let administrator = app.signed_in(Role::Administrator).await;
    assert_eq!(administrator.submit(&page, &delete, &[("confirm", "yes")]).await.status(), 403);
    assert!(app.store.driver(id).await.unwrap().is_some(), "not deleted yet");
    let response = commissioner.submit(&page, &delete, &[("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(commissioner.get(&page).await.status(), 404);
    assert!(app.store.signal(signal).await.unwrap().is_some(), "its signal stays");
}

#[tokio::test]
async fn signals_in_the_full_layout_go_in_and_come_out_the_same() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Researcher).await;
    let client = app.api_client();
    let researcher = app.signed_in(Role::Researcher).await;
    let export = || async {
        let response = researcher.get("/signals/export?format=full&programme=dementia").await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let header = lines.remove(0);
        lines.sort();
        (header, lines)
    };
    let (header, before) = export().await;
    assert_eq!(
        header,
        "title,summary,kind,categories,horizon,impact,uncertainty,confidence,score_note,so_what,source_url,\
         source_publication,spotted_on,spotted_by,review_on"
    );
    let rows = [
        "\"Drones deliver prescriptions, in trials (test)\",Rural pharmacies try drones.,signal,technological;economic,\
         H2,3,4,low,First look,Faster medicines at home,https://example.org/drones,Trade press (test),2026-10-01,\
         A researcher (demo),2027-04-30",
        "Carers' wages fall behind (test),\"Care pay trails shop pay, \"\"again\"\".\",trend,economic,H1,5,2,high,,,,,\
         2026-09-15,,",
    ];
    let csv = format!("{header}\n{}\n", rows.join("\n"));
    let response = client
        .post(app.url("/api/v1/signals/import?programme=dementia&format=full"))
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

    let (_, after) = export().await;
    let mut expected: Vec<String> = before.iter().cloned().chain(rows.iter().map(|r| (*r).to_owned())).collect();
    expected.sort();
    assert_eq!(after, expected, "the export holds the rows imported, as they were, and the rows it had");
}
