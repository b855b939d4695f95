//! Cause maps on both backends: building, versioning, evidence, import and export.

use heard_domain::Invalid;
use heard_domain::causes::kumu::MapParts;
use heard_domain::causes::map::{FactorInput, MapInput};
use heard_domain::governance::Email;
use heard_store::StoreError;
use heard_store::causes::EvidenceRef;
use heard_store::demo;
use heard_testkit::fresh_store;

fn factor(label: &str, tags: &str) -> FactorInput {
    FactorInput::parse(label, "", tags).unwrap()
}

fn field_of(error: StoreError) -> String {
    match error {
        StoreError::Invalid(Invalid(errors)) => errors[0].field.clone(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn cause_maps_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let programme = store.programme("early-years").await.unwrap().unwrap();
        let other = store.programme("dementia").await.unwrap().unwrap();
        let input = MapInput::parse("", "Families reach help too late").unwrap();
        let map = store.create_cause_map(programme.id, &input, None).await.unwrap();
        assert!(matches!(
            store
                .create_cause_map(programme.id, &MapInput::parse("families REACH help too late", "x").unwrap(), None)
                .await,
            Err(StoreError::Duplicate { field: "title" })
        ));

        // Factors and arrows: waiting lists -> late help; late help -> crisis -> waiting lists.
        let waiting = store
            .add_factor(programme.id, map, &factor("Waiting lists grow", "Health, outside control"), None, None)
            .await
            .unwrap();
        let crisis =
            store.add_factor(programme.id, map, &factor("Crisis referrals rise", ""), None, None).await.unwrap();
        assert!(matches!(
            store.add_factor(programme.id, map, &factor("waiting  LISTS grow", ""), None, None).await,
            Err(StoreError::Duplicate { field: "label" })
        ));
        let whole = store.cause_map(programme.id, map).await.unwrap().unwrap();
        let central = whole.central().unwrap().id;
        assert_eq!(whole.title, "Families reach help too late");
        assert_eq!(whole.factor(waiting).unwrap().tags, ["Health", "outside control"]);
        store.add_arrow(programme.id, map, waiting, central, None).await.unwrap();
        store.add_arrow(programme.id, map, central, crisis, None).await.unwrap();
        store.add_arrow(programme.id, map, crisis, waiting, None).await.unwrap();
        // Bad arrows: to itself, twice, to another map's factor.
        assert_eq!(field_of(store.add_arrow(programme.id, map, waiting, waiting, None).await.unwrap_err()), "to");
        assert_eq!(field_of(store.add_arrow(programme.id, map, waiting, central, None).await.unwrap_err()), "to");
        let elsewhere = store
            .create_cause_map(programme.id, &MapInput::parse("Other", "Something else").unwrap(), None)
            .await
            .unwrap();
        let foreign = store.cause_map(programme.id, elsewhere).await.unwrap().unwrap().factors[0].id;
        assert_eq!(field_of(store.add_arrow(programme.id, map, waiting, foreign, None).await.unwrap_err()), "to");
        assert_eq!(field_of(store.add_arrow(programme.id, map, foreign, waiting, None).await.unwrap_err()), "from");
        // A factor with an arrow to another map's factor: refused whole, the factor not saved.
        let refused = store.add_factor(programme.id, map, &factor("Half saved?", ""), Some(foreign), None).await;
        assert_eq!(field_of(refused.unwrap_err()), "contributes_to");
        let whole = store.cause_map(programme.id, map).await.unwrap().unwrap();
        assert!(whole.factors.iter().all(|f| f.label != "Half saved?"));
        // Another programme cannot reach this map.
        assert!(matches!(
            store.add_factor(other.id, map, &factor("Sneaky", ""), None, None).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.cause_map(other.id, map).await.unwrap().is_none());

        // Optimistic versioning: two people open the factor at version 1; the second edit loses.
        let seen = store.cause_map(programme.id, map).await.unwrap().unwrap().factor(waiting).unwrap().version;
        store.edit_factor(programme.id, map, waiting, seen, &factor("Waiting lists are long", "Health")).await.unwrap();
        assert!(matches!(
            store.edit_factor(programme.id, map, waiting, seen, &factor("Queues", "")).await,
            Err(StoreError::Conflict { what: "factor" })
        ));
        assert!(matches!(
            store.delete_factor(programme.id, map, waiting, seen).await,
            Err(StoreError::Conflict { .. })
        ));
        let whole = store.cause_map(programme.id, map).await.unwrap().unwrap();
        assert_eq!(whole.factor(waiting).unwrap().label, "Waiting lists are long");
        assert_eq!(whole.factor(waiting).unwrap().tags, ["Health"]);
        let map_version = whole.version;
        store
            .edit_cause_map(
                programme.id,
                map,
                map_version,
                &MapInput::parse("Early help", "Families reach help late").unwrap(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store.edit_cause_map(programme.id, map, map_version, &MapInput::parse("Again", "x").unwrap()).await,
            Err(StoreError::Conflict { what: "map" })
        ));
        let whole = store.cause_map(programme.id, map).await.unwrap().unwrap();
        assert_eq!(
            (whole.title.as_str(), whole.central().unwrap().label.as_str()),
            ("Early help", "Families reach help late")
        );
        assert_eq!(
            field_of(
                store.delete_factor(programme.id, map, central, whole.central().unwrap().version).await.unwrap_err()
            ),
            "factor"
        );

        // Moving: positions swap.
        let (a, b) = (whole.factor(waiting).unwrap().position, whole.factor(crisis).unwrap().position);
        store.set_factor_positions(programme.id, map, &[(waiting, b), (crisis, a)]).await.unwrap();
        let whole = store.cause_map(programme.id, map).await.unwrap().unwrap();
        assert_eq!(whole.factor(waiting).unwrap().position, b);

        // Evidence: an insight of the programme and one of its excerpts; counts and participants.
        let insight = store.insights(programme.id).await.unwrap()[0].clone();
        store.link_factor_evidence(programme.id, map, waiting, EvidenceRef::Insight(insight.id), None).await.unwrap();
        store.link_factor_evidence(programme.id, map, waiting, EvidenceRef::Insight(insight.id), None).await.unwrap();
        let researcher =
            store.user_by_email(&Email::parse("email", demo::DEMO_ACCOUNTS[2].1).unwrap()).await.unwrap().unwrap();
        let other_insight = store.add_insight(other.id, "Elsewhere (test)", researcher.id).await.unwrap();
        let refused =
            store.link_factor_evidence(programme.id, map, waiting, EvidenceRef::Insight(other_insight), None).await;
        assert_eq!(field_of(refused.unwrap_err()), "insight", "another programme's insight is refused");
        let whole = store.cause_map(programme.id, map).await.unwrap().unwrap();
        let linked = whole.factor(waiting).unwrap();
        assert_eq!((linked.insights, linked.participants), (1, insight.participants));
        let evidence = store.factor_evidence(programme.id, map, waiting).await.unwrap();
        assert_eq!(evidence.insights[0].statement, insight.statement);
        store.unlink_factor_evidence(programme.id, map, waiting, EvidenceRef::Insight(insight.id)).await.unwrap();
        assert_eq!(store.cause_map(programme.id, map).await.unwrap().unwrap().factor(waiting).unwrap().insights, 0);

        // Deleting a factor takes its arrows; the list counts what is left.
        let version = store.cause_map(programme.id, map).await.unwrap().unwrap().factor(crisis).unwrap().version;
        store.delete_factor(programme.id, map, crisis, version).await.unwrap();
        let listed = store.cause_maps(programme.id).await.unwrap();
        let summary = listed.iter().find(|m| m.id == map).unwrap();
        assert_eq!((summary.factors, summary.arrows), (2, 1));

        // Import: all or nothing, errors naming the element.
        let parts = MapParts {
            labels: vec!["Staff leave".into(), "Caseloads rise".into(), "Late help (import)".into()],
            descriptions: vec![Some("Vacancies unfilled".into()), None, None],
            tags: vec![vec!["Workforce".into()], vec![], vec![]],
            arrows: vec![(0, 1), (1, 2), (1, 0)],
            central: 2,
        };
        let imported = store.import_cause_map(programme.id, None, &parts, None).await.unwrap();
        let whole = store.cause_map(programme.id, imported).await.unwrap().unwrap();
        assert_eq!(whole.title, "Late help (import)");
        assert_eq!(whole.parts(), parts);
        let mut bad = parts.clone();
        bad.labels[1] = "staff  LEAVE".into();
        let error = store.import_cause_map(programme.id, Some("Second import"), &bad, None).await.unwrap_err();
        assert_eq!(field_of(error), "elements[1].label");
        let mut bad = parts.clone();
        bad.arrows.push((0, 1));
        assert_eq!(
            field_of(store.import_cause_map(programme.id, Some("Third import"), &bad, None).await.unwrap_err()),
            "connections[3]"
        );
        assert!(store.cause_map_id(programme.id, "Second import").await.unwrap().is_none());
        assert!(store.cause_map_id(programme.id, "Third import").await.unwrap().is_none());
        assert_eq!(store.cause_map_id(programme.id, "late HELP (import)").await.unwrap(), Some(imported));

        store.delete_cause_map(programme.id, imported).await.unwrap();
        assert!(store.cause_map(programme.id, imported).await.unwrap().is_none());
    }
}
