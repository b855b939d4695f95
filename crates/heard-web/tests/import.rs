//! Importing sources through the browser: a researcher uploads a CSV, XLSX or JSON Lines file; a
//! good file is imported, a bad one shows its problems by row and column and imports nothing
//! (unless the valid rows are asked for), and a file over the limit is refused with a message.

use heard_domain::governance::Role;
use heard_domain::voice::sources::SearchQuery;
use heard_store::SearchFilters;
use heard_testkit::{Browser, TestApp};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const PROGRAMME: &str = "early-years";
const IMPORT: &str = "/programmes/early-years/sources/import";

/// The form as a browser sends it: the CSRF token first, then the fields, then the file.
async fn upload(browser: &Browser, app: &TestApp, fields: &[(&str, &str)], file: (&str, Vec<u8>)) -> reqwest::Response {
    let token = browser.csrf_token(IMPORT).await;
    let mut form = Form::new().text("csrf_token", token);
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    form = form.part("file", Part::bytes(file.1).file_name(file.0.to_owned()));
    browser.client.post(app.url(IMPORT)).multipart(form).send().await.expect("the server answers")
}

/// How many of the programme's sources hold `word`.
async fn found(app: &TestApp, word: &str) -> i64 {
    let programme = app.store.programme(PROGRAMME).await.expect("store").expect("the demo programme");
    let filters = SearchFilters { programme_id: Some(programme.id), ..SearchFilters::default() };
    let query = SearchQuery::parse("q", word).expect("a query");
    app.store.search(&query, &filters, 0).await.expect("search").total
}

const BAD_CSV: &str = "text,kind,date,pseudonym,ward\n\
                       The snowdrop nursery helped,story,2024-03-01,Snow Parent,North\n\
                       Zed Quux at the snowdrop nursery,story,31/02/2024,,South\n\
                       Another snowdrop visit,poem,,,East\n";

#[tokio::test]
async fn the_form_uploads_with_a_progress_script_and_works_without_it() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let form = browser.page(IMPORT).await;
    assert!(form.contains("Import sources") && form.contains("enctype=\"multipart/form-data\""), "{form}");
    assert!(form.contains("Import the valid rows and skip the rest"));
    assert!(form.contains("<script type=\"module\" src=\"/assets/import.js\">"));
    let script = app.browser().get("/assets/import.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.text().await.expect("a body").contains("upload.addEventListener(\"progress\""));
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(IMPORT).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_good_csv_is_imported() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let file = "text,kind,date,pseudonym,participant kind,ward\n\
                The crocus nursery helped Crocus Parent,story,2024-03-01,Crocus Parent,parent,North\n\
                The crocus bus was late,field_note,,,,South\n";
    let response = upload(&browser, &app, &[], ("stories.csv", file.as_bytes().to_vec())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("a body");
    assert!(page.contains("Sources imported") && page.contains("2 sources imported into"), "{page}");
    assert!(page.contains("1 participant registered"), "{page}");
    assert_eq!(found(&app, "crocus").await, 2);
    let programme = app.store.programme(PROGRAMME).await.expect("store").expect("programme");
    let people = app.store.participants(programme.id).await.expect("store");
    assert!(people.iter().any(|p| p.pseudonym == "Crocus Parent"));
}

#[tokio::test]
async fn a_bad_file_shows_each_problem_by_row_and_column_and_imports_nothing() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let response = upload(&browser, &app, &[], ("stories.csv", BAD_CSV.as_bytes().to_vec())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.expect("a body");
    assert!(
        page.contains("govuk-error-summary") && page.contains("The file has 2 problems: nothing was imported"),
        "{page}"
    );
    assert!(page.contains("govuk-table"));
    let cell = |text: &str| format!(">{text}</td>");
    assert!(page.contains(&cell("3")) && page.contains(&cell("date")), "row 3, column date: {page}");
    assert!(page.contains(&cell("4")) && page.contains(&cell("kind")), "row 4, column kind");
    assert!(!page.contains("Zed"), "cells are never quoted");
    assert_eq!(found(&app, "snowdrop").await, 0, "nothing half-imported");

    // A file with no text column, and a file of another kind.
    let response = upload(&browser, &app, &[], ("stories.csv", b"words,date\nhello,\n".to_vec())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("a body").contains("there is no text column"));
    let response = upload(&browser, &app, &[], ("stories.pdf", b"%PDF-1.4".to_vec())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("a body").contains("must be a CSV"));
    let response = upload(&browser, &app, &[], ("empty.csv", Vec::new())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("a body").contains("Select a file to import"));
}

#[tokio::test]
async fn skipping_invalid_rows_imports_the_rest_and_lists_the_skipped() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let response =
        upload(&browser, &app, &[("skip_invalid", "yes")], ("stories.csv", BAD_CSV.as_bytes().to_vec())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("a body");
    assert!(page.contains("1 source imported into"), "{page}");
    assert!(page.contains("2 rows were skipped") && page.contains(">date</td>"), "{page}");
    assert!(!page.contains("Zed"));
    assert_eq!(found(&app, "snowdrop").await, 1);
}

#[tokio::test]
async fn an_oversize_file_gets_a_clear_message() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let mut big = b"text\n".to_vec();
    let line = b"a long line of words about the outsizeword service that goes on and on and on\n";
    while big.len() <= 100 * 1024 * 1024 {
        big.extend_from_slice(line);
    }
    // Streamed, with no length given in advance, so the server counts as it reads.
    let token = browser.csrf_token(IMPORT).await;
    let form =
        Form::new().text("csrf_token", token).part("file", Part::stream(reqwest::Body::from(big)).file_name("big.csv"));
    let response = browser.client.post(app.url(IMPORT)).multipart(form).send().await.expect("the server answers");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = response.text().await.expect("a body");
    assert!(page.contains("The file must be smaller than 100 MB"), "{page}");
    assert_eq!(found(&app, "outsizeword").await, 0);
}

#[tokio::test]
async fn xlsx_and_json_lines_work() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let workbook = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stories.xlsx")).expect("fixture");
    let response = upload(&browser, &app, &[], ("stories.xlsx", workbook)).await;
    let status = response.status();
    let page = response.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("2 sources imported"), "{page}");
    assert_eq!(found(&app, "bellflower").await, 2);

    let lines = "{\"text\": \"The foxglove helpline was kind\", \"area\": \"Fen\"}\n{\"text\": \"Foxglove again\"}\n";
    let response =
        upload(&browser, &app, &[("kind", "field_note")], ("stories.jsonl", lines.as_bytes().to_vec())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(found(&app, "foxglove").await, 2);
}

#[tokio::test]
async fn a_forged_or_garbled_upload_is_refused_without_importing() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let form = Form::new()
        .text("csrf_token", "not the token")
        .part("file", Part::bytes(b"text\nforged primrose\n".to_vec()).file_name("a.csv"));
    let response = browser.client.post(app.url(IMPORT)).multipart(form).send().await.expect("answers");
    assert!(response.status().is_client_error(), "{}", response.status());
    let response = browser
        .client
        .post(app.url(IMPORT))
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x\r\nnonsense")
        .send()
        .await
        .expect("answers");
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(found(&app, "primrose").await, 0);
}

#[tokio::test]
async fn columns_named_otherwise_are_mapped_on_the_form() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let file = "Comment text,When,Who\n\
                The tulip playgroup was warm,2024-04-02,Tulip Parent\n";
    // Without the mapping the text column is not found, and nothing is imported.
    let response = upload(&browser, &app, &[], ("survey.csv", file.as_bytes().to_vec())).await;
    let page = response.text().await.expect("a body");
    assert!(page.contains("there is no text column"), "the report names the missing column: {page}");
    assert_eq!(found(&app, "tulip").await, 0);
    let fields = [("column_text", "Comment text"), ("column_date", "When"), ("column_pseudonym", "Who")];
    let response = upload(&browser, &app, &fields, ("survey.csv", file.as_bytes().to_vec())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("a body");
    assert!(page.contains("1 source imported into"), "{page}");
    assert_eq!(found(&app, "tulip").await, 1);
    let programme = app.store.programme(PROGRAMME).await.expect("store").expect("programme");
    let people = app.store.participants(programme.id).await.expect("store");
    assert!(people.iter().any(|p| p.pseudonym == "Tulip Parent"), "the pseudonym column was read");
}
