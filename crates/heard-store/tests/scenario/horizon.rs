//! Horizon scanning on both backends: signals, re-scoring history, drivers, links, CSV.

use heard_domain::causes::map::{FactorInput, MapInput};
use heard_domain::dates::DateParts;
use heard_domain::horizon::csv::{self, CsvLayout};
use heard_domain::horizon::signals::{
    Category, Confidence, DriverInput, Horizon, Score, Scoring, SignalFields, SignalInput, SignalKind,
};
use heard_store::StoreError;
use heard_store::horizon::SignalFilter;
use heard_testkit::fresh_store;
use time::macros::date;

use super::{DEMO_ACCOUNTS, demo, email};

fn scoring(horizon: Horizon, impact: i64, uncertainty: i64) -> Scoring {
    Scoring {
        horizon,
        impact: Score::new(impact).unwrap(),
        uncertainty: Score::new(uncertainty).unwrap(),
        confidence: Confidence::Medium,
        note: None,
    }
}

fn signal(title: &str, categories: &[&str], review_on: Option<time::Date>) -> SignalInput {
    SignalInput::parse(&SignalFields {
        title: title.into(),
        summary: format!("{title}, in a sentence (test)."),
        source_url: "https://example.org/horizon".into(),
        spotted_on: DateParts::from_date(Some(date!(2026 - 01 - 10))),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        kind: "trend".into(),
        review_on: DateParts::from_date(review_on),
        ..SignalFields::default()
    })
    .unwrap()
}

#[tokio::test]
async fn horizon_scanning_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let researcher = store.user_by_email(&email(DEMO_ACCOUNTS[2].1)).await.unwrap().unwrap();
        let programme = store.programme("mental-health").await.unwrap().unwrap();
        let other = store.programme("dementia").await.unwrap().unwrap();
        let before =
            store.signals(SignalFilter { programme_id: Some(programme.id), ..Default::default() }).await.unwrap();

        // The demo: every programme has its signals, some moved, some due on the demo's last day.
        for slug in ["early-years", "adults-with-disabilities", "dementia", "childrens-commissioning", "mental-health"]
        {
            let demo_programme = store.programme(slug).await.unwrap().unwrap();
            let filter = SignalFilter { programme_id: Some(demo_programme.id), ..Default::default() };
            let set = store.signals(filter).await.unwrap();
            assert!(set.len() >= 8, "{slug}: {}", set.len());
            assert!(set.iter().any(|s| s.previous.is_some()), "{slug}: some re-scored");
            assert!(set.iter().any(|s| s.due_on(date!(2015 - 12 - 31))), "{slug}: some due");
        }
        assert!(store.drivers(None).await.unwrap().iter().any(|d| d.impact_set.is_some() && d.signal_ids.len() == 3));

        // A signal with two categories, scored, then re-scored twice: history and movement.
        let input = signal("Peer support online (test)", &["technological", "social"], Some(date!(2026 - 03 - 01)));
        let id =
            store.create_signal(&input, &scoring(Horizon::H2, 3, 4), &[programme.id], researcher.id).await.unwrap();
        let made = store.signal(id).await.unwrap().unwrap();
        assert_eq!(made.categories, [Category::Technological, Category::Social]);
        assert_eq!(made.current.horizon, Horizon::H2);
        assert_eq!((made.previous.clone(), made.scorings), (None, 1));
        assert_eq!(made.programmes[0].slug, "mental-health");
        assert_eq!(made.created_by.as_ref().unwrap().id, researcher.id);
        assert!(made.record().is_new);
        assert_eq!(made.input(), input);

        store.rescore_signal(id, &scoring(Horizon::H1, 4, 3), researcher.id).await.unwrap();
        let reviewed = Scoring { note: Some("Pilots everywhere now".into()), ..scoring(Horizon::H1, 5, 2) };
        store.review_signal(id, &reviewed, Some(date!(2026 - 09 - 01)), researcher.id).await.unwrap();
        let moved = store.signal(id).await.unwrap().unwrap();
        assert_eq!(moved.current.scoring(), reviewed);
        assert_eq!(moved.previous.as_ref().unwrap().impact.get(), 4);
        assert_eq!(moved.scorings, 3);
        assert_eq!(moved.review_on, Some(date!(2026 - 09 - 01)));
        let history = store.signal_history(id).await.unwrap();
        let horizons: Vec<Horizon> = history.iter().map(|s| s.horizon).collect();
        assert_eq!(horizons, [Horizon::H2, Horizon::H1, Horizon::H1]);
        assert_eq!(history[0].scored_by.as_ref().unwrap().display_name, researcher.display_name);
        assert!(matches!(store.signal_history(999_999).await, Err(StoreError::NotFound)));
        assert!(matches!(store.rescore_signal(999_999, &reviewed, researcher.id).await, Err(StoreError::NotFound)));

        // Editing changes fields and categories, never scores.
        let edited = SignalInput {
            categories: vec![Category::Values],
            kind: SignalKind::WildCard,
            review_on: moved.review_on,
            ..input.clone()
        };
        store.edit_signal(id, &edited).await.unwrap();
        let after_edit = store.signal(id).await.unwrap().unwrap();
        assert_eq!((after_edit.categories.clone(), after_edit.kind), (vec![Category::Values], SignalKind::WildCard));
        assert_eq!(after_edit.scorings, 3);
        assert!(matches!(store.edit_signal(999_999, &edited).await, Err(StoreError::NotFound)));

        // A second signal, due for review; filters.
        let due = signal("Housing costs rise (test)", &["economic"], Some(date!(2026 - 02 - 01)));
        let due_id =
            store.create_signal(&due, &scoring(Horizon::H3, 2, 5), &[programme.id], researcher.id).await.unwrap();
        let listed = |filter: SignalFilter| {
            let store = &store;
            async move { store.signals(filter).await.unwrap().into_iter().map(|s| s.id).collect::<Vec<_>>() }
        };
        let in_programme = SignalFilter { programme_id: Some(programme.id), ..Default::default() };
        assert_eq!(listed(in_programme).await.len(), before.len() + 2);
        let economic = listed(SignalFilter { category: Some(Category::Economic), ..in_programme }).await;
        assert!(economic.contains(&due_id) && !economic.contains(&id));
        assert!(listed(SignalFilter { horizon: Some(Horizon::H1), ..in_programme }).await.contains(&id));
        assert!(!listed(SignalFilter { horizon: Some(Horizon::H2), ..in_programme }).await.contains(&id));
        assert!(listed(SignalFilter { kind: Some(SignalKind::WildCard), ..in_programme }).await.contains(&id));
        let due_now = store.signals_due_for_review(date!(2026 - 03 - 01), Some(programme.id)).await.unwrap();
        let due_ids: Vec<i64> = due_now.iter().map(|s| s.id).collect();
        assert!(due_ids.contains(&due_id) && !due_ids.contains(&id), "reviewed signals wait for their next date");
        assert!(due_now.windows(2).all(|w| w[0].review_on <= w[1].review_on));

        // Links to another programme and to a factor; a factor's deletion takes the link.
        store.link_signal_programme(id, other.id).await.unwrap();
        store.link_signal_programme(id, other.id).await.unwrap();
        assert_eq!(store.signal(id).await.unwrap().unwrap().programmes.len(), 2);
        assert!(matches!(store.link_signal_programme(id, 999_999).await, Err(StoreError::NotFound)));
        store.unlink_signal_programme(id, other.id).await.unwrap();
        assert_eq!(store.signal(id).await.unwrap().unwrap().programmes.len(), 1);
        let map = store
            .create_cause_map(
                programme.id,
                &MapInput::parse("Horizon test map", "Help comes late (test)").unwrap(),
                None,
            )
            .await
            .unwrap();
        let factor = store
            .add_factor(programme.id, map, &FactorInput::parse("Rents rise (test)", "", "").unwrap(), None, None)
            .await
            .unwrap();
        store.link_signal_factor(due_id, factor, researcher.id).await.unwrap();
        let linked = store.signal(due_id).await.unwrap().unwrap();
        assert_eq!((linked.factors[0].id, linked.factors[0].label.as_str()), (factor, "Rents rise (test)"));
        assert!(matches!(store.link_signal_factor(due_id, 999_999, researcher.id).await, Err(StoreError::NotFound)));
        store.unlink_signal_factor(due_id, factor).await.unwrap();
        assert!(store.signal(due_id).await.unwrap().unwrap().factors.is_empty());
        store.link_signal_factor(due_id, factor, researcher.id).await.unwrap();
        let version = store.cause_map(programme.id, map).await.unwrap().unwrap();
        let version = version.factors.iter().find(|f| f.id == factor).unwrap().version;
        store.delete_factor(programme.id, map, factor, version).await.unwrap();
        assert!(store.signal(due_id).await.unwrap().unwrap().factors.is_empty());

        // Drivers: means of their signals' current scores, or set by hand.
        let driver_input =
            DriverInput { name: "Digital first (test)".into(), description: None, impact: None, uncertainty: None };
        let driver = store.create_driver(Some(programme.id), &driver_input, researcher.id).await.unwrap();
        assert!(matches!(
            store
                .create_driver(
                    Some(programme.id),
                    &DriverInput { name: "digital  FIRST (test)".into(), ..driver_input.clone() },
                    researcher.id
                )
                .await,
            Err(StoreError::Duplicate { field: "name" })
        ));
        let empty = store.driver(driver).await.unwrap().unwrap();
        assert_eq!((empty.impact, empty.signal_ids.len()), (None, 0));
        store.set_driver_signals(driver, &[id, due_id]).await.unwrap();
        let grouped = store.driver(driver).await.unwrap().unwrap();
        assert_eq!(grouped.signal_ids.len(), 2);
        assert_eq!(grouped.impact, Some(3.5), "5 and 2");
        assert_eq!(grouped.uncertainty, Some(3.5), "2 and 5");
        let by_hand = DriverInput { impact: Score::new(1), ..driver_input.clone() };
        store.edit_driver(driver, &by_hand).await.unwrap();
        let set = store.driver(driver).await.unwrap().unwrap();
        assert_eq!((set.impact, set.impact_set, set.uncertainty), (Some(1.0), Score::new(1), Some(3.5)));
        store.remove_driver_signal(driver, due_id).await.unwrap();
        assert_eq!(store.driver(driver).await.unwrap().unwrap().uncertainty, Some(2.0));
        store.add_driver_signal(driver, due_id).await.unwrap();
        assert!(matches!(store.add_driver_signal(driver, 999_999).await, Err(StoreError::NotFound)));
        assert!(matches!(store.set_driver_signals(driver, &[999_999]).await, Err(StoreError::Invalid(_))));
        assert_eq!(store.driver(driver).await.unwrap().unwrap().signal_ids.len(), 2, "a failed set changes nothing");
        let organisation = store
            .create_driver(None, &DriverInput { name: "Ageing (test)".into(), ..driver_input.clone() }, researcher.id)
            .await
            .unwrap();
        let here: Vec<i64> = store.drivers(Some(programme.id)).await.unwrap().iter().map(|d| d.id).collect();
        assert!(here.contains(&driver) && here.contains(&organisation));
        let there: Vec<i64> = store.drivers(Some(other.id)).await.unwrap().iter().map(|d| d.id).collect();
        assert!(!there.contains(&driver) && there.contains(&organisation));
        store.delete_driver(organisation).await.unwrap();
        assert!(store.driver(organisation).await.unwrap().is_none());
        assert!(matches!(store.edit_driver(organisation, &driver_input).await, Err(StoreError::NotFound)));

        // CSV: a radar sheet imported into another programme, exported again; a sheet with a bad
        // ring saves nothing.
        let sheet = "name,ring,quadrant,isNew,description\n\
                     Robot companions (test),H3,Technological,TRUE,Companion devices in care homes\n\
                     Carer leave (test),H1: 0 to 2 years,Legal,FALSE,Paid leave for carers\n";
        let records = csv::read(sheet.as_bytes(), CsvLayout::Radar, date!(2026 - 01 - 15)).unwrap();
        let audits = store.audit_events(1000).await.unwrap().len();
        let ids = store.import_signals(other.id, &records, Some(researcher.id)).await.unwrap();
        assert_eq!(ids.len(), 2);
        let audit = store.audit_events(1).await.unwrap();
        assert_eq!(
            (audit[0].action.as_str(), store.audit_events(1000).await.unwrap().len()),
            ("signals.import", audits + 1)
        );
        let exported = store.export_signals(other.id).await.unwrap();
        let titles: Vec<&str> = exported.iter().map(|r| r.signal.title.as_str()).collect();
        assert!(titles.contains(&"Robot companions (test)") && titles.contains(&"Carer leave (test)"));
        let mut out = Vec::new();
        csv::write(&mut out, CsvLayout::Full, &exported).unwrap();
        let again = csv::read(out.as_slice(), CsvLayout::Full, date!(2026 - 01 - 15)).unwrap();
        assert_eq!(
            again.iter().map(|r| &r.signal).collect::<Vec<_>>(),
            exported.iter().map(|r| &r.signal).collect::<Vec<_>>()
        );

        let count = store.signals(SignalFilter::default()).await.unwrap().len();
        assert!(matches!(store.import_signals(999_999, &records, None).await, Err(StoreError::NotFound)));
        assert_eq!(store.signals(SignalFilter::default()).await.unwrap().len(), count, "nothing half-saved");

        store.delete_signal(due_id).await.unwrap();
        assert!(store.signal(due_id).await.unwrap().is_none());
        assert_eq!(store.driver(driver).await.unwrap().unwrap().signal_ids, [id]);
        assert!(matches!(store.delete_signal(due_id).await, Err(StoreError::NotFound)));
    }
}
