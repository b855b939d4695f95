//! Matrices and agreement through the pages: counts that open the excerpts behind them, codes by
//! kind of participant, kappa and alpha for two researchers' coding with their disagreements, and
//! what the page says when nothing can be compared.

use heard_domain::governance::Role;
use heard_testkit::TestApp;
use reqwest::StatusCode;

use crate::insights::fixture;

/// The text of each cell of the table row headed `label` (tags dropped), after `from` in `page`.
fn row(page: &str, from: usize, label: &str) -> Vec<String> {
    let head = format!("<th scope=\"row\" class=\"govuk-table__header\">{label}</th>");
    let at = from + page[from..].find(&head).unwrap_or_else(|| panic!("a row {label}"));
    let end = page[at..].find("</tr>").unwrap();
    page[at..at + end]
        .split("<td")
        .skip(1)
        .map(|cell| {
            let mut text = String::new();
            let mut inside = true;
            for c in cell.chars() {
                match c {
                    '<' => inside = true,
                    '>' => inside = false,
                    c if !inside => text.push(c),
                    _ => {}
                }
            }
            text.split_whitespace().next().unwrap_or_default().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn matrices_count_where_codes_meet_and_open_the_excerpts_behind_each_count() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let researcher = app.signed_in(Role::Researcher).await;
    let page = researcher.page("/programmes/dementia/matrices").await;
    assert!(page.contains("<caption") && page.contains("scope=\"col\""));
    // Codes in tree order (by name): Respite, then Waiting.
    assert_eq!(row(&page, 0, "1. Respite (test)"), ["1", "1"]);
    assert_eq!(row(&page, 0, "2. Waiting (test)"), ["1", "3"], "the diagonal counts each code's excerpts");
    let pair = format!("/programmes/dementia/matrices/excerpts?a={}&amp;b={}", f.waiting, f.respite);
    assert!(page.contains(&pair), "a non-zero count links to its excerpts");

    // Codes by kind of participant, the default.
    let by = page.find("Codes by who was heard").unwrap();
    assert!(page[by..].contains(">Carer</th>") && page[by..].contains(">Practitioner</th>"));
    assert_eq!(row(&page, by, "1. Respite (test)"), ["0", "1"]);
    assert_eq!(row(&page, by, "2. Waiting (test)"), ["2", "1"]);
    let by_area = researcher.page("/programmes/dementia/matrices?attribute=area").await;
    let by = by_area.find("Codes by who was heard").unwrap();
    assert_eq!(row(&by_area, by, "2. Waiting (test)"), ["3"]);
    assert!(by_area.contains("value=Riverside+%28test%29"), "values are encoded in the link");

    // The excerpts behind a count.
    let both =
        researcher.page(&format!("/programmes/dementia/matrices/excerpts?a={}&b={}", f.waiting, f.respite)).await;
    assert!(both.contains("Excerpts coded Waiting (test) and Respite (test)"));
    assert!(both.contains("withheld test words") && !both.contains("We waited eleven weeks"));
    assert!(both.contains("Second Coder (test)"), "who applied each code");
    assert!(both.contains(&format!("/programmes/dementia/sources/{}", f.note)));
    let carers = researcher
        .page(&format!("/programmes/dementia/matrices/excerpts?code={}&attribute=kind&value=carer", f.waiting))
        .await;
    assert!(carers.contains("We waited eleven weeks") && !carers.contains("withheld test words"), "{carers}");
    assert_eq!(carers.matches("<blockquote").count(), 2);
    assert!(carers.contains("hearing Carer"));
    let none = researcher
        .page(&format!("/programmes/dementia/matrices/excerpts?code={}&attribute=kind&value=carer", f.respite))
        .await;
    assert!(none.contains("No excerpts."));

    // Unknown codes and attributes are not found; the matrices are not for commissioners.
    let unknown = researcher.get("/programmes/dementia/matrices/excerpts?a=999999&b=1").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown = researcher
        .get(&format!("/programmes/dementia/matrices/excerpts?code={}&attribute=shoe&value=x", f.waiting))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let commissioner = app.signed_in(Role::Commissioner).await;
    assert_eq!(commissioner.get("/programmes/dementia/matrices").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(commissioner.get("/programmes/dementia/agreement").await.status(), StatusCode::FORBIDDEN);
    // A facilitator reads them.
    app.signed_in(Role::Facilitator).await.page("/programmes/dementia/matrices").await;
}

#[tokio::test]
async fn agreement_gives_kappa_and_alpha_and_lists_where_coders_disagree() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let page = researcher.page("/programmes/dementia/agreement").await;
    assert!(page.contains("Fewer than two researchers have coded any one source"), "{page}");

    let f = fixture(&app).await;
    let page = researcher.page("/programmes/dementia/agreement").await;
    assert!(page.contains("Cohen&#x27;s kappa per code at character level") || page.contains("Cohen's kappa per code"));
    assert!(page.contains("mean of pairwise kappas") && page.contains("Krippendorff"));
    let measured = app.store.agreement(f.programme).await.unwrap();
    assert_eq!(measured.sources.len(), 2);
    let demo = app.demo_user(Role::Researcher).await.display_name;
    assert!(page.contains(&demo) && page.contains("Second Coder (test)"), "both coders are named");
    assert!(page.contains(&format!("/programmes/dementia/sources/{}", f.story)));
    // Respite: both coders applied it to the same characters.
    let respite = row(&page, 0, "Respite (test)");
    assert_eq!(respite[0], "115", "the characters of both sources");
    assert_eq!(respite[1], "100.0%");
    assert_eq!(respite[2], "1.00");
    let waiting = row(&page, 0, "Waiting (test)");
    let kappa = measured.codes.iter().find(|c| c.code == f.waiting).unwrap().kappa.unwrap();
    assert_eq!(waiting[2], format!("{kappa:.2}"));
    assert!(kappa < 1.0);
    // Where they differ: the rest of the carer's first sentence, and the whole note for Waiting.
    assert!(page.contains("Where coders disagree"));
    assert!(page.contains("ks for respite."), "the redacted words of the disagreement");
    assert!(page.contains("Respite beds are scarce on the ward (withheld test words)"));
    assert_eq!(measured.disagreements.len(), 2);
    assert!(measured.coders.contains(&f.second));
}
