//! The demo's coding: an Early Years codebook (a hierarchy, and one organisation code), the
//! programme's sources coded by two researchers who agree mostly and not always (so agreement has
//! figures and disagreements to show), memos, insights with evidence for and against, a batch of
//! synthetic survey comments nobody has coded yet, and a theme-discovery run over them.

use std::collections::BTreeMap;

use heard_analysis::coding::themes::{ThemeOptions, discover};
use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::coding::codebook::{CodeInput, MemoTarget, Stance};
use heard_domain::voice::sources::SourceKind;
use time::macros::date;

use crate::coding::NewTheme;
use crate::{NewSource, SearchFilters, Store, StoreError};

/// The seed of the demo's theme-discovery run.
pub const DEMO_THEME_SEED: u64 = 1;

/// Codes as (name, parent's name, description); parents come first.
const CODES: &[(&str, Option<&str>, &str)] = &[
    ("Access to support", None, "What stands between a family and help"),
    ("Waiting", Some("Access to support"), "Waiting lists, call-backs, referrals that take weeks"),
    ("Getting there", Some("Access to support"), "Distance, buses, fares"),
    ("Told too late", Some("Access to support"), "Hearing about help only after it would have mattered"),
    ("Telling the story again", None, "Repeating the same story to service after service"),
    ("Family and informal care", None, "Grandparents, relatives and friends who carry the care"),
    ("Respite and short breaks", None, "A break from caring, wanted or missed"),
];

/// The organisation's code, shared by every programme.
const SHARED_CODE: (&str, &str) = ("Positive experience", "Something that went well, said in people's own words");

/// Codings as (source title, the words coded, Riley's codes, Sam's codes).
type DemoCoding = (&'static str, &'static str, &'static [&'static str], &'static [&'static str]);

const CODINGS: &[DemoCoding] = &[
    ("The first weeks at home", "nobody called back for three weeks", &["Waiting"], &["Waiting"]),
    ("The first weeks at home", "then we were on our own", &["Told too late"], &[]),
    ("The first weeks at home", "coming to stay", &["Family and informal care"], &["Family and informal care"]),
    ("Interview with a health visitor", "Caseloads, mostly.", &["Waiting"], &[]),
    (
        "Interview with a health visitor",
        "had been referred twice before anyone saw her",
        &["Waiting"],
        &["Waiting", "Access to support"],
    ),
    ("Interview with a health visitor", "two buses from the clinic", &["Getting there"], &["Getting there"]),
    (
        "Interview with a health visitor",
        "Families tell the same story five times.",
        &["Telling the story again"],
        &["Telling the story again"],
    ),
    ("Interview with a health visitor", "One place to go.", &[], &["Telling the story again"]),
    (
        "Stay and play at the children's centre",
        "the bus fare, four pounds twenty return, stops them coming every week",
        &["Getting there"],
        &["Getting there"],
    ),
    (
        "Stay and play at the children's centre",
        "something people had heard of but could not get onto",
        &["Respite and short breaks"],
        &["Told too late"],
    ),
    (
        "Survey: being a young parent",
        "nobody told me about the children's centre until she was one",
        &["Told too late"],
        &["Told too late"],
    ),
    (
        "Survey: being a young parent",
        "every form asked the same questions",
        &["Telling the story again"],
        &["Telling the story again"],
    ),
    (
        "Survey: being a young parent",
        "Respite for an afternoon a week would have saved me.",
        &["Respite and short breaks"],
        &["Respite and short breaks"],
    ),
    ("Survey: being a young parent", "The midwife was kind", &["Positive experience"], &["Positive experience"]),
    (
        "Listening event: parents' evening",
        "the waiting list for speech and language therapy was longer than her son had been alive",
        &["Waiting"],
        &["Waiting"],
    ),
    (
        "Listening event: parents' evening",
        "grandparents do much of the childcare and are never asked what they need",
        &["Family and informal care"],
        &["Family and informal care"],
    ),
    (
        "Listening event: parents' evening",
        "help arrives only after a crisis",
        &["Told too late"],
        &["Access to support"],
    ),
];

/// Insights as (statement, supporting excerpts, excerpts that cut against it), each excerpt by
/// (source title, words).
type DemoInsight = (&'static str, &'static [(&'static str, &'static str)], &'static [(&'static str, &'static str)]);

const INSIGHTS: &[DemoInsight] = &[
    (
        "Families hear about support too late, often only after a crisis.",
        &[
            ("Survey: being a young parent", "nobody told me about the children's centre until she was one"),
            ("Listening event: parents' evening", "help arrives only after a crisis"),
            ("The first weeks at home", "then we were on our own"),
        ],
        &[("Stay and play at the children's centre", "something people had heard of but could not get onto")],
    ),
    (
        "Parents tell the same story again and again to different services.",
        &[
            ("Interview with a health visitor", "Families tell the same story five times."),
            ("Survey: being a young parent", "every form asked the same questions"),
        ],
        &[],
    ),
    (
        "Grandparents carry much of the care and are never asked what they need.",
        &[
            (
                "Listening event: parents' evening",
                "grandparents do much of the childcare and are never asked what they need",
            ),
            ("The first weeks at home", "coming to stay"),
        ],
        &[],
    ),
];

/// A fresh batch of survey comments that nobody has coded: what theme discovery works on. Their
/// titles mark them as demo data; their text is left plain so that the marker is no theme.
const SURVEY_COMMENTS: &[&str] = &[
    "The bus to the children's centre only runs twice a day so we miss the sessions.",
    "Bus fares are too dear for a weekly class when you have two small children.",
    "No bus on Saturdays means the family sessions are out of reach for us.",
    "We walk forty minutes each way because the bus does not go near the centre.",
    "The taxi costs more than the session is worth, so we stopped going.",
    "Transport is the biggest problem: no car, and the bus route was cut last year.",
    "Waited nine months for speech therapy and he started school without it.",
    "The waiting list for the speech and language team is far too long.",
    "Still waiting for an assessment after the health visitor referred us in spring.",
    "Months on a waiting list, then a letter saying the referral had expired.",
    "We were told the wait for a developmental check was over six months.",
    "The stay and play group is wonderful and the staff know every child by name.",
    "Baby massage at the centre helped me meet other mums, I loved it.",
    "The play sessions are the best part of our week, the staff are so kind.",
    "Singing group at the library is friendly and my daughter adores it.",
    "Lovely staff at the centre, they made me feel welcome from day one.",
    "Nobody told us about the free childcare hours until our son was nearly three.",
    "I only found out about the parenting course from another mum in the park.",
    "Information about support is scattered; every service has a different leaflet.",
    "We heard about the short break scheme too late to apply this year.",
    "The forms ask for the same information again and again.",
    "Childcare costs more than I earn, so going back to work makes no sense.",
    "Nursery fees went up again and we cannot afford more than two days.",
    "Childminders nearby are full and the nursery fees are too high for us.",
];

/// Writes the demo's coding into Early Years. `riley` and `sam` are the two researchers.
pub(super) async fn load(store: &Store, early_years: i64, riley: i64, sam: i64) -> Result<(), StoreError> {
    // The codebook.
    let mut codes: BTreeMap<&str, i64> = BTreeMap::new();
    for (name, parent, description) in CODES {
        let input = CodeInput {
            name: (*name).to_owned(),
            description: Some((*description).to_owned()),
            colour: None,
            parent_id: parent.and_then(|p| codes.get(p).copied()),
        };
        codes.insert(name, store.add_code(Some(early_years), &input, riley).await?);
    }
    let shared = CodeInput {
        name: SHARED_CODE.0.to_owned(),
        description: Some(SHARED_CODE.1.to_owned()),
        colour: None,
        parent_id: None,
    };
    codes.insert(SHARED_CODE.0, store.add_code(None, &shared, riley).await?);

    // Each source's redacted text by title, to find the words coded in it.
    let filters = SearchFilters { programme_id: Some(early_years), ..SearchFilters::default() };
    let (summaries, _) = store.sources(&filters, 0).await?;
    let mut texts: BTreeMap<String, (i64, String)> = BTreeMap::new();
    for summary in summaries {
        if let Some(source) = store.source(early_years, summary.id).await? {
            texts.insert(source.title.clone(), (source.id, source.redacted_text));
        }
    }
    let place = |title: &str, words: &str| -> Result<(i64, (usize, usize)), StoreError> {
        let (id, text) = texts.get(title).ok_or(StoreError::NotFound)?;
        let at = text.find(words).ok_or(StoreError::NotFound)?;
        let start = text[..at].chars().count();
        Ok((*id, (start, start + words.chars().count())))
    };
    let ids = |names: &[&str]| names.iter().filter_map(|n| codes.get(n).copied()).collect::<Vec<_>>();
    let mut excerpts: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for (title, words, by_riley, by_sam) in CODINGS {
        let (source, span) = place(title, words)?;
        for (coder, names) in [(riley, *by_riley), (sam, *by_sam)] {
            if !names.is_empty() {
                let excerpt = store.code_span(early_years, source, span, &ids(names), coder).await?;
                excerpts.insert((title, words), excerpt);
            }
        }
    }

    // Memos.
    let told_too_late = codes.get("Told too late").copied().ok_or(StoreError::NotFound)?;
    store
        .add_memo(
            early_years,
            MemoTarget::Code,
            told_too_late,
            "Sam and I disagree where this ends and Access to support begins: talk before the next round. (demo memo)",
            riley,
        )
        .await?;
    let (young_parent, _) = place("Survey: being a young parent", "The midwife was kind")?;
    store
        .add_memo(
            early_years,
            MemoTarget::Source,
            young_parent,
            "Kind people, the wrong system: the same answer we hear at every listening event. (demo memo)",
            sam,
        )
        .await?;

    // Insights with their evidence.
    for (statement, supports, against) in INSIGHTS {
        let insight = store.add_insight(early_years, statement, riley).await?;
        for (stance, pieces) in [(Stance::Supports, *supports), (Stance::Contradicts, *against)] {
            for key in pieces {
                let excerpt = excerpts.get(key).copied().ok_or(StoreError::NotFound)?;
                store.attach_evidence(early_years, insight, excerpt, stance, riley).await?;
            }
        }
    }

    // A batch of survey comments nobody has coded, and themes discovered in them.
    let redactor = Redactor::new();
    for (n, comment) in SURVEY_COMMENTS.iter().enumerate() {
        let new = NewSource {
            kind: SourceKind::SurveyResponse,
            title: Some(format!("Autumn survey comment {} (demo)", n + 1)),
            text: Screened::new(&redactor, (*comment).to_owned()),
            collected_on: Some(date!(2014 - 10 - 06)),
            activity_id: None,
            participant_ids: Vec::new(),
            attributes: BTreeMap::from([("batch".to_owned(), "Autumn survey (demo)".to_owned())]),
            media: None,
            cue_timings: None,
        };
        store.add_source(early_years, &new, Some(riley)).await?;
    }
    let uncoded = store.uncoded_sources(early_years).await?;
    let texts: Vec<&str> = uncoded.iter().map(|u| u.text.as_str()).collect();
    // Six themes: the batch holds five topics (transport, waiting, activities, information, cost) and
    // the programme's other uncoded sources make a sixth.
    let options = ThemeOptions { seed: DEMO_THEME_SEED, themes: Some(6), ..ThemeOptions::default() };
    let found = discover(&texts, &options);
    let themes: Vec<NewTheme> = found
        .themes
        .iter()
        .map(|theme| NewTheme {
            top_terms: theme.top_terms.clone(),
            member_ids: theme.members.iter().map(|&i| uncoded[i].source_id).collect(),
            representative_ids: theme.representatives.iter().map(|&i| uncoded[i].source_id).collect(),
        })
        .collect();
    let seed = i64::try_from(DEMO_THEME_SEED).unwrap_or(0);
    let count = i64::try_from(uncoded.len()).unwrap_or(i64::MAX);
    store.save_theme_run(early_years, seed, count, &themes, riley).await?;
    Ok(())
}
