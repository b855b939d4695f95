//! The demonstration's cause maps: one per programme, drawn at its systemic multiple cause
//! analysis workshop. Early Years' factors link to the insights its coding produced; the other
//! programmes have not coded their stories yet, so their factors carry no evidence and show as
//! guesses to test. Every map has a loop; Early Years' has a factor not yet connected.

use heard_domain::causes::map::{FactorInput, MapInput};

use crate::causes::EvidenceRef;
use crate::{Store, StoreError};

/// A factor: its words, its tags, and the words of the insights that evidence it.
type DemoFactor = (&'static str, &'static str, &'static [&'static str]);

/// A map: its title, central event, factors, and arrows by factor words ("" is the central event).
struct DemoMap {
    slug: &'static str,
    title: &'static str,
    central: &'static str,
    factors: &'static [DemoFactor],
    arrows: &'static [(&'static str, &'static str)],
}

const OUTSIDE: &str = "Outside the council's control";

const MAPS: &[DemoMap] = &[
    DemoMap {
        slug: "early-years",
        title: "Why families reach help late (demo)",
        central: "Families reach early help too late",
        factors: &[
            (
                "Families do not hear about support",
                "Information, Inside the council's control",
                &["Families hear about support too late, often only after a crisis."],
            ),
            (
                "Services each assess families separately",
                "Health, Social care",
                &["Parents tell the same story again and again to different services."],
            ),
            (
                "Parents give up asking",
                "Families",
                &["Parents tell the same story again and again to different services."],
            ),
            (
                "Help is offered only after a crisis",
                "Social care",
                &["Families hear about support too late, often only after a crisis."],
            ),
            ("Crisis work fills caseloads", "Workforce", &[]),
            (
                "Grandparents' needs go unasked",
                "Families",
                &["Grandparents carry much of the care and are never asked what they need."],
            ),
            ("Health visitor vacancies", "Workforce, Outside the council's control", &[]),
            ("Children's centres open short hours", "Information", &[]),
            ("Housing moves break contact", OUTSIDE, &[]),
        ],
        arrows: &[
            ("Families do not hear about support", ""),
            ("Children's centres open short hours", "Families do not hear about support"),
            ("Services each assess families separately", "Parents give up asking"),
            ("Parents give up asking", ""),
            ("", "Help is offered only after a crisis"),
            ("Help is offered only after a crisis", "Crisis work fills caseloads"),
            ("Crisis work fills caseloads", "Families do not hear about support"),
            ("Health visitor vacancies", "Crisis work fills caseloads"),
            ("Grandparents' needs go unasked", "Parents give up asking"),
        ],
    },
    DemoMap {
        slug: "adults-with-disabilities",
        title: "Why day opportunities feel empty (demo)",
        central: "Adults with disabilities have too little to do in the day",
        factors: &[
            ("Day centres closed or merged", "Inside the council's control", &[]),
            ("Transport is booked a week ahead", "Transport", &[]),
            ("Carers cannot plan their own work", "Carers", &[]),
            ("Personal budgets are hard to spend", "Inside the council's control", &[]),
            ("Few local groups welcome people with support needs", "Community", &[]),
            ("People lose confidence going out", "Wellbeing", &[]),
        ],
        arrows: &[
            ("Day centres closed or merged", ""),
            ("Transport is booked a week ahead", ""),
            ("Personal budgets are hard to spend", ""),
            ("Few local groups welcome people with support needs", ""),
            ("", "People lose confidence going out"),
            ("People lose confidence going out", ""),
            ("", "Carers cannot plan their own work"),
        ],
    },
    DemoMap {
        slug: "dementia",
        title: "Why people with dementia reach hospital in crisis (demo)",
        central: "People with dementia are admitted to hospital in crisis",
        factors: &[
            ("Diagnosis comes late", "Health", &[]),
            ("Carers are exhausted", "Carers", &[]),
            ("Respite is hard to book", "Inside the council's control", &[]),
            ("No one plans ahead with the family", "Health, Social care", &[]),
            ("Out-of-hours help is the ambulance", OUTSIDE, &[]),
        ],
        arrows: &[
            ("Diagnosis comes late", "No one plans ahead with the family"),
            ("No one plans ahead with the family", ""),
            ("Respite is hard to book", "Carers are exhausted"),
            ("Carers are exhausted", ""),
            ("Out-of-hours help is the ambulance", ""),
            ("", "Carers are exhausted"),
        ],
    },
    DemoMap {
        slug: "childrens-commissioning",
        title: "Why placements break down (demo)",
        central: "Children's placements break down",
        factors: &[
            ("Placements are found in a hurry", "Social care", &[]),
            ("Children move far from school", "Education", &[]),
            ("Foster carers get little support", "Inside the council's control", &[]),
            ("Foster carers leave", "Workforce", &[]),
        ],
        arrows: &[
            ("Placements are found in a hurry", ""),
            ("Children move far from school", ""),
            ("Foster carers get little support", "Foster carers leave"),
            ("Foster carers leave", "Placements are found in a hurry"),
            ("", "Placements are found in a hurry"),
        ],
    },
    DemoMap {
        slug: "mental-health",
        title: "Why young people wait for mental health support (demo)",
        central: "Young people wait months for mental health support",
        factors: &[
            ("Referrals rise after the pandemic", OUTSIDE, &[]),
            ("Thresholds for help are high", "Health", &[]),
            ("Schools have no one to turn to", "Education", &[]),
            ("Problems grow while waiting", "Wellbeing", &[]),
        ],
        arrows: &[
            ("Referrals rise after the pandemic", ""),
            ("Thresholds for help are high", ""),
            ("Schools have no one to turn to", "Thresholds for help are high"),
            ("", "Problems grow while waiting"),
            ("Problems grow while waiting", "Referrals rise after the pandemic"),
        ],
    },
];

pub(super) async fn load(store: &Store, by: i64) -> Result<(), StoreError> {
    for demo in MAPS {
        let Some(programme) = store.programme(demo.slug).await? else {
            continue;
        };
        let insights = store.insights(programme.id).await?;
        let map = store.create_cause_map(programme.id, &MapInput::parse(demo.title, demo.central)?, Some(by)).await?;
        let central = store.cause_map(programme.id, map).await?.and_then(|m| m.central().map(|f| f.id));
        let mut ids = std::collections::BTreeMap::new();
        for (label, tags, evidence) in demo.factors {
            let id = store.add_factor(programme.id, map, &FactorInput::parse(label, "", tags)?, None, Some(by)).await?;
            for statement in *evidence {
                if let Some(insight) = insights.iter().find(|i| i.statement == *statement) {
                    store
                        .link_factor_evidence(programme.id, map, id, EvidenceRef::Insight(insight.id), Some(by))
                        .await?;
                }
            }
            ids.insert(*label, id);
        }
        let id = |label: &str| if label.is_empty() { central } else { ids.get(label).copied() };
        for (from, to) in demo.arrows {
            let (Some(from), Some(to)) = (id(from), id(to)) else {
                return Err(StoreError::NotFound);
            };
            store.add_arrow(programme.id, map, from, to, Some(by)).await?;
        }
        // Tidied, so the demo's pictures cross as little as they can.
        store.tidy_cause_map(programme.id, map).await?;
    }
    Ok(())
}
