//! The demo's horizon scanning: eight synthetic signals for each programme (titles, summaries and
//! `example.org` sources all made up), some re-scored so movement shows, some past their review
//! date on the demo's last day (31 December 2015), and three drivers, one with hand-set scores.

use heard_domain::horizon::signals::{
    Category, Confidence, DriverInput, Horizon, Score, Scoring, SignalInput, SignalKind,
};
use time::Date;
use time::macros::date;

use crate::{Store, StoreError};

use Category::{Economic, Environmental, Legal, Political, Social, Technological, Values};
use Horizon::{H1, H2, H3};
use SignalKind::{Driver, Signal, Trend, WildCard};

/// A demo signal: title, summary, categories (primary first), kind, (horizon, impact,
/// uncertainty), a re-scoring if there was one, review date, so what.
type DemoSignal = (
    &'static str,
    &'static str,
    &'static [Category],
    SignalKind,
    (Horizon, u8, u8),
    Option<(Horizon, u8, u8, &'static str)>,
    Option<Date>,
    &'static str,
);

const EARLY_YEARS: &[DemoSignal] = &[
    (
        "Grandparents as main childcare (demo)",
        "A synthetic survey finds more families naming grandparents as their main childcare.",
        &[Social, Economic],
        Trend,
        (H1, 4, 2),
        None,
        Some(date!(2015 - 11 - 30)),
        "Support for parents may need to reach grandparents too.",
    ),
    (
        "Health visiting by video (demo)",
        "Made-up pilots offer some health visitor contacts by video call.",
        &[Technological],
        Signal,
        (H2, 3, 4),
        Some((H1, 4, 3, "Pilots spread faster than expected")),
        Some(date!(2016 - 06 - 30)),
        "Fewer missed visits, but harder to see the home.",
    ),
    (
        "Childcare funding hours extended (demo)",
        "A fictional proposal doubles funded childcare hours for working parents.",
        &[Political, Economic],
        Driver,
        (H1, 5, 3),
        None,
        Some(date!(2015 - 12 - 15)),
        "Providers may fill places with funded hours and squeeze out others.",
    ),
    (
        "Parents organise online (demo)",
        "Synthetic parent groups run peer support entirely through messaging apps.",
        &[Social, Technological],
        Trend,
        (H1, 3, 2),
        None,
        None,
        "Where parents already meet is where help could be offered.",
    ),
    (
        "Air quality near schools (demo)",
        "An invented study links traffic near nurseries with childhood asthma.",
        &[Environmental],
        Signal,
        (H2, 3, 3),
        None,
        Some(date!(2016 - 09 - 30)),
        "Where new settings are commissioned may matter.",
    ),
    (
        "Shared records across services (demo)",
        "A made-up scheme lets families see one record shared by health and children's services.",
        &[Technological, Legal],
        Signal,
        (H3, 4, 5),
        Some((H2, 4, 4, "Consent rules clarified")),
        Some(date!(2015 - 10 - 31)),
        "Families tell their story once.",
    ),
    (
        "Fathers' leave taken up (demo)",
        "Fictional figures show more fathers taking shared parental leave.",
        &[Values, Social],
        Trend,
        (H2, 2, 3),
        None,
        None,
        "Services built around mothers' hours may miss fathers.",
    ),
    (
        "Children's centre buildings sold (demo)",
        "A synthetic trend of centres closing and buildings sold for housing.",
        &[Economic, Political],
        WildCard,
        (H1, 4, 4),
        None,
        Some(date!(2016 - 03 - 31)),
        "Fewer places where families drop in.",
    ),
];

const ADULTS: &[DemoSignal] = &[
    (
        "Personal budgets online (demo)",
        "An invented marketplace lets people buy support with their personal budget.",
        &[Technological, Economic],
        Trend,
        (H1, 4, 3),
        None,
        Some(date!(2015 - 12 - 01)),
        "Choice grows; people without internet may lose out.",
    ),
    (
        "Accessible transport cuts (demo)",
        "Made-up reductions to community transport routes in rural areas.",
        &[Economic, Social],
        Signal,
        (H1, 4, 2),
        None,
        Some(date!(2016 - 04 - 30)),
        "Day opportunities out of reach for some.",
    ),
    (
        "Supported employment duty (demo)",
        "A fictional proposal for a duty on councils to offer supported employment.",
        &[Legal, Political],
        Driver,
        (H2, 5, 4),
        Some((H2, 5, 3, "Consultation closed; support across parties")),
        Some(date!(2016 - 02 - 29)),
        "Commissioning may need to include employers.",
    ),
    (
        "Smart home sensors (demo)",
        "Synthetic pilots use home sensors to spot falls and missed meals.",
        &[Technological],
        Signal,
        (H2, 3, 4),
        None,
        None,
        "Independence, with questions of privacy.",
    ),
    (
        "Co-operatives of carers (demo)",
        "Invented care co-operatives owned by the workers and people they support.",
        &[Economic, Values],
        Signal,
        (H3, 3, 5),
        None,
        Some(date!(2015 - 09 - 30)),
        "A different kind of provider to commission from.",
    ),
    (
        "Heat waves and care homes (demo)",
        "A made-up report on overheating in older care buildings.",
        &[Environmental],
        WildCard,
        (H3, 4, 4),
        None,
        None,
        "Building standards in contracts.",
    ),
    (
        "Self-advocacy groups grow (demo)",
        "Synthetic growth in self-advocacy groups led by disabled people.",
        &[Values, Social],
        Trend,
        (H1, 3, 2),
        Some((H1, 4, 2, "Groups now ask to co-chair boards")),
        Some(date!(2016 - 07 - 31)),
        "Partners for co-production.",
    ),
    (
        "Workforce shortages (demo)",
        "Fictional vacancy rates in support work reach one in ten.",
        &[Economic],
        Driver,
        (H1, 5, 2),
        None,
        Some(date!(2015 - 12 - 20)),
        "Care packages that cannot be staffed.",
    ),
];

const DEMENTIA: &[DemoSignal] = &[
    (
        "Blood test for early diagnosis (demo)",
        "An invented blood test promises earlier diagnosis of dementia.",
        &[Technological],
        WildCard,
        (H3, 5, 5),
        Some((H2, 5, 4, "Trial results published")),
        Some(date!(2016 - 05 - 31)),
        "Many more people diagnosed earlier, and needing support sooner.",
    ),
    (
        "Dementia-friendly towns (demo)",
        "Synthetic schemes train shops and buses to help people with dementia.",
        &[Social, Values],
        Trend,
        (H1, 3, 2),
        None,
        None,
        "Support outside services.",
    ),
    (
        "Carers' assessment backlog (demo)",
        "Made-up figures show carers waiting months for an assessment.",
        &[Political, Social],
        Signal,
        (H1, 4, 2),
        None,
        Some(date!(2015 - 11 - 15)),
        "Carers reach crisis before help.",
    ),
    (
        "Power of attorney online (demo)",
        "A fictional online service for lasting power of attorney.",
        &[Legal, Technological],
        Signal,
        (H1, 2, 2),
        None,
        None,
        "Easier planning ahead for families.",
    ),
    (
        "Fewer care home places (demo)",
        "Invented closures of small care homes in the county.",
        &[Economic],
        Driver,
        (H1, 5, 3),
        None,
        Some(date!(2016 - 01 - 31)),
        "Longer hospital stays waiting for a place.",
    ),
    (
        "Music and memory (demo)",
        "Synthetic evidence that group singing eases distress.",
        &[Social],
        Signal,
        (H2, 2, 3),
        None,
        None,
        "Low-cost support to commission from the voluntary sector.",
    ),
    (
        "Ageing population (demo)",
        "A made-up projection of people over 85 doubling in twenty years.",
        &[Social, Economic],
        Driver,
        (H3, 5, 1),
        None,
        None,
        "Demand grows whatever else changes.",
    ),
    (
        "Tracking devices debated (demo)",
        "A fictional debate on GPS trackers for people who walk and get lost.",
        &[Values, Legal],
        Signal,
        (H2, 3, 4),
        Some((H2, 3, 5, "Views divided at the carers' forum")),
        Some(date!(2015 - 12 - 31)),
        "Safety against freedom.",
    ),
];

const CHILDRENS: &[DemoSignal] = &[
    (
        "Young people's mental health online (demo)",
        "Invented apps offer young people counselling by chat.",
        &[Technological, Social],
        Trend,
        (H1, 4, 3),
        None,
        Some(date!(2016 - 02 - 15)),
        "Help where young people already are.",
    ),
    (
        "Care leavers' housing (demo)",
        "Synthetic shortage of homes for young people leaving care.",
        &[Economic, Social],
        Driver,
        (H1, 5, 2),
        None,
        Some(date!(2015 - 10 - 15)),
        "Care leavers in unsuitable housing.",
    ),
    (
        "Exploitation across county lines (demo)",
        "A made-up police report on young people exploited by drug networks.",
        &[Political, Legal],
        Signal,
        (H1, 5, 3),
        Some((H1, 5, 2, "Confirmed by partners")),
        Some(date!(2016 - 01 - 15)),
        "Safeguarding across borders between areas.",
    ),
    (
        "School exclusions rise (demo)",
        "Fictional figures show more exclusions from primary schools.",
        &[Social, Political],
        Trend,
        (H1, 4, 2),
        None,
        None,
        "Earlier help in schools.",
    ),
    (
        "Family group conferences (demo)",
        "Invented spread of family-led decision making before care proceedings.",
        &[Values],
        Signal,
        (H2, 3, 3),
        None,
        None,
        "Families decide first.",
    ),
    (
        "Online harms rules (demo)",
        "A fictional law on platforms' duty of care to children.",
        &[Legal, Technological],
        Signal,
        (H2, 3, 4),
        None,
        Some(date!(2016 - 10 - 31)),
        "New duties for schools and services.",
    ),
    (
        "Youth clubs close (demo)",
        "Synthetic closures of youth clubs after funding ends.",
        &[Economic],
        Signal,
        (H1, 3, 2),
        None,
        Some(date!(2015 - 12 - 01)),
        "Fewer safe places in the evening.",
    ),
    (
        "Climate anxiety among teenagers (demo)",
        "A made-up survey of worry about climate among young people.",
        &[Environmental, Values],
        WildCard,
        (H3, 2, 4),
        None,
        None,
        "Young people's voice on what matters to them.",
    ),
];

const MENTAL_HEALTH: &[DemoSignal] = &[
    (
        "Crisis cafés (demo)",
        "Invented evening cafés offer a place to go in crisis instead of A&E.",
        &[Social],
        Signal,
        (H1, 4, 2),
        Some((H1, 4, 1, "Evaluation of the pilot published")),
        Some(date!(2016 - 04 - 30)),
        "An alternative to emergency departments.",
    ),
    (
        "Debt and mental health (demo)",
        "Synthetic evidence that problem debt doubles the risk of depression.",
        &[Economic, Social],
        Driver,
        (H1, 4, 2),
        None,
        Some(date!(2015 - 12 - 10)),
        "Debt advice in mental health pathways.",
    ),
    (
        "Peer support workers (demo)",
        "Made-up growth of paid roles for people with lived experience.",
        &[Values],
        Trend,
        (H2, 3, 2),
        None,
        None,
        "A workforce that has been there.",
    ),
    (
        "Police time on mental health (demo)",
        "A fictional report of police hours spent on mental health calls.",
        &[Political],
        Signal,
        (H1, 4, 3),
        None,
        Some(date!(2015 - 11 - 01)),
        "Street triage with the police.",
    ),
    (
        "Digital therapy prescribed (demo)",
        "Invented online therapy courses prescribed by family doctors.",
        &[Technological],
        Trend,
        (H2, 3, 4),
        Some((H1, 3, 3, "Now offered in two practices")),
        None,
        "Waiting lists for talking therapy.",
    ),
    (
        "Mental health law reformed (demo)",
        "A fictional review of detention under mental health law.",
        &[Legal, Values],
        Driver,
        (H2, 4, 4),
        None,
        Some(date!(2016 - 06 - 30)),
        "Fewer detentions; more community support.",
    ),
    (
        "Green spaces and wellbeing (demo)",
        "Synthetic studies on parks and mental wellbeing.",
        &[Environmental, Social],
        Signal,
        (H3, 2, 3),
        None,
        None,
        "Social prescribing to the outdoors.",
    ),
    (
        "Loneliness in young adults (demo)",
        "A made-up survey finds young adults the loneliest age group.",
        &[Social],
        WildCard,
        (H2, 3, 4),
        None,
        Some(date!(2016 - 03 - 31)),
        "Loneliness is not only older people's.",
    ),
];

/// Drivers as (programme's index in `load`'s list, name, description, hand-set impact, and
/// uncertainty, the titles of its signals).
type DemoDriver = (usize, &'static str, &'static str, Option<u8>, Option<u8>, &'static [&'static str]);

const DRIVERS: &[DemoDriver] = &[
    (
        0,
        "Stretched family budgets (demo)",
        "Money pressures on families shape how they use childcare and support.",
        None,
        None,
        &[
            "Grandparents as main childcare (demo)",
            "Childcare funding hours extended (demo)",
            "Children's centre buildings sold (demo)",
        ],
    ),
    (
        2,
        "More people living longer with dementia (demo)",
        "Demand grows as the population ages and diagnosis comes earlier.",
        Some(5),
        Some(2),
        &["Ageing population (demo)", "Blood test for early diagnosis (demo)", "Fewer care home places (demo)"],
    ),
    (
        4,
        "Help away from hospitals (demo)",
        "Support moving out of emergency departments into the community.",
        None,
        None,
        &["Crisis cafés (demo)", "Police time on mental health (demo)", "Digital therapy prescribed (demo)"],
    ),
];

fn score(value: u8) -> Result<Score, StoreError> {
    Score::new(i64::from(value)).ok_or_else(|| heard_domain::Invalid::one("score", "a demo score is 1 to 5").into())
}

/// Loads the signals of each programme in `programmes` (Early Years, Working Age Adults,
/// Dementia, Children's Commissioning, Mental Health) and the drivers, as `researcher_id`.
pub(super) async fn load(store: &Store, programmes: [i64; 5], researcher_id: i64) -> Result<(), StoreError> {
    let sets = [EARLY_YEARS, ADULTS, DEMENTIA, CHILDRENS, MENTAL_HEALTH];
    let mut ids = std::collections::BTreeMap::new();
    for (programme, set) in programmes.into_iter().zip(sets) {
        for (n, (title, summary, categories, kind, first, again, review_on, so_what)) in set.iter().enumerate() {
            let input = SignalInput {
                title: (*title).to_owned(),
                summary: (*summary).to_owned(),
                source_url: Some(format!("https://example.org/horizon/{programme}/{n}")),
                source_publication: Some("Example Horizon Digest (demo)".to_owned()),
                spotted_on: date!(2015 - 03 - 02).saturating_add(time::Duration::days(21 * n as i64)),
                spotted_by: Some("Horizon scanning group (demo)".to_owned()),
                categories: categories.to_vec(),
                kind: *kind,
                so_what: Some((*so_what).to_owned()),
                review_on: *review_on,
            };
            let (horizon, impact, uncertainty) = *first;
            let scoring = Scoring {
                horizon,
                impact: score(impact)?,
                uncertainty: score(uncertainty)?,
                confidence: Confidence::Medium,
                note: None,
            };
            let id = store.create_signal(&input, &scoring, &[programme], researcher_id).await?;
            if let Some((horizon, impact, uncertainty, note)) = again {
                let rescored = Scoring {
                    horizon: *horizon,
                    impact: score(*impact)?,
                    uncertainty: score(*uncertainty)?,
                    confidence: Confidence::High,
                    note: Some((*note).to_owned()),
                };
                store.rescore_signal(id, &rescored, researcher_id).await?;
            }
            ids.insert(*title, id);
        }
    }
    for (index, name, description, impact, uncertainty, members) in DRIVERS {
        let input = DriverInput {
            name: (*name).to_owned(),
            description: Some((*description).to_owned()),
            impact: impact.map(score).transpose()?,
            uncertainty: uncertainty.map(score).transpose()?,
        };
        let driver = store.create_driver(programmes.get(*index).copied(), &input, researcher_id).await?;
        let members: Vec<i64> = members.iter().filter_map(|title| ids.get(title).copied()).collect();
        store.set_driver_signals(driver, &members).await?;
    }
    Ok(())
}
