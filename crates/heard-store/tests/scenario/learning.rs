//! The learning log on both backends: the demo's reflections, writing, filtering, links checked
//! against the programme, changing and deleting.

use heard_domain::learning::{ReflectionInput, ReflectionKind};
use heard_store::StoreError;
use heard_store::learning::ReflectionFilter;
use heard_testkit::fresh_store;
use time::macros::date;

use super::{DEMO_ACCOUNTS, demo, email};

#[tokio::test]
async fn the_learning_log_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let facilitator = store.user_by_email(&email(DEMO_ACCOUNTS[3].1)).await.unwrap().unwrap();

        // The demo: every programme has reflections, and at least one up and one down.
        for slug in ["early-years", "adults-with-disabilities", "dementia", "childrens-commissioning", "mental-health"]
        {
            let programme = store.programme(slug).await.unwrap().unwrap();
            let all = store.reflections(programme.id, ReflectionFilter::default()).await.unwrap();
            assert!(all.len() >= 2, "{slug}: {}", all.len());
            assert!(all.iter().all(|r| r.text.contains("(demo)") && r.written_by.is_some()), "{slug}");
            let kinds: Vec<_> = all.iter().map(|r| r.kind).collect();
            assert!(kinds.contains(&ReflectionKind::Down), "{slug}: {kinds:?}");
            assert!(kinds.iter().any(|k| *k != ReflectionKind::Down), "{slug}: {kinds:?}");
        }

        // Early Years' first decision is looked back on, and the filter by decision finds it.
        let early_years = store.programme("early-years").await.unwrap().unwrap();
        let decision = store.decision_refs(early_years.id).await.unwrap().remove(0);
        let filter = ReflectionFilter { decision_id: Some(decision.id), ..Default::default() };
        let on_decision = store.reflections(early_years.id, filter).await.unwrap();
        assert_eq!(on_decision.len(), 1);
        assert_eq!(on_decision[0].decision.as_ref().unwrap().title, decision.title);
        assert!(on_decision[0].written_on > decision.decided_on);

        let programme = store.programme("dementia").await.unwrap().unwrap();
        let other = store.programme("early-years").await.unwrap().unwrap();
        let stage = store.stages(programme.id).await.unwrap().remove(0);
        let activity = store.activities(programme.id).await.unwrap().remove(0);
        let before = store.reflections(programme.id, ReflectionFilter::default()).await.unwrap();

        // Written with a stage and an activity of its own programme.
        let input = ReflectionInput {
            kind: ReflectionKind::Surprise,
            text: "More carers came than places (test).".into(),
            written_on: date!(2015 - 04 - 01),
            stage_id: Some(stage.id),
            activity_id: Some(activity.id),
            decision_id: None,
        };
        let id = store.create_reflection(programme.id, &input, facilitator.id).await.unwrap();
        let made = store.reflection(programme.id, id).await.unwrap().unwrap();
        assert_eq!(made.input(), input);
        assert_eq!((made.kind, made.written_on), (ReflectionKind::Surprise, date!(2015 - 04 - 01)));
        assert_eq!(made.written_by.as_ref().unwrap().display_name, facilitator.display_name);
        let linked = made.stage.as_ref().unwrap();
        assert_eq!((linked.id, linked.position, linked.name.as_str()), (stage.id, stage.position, stage.name.as_str()));
        assert_eq!(made.activity.as_ref().unwrap().title, activity.title);
        assert!(store.reflection(other.id, id).await.unwrap().is_none(), "not another programme's");

        // Latest first; filtered by kind, stage and activity.
        let all = store.reflections(programme.id, ReflectionFilter::default()).await.unwrap();
        assert_eq!(all.len(), before.len() + 1);
        assert!(all.windows(2).all(|w| (w[0].written_on, w[0].id) >= (w[1].written_on, w[1].id)));
        let surprises = store
            .reflections(programme.id, ReflectionFilter { kind: Some(ReflectionKind::Surprise), ..Default::default() })
            .await
            .unwrap();
        let expected = all.iter().filter(|r| r.kind == ReflectionKind::Surprise).count();
        assert_eq!(surprises.len(), expected);
        assert!(surprises.iter().any(|r| r.id == id));
        let on_activity = store
            .reflections(programme.id, ReflectionFilter { activity_id: Some(activity.id), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(on_activity.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);

        // Another programme's stage or activity is refused by field, nothing saved.
        let foreign_stage = store.stages(other.id).await.unwrap().remove(0);
        let foreign_activity = store.activities(other.id).await.unwrap().remove(0);
        let wrong = ReflectionInput {
            stage_id: Some(foreign_stage.id),
            activity_id: Some(foreign_activity.id),
            ..input.clone()
        };
        match store.create_reflection(programme.id, &wrong, facilitator.id).await {
            Err(StoreError::Invalid(invalid)) => {
                assert!(invalid.message_for("stage").is_some() && invalid.message_for("activity").is_some())
            }
            other => panic!("{other:?}"),
        }
        let missing = ReflectionInput { stage_id: Some(999_999), ..input.clone() };
        assert!(matches!(
            store.create_reflection(programme.id, &missing, facilitator.id).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(store.create_reflection(999_999, &input, facilitator.id).await, Err(StoreError::NotFound)));
        assert_eq!(store.reflections(programme.id, ReflectionFilter::default()).await.unwrap().len(), all.len());

        // Changed: links cleared, kind and words new; a bad link changes nothing.
        let changed = ReflectionInput {
            kind: ReflectionKind::Lesson,
            text: "Book a bigger room (test).".into(),
            stage_id: None,
            activity_id: None,
            ..input.clone()
        };
        store.edit_reflection(programme.id, id, &changed).await.unwrap();
        assert!(matches!(store.edit_reflection(programme.id, id, &wrong).await, Err(StoreError::Invalid(_))));
        let now = store.reflection(programme.id, id).await.unwrap().unwrap();
        assert_eq!(now.input(), changed);
        assert!(now.updated_at >= made.updated_at);
        assert!(matches!(store.edit_reflection(other.id, id, &changed).await, Err(StoreError::NotFound)));

        // Deleted; only once, and only from its own programme.
        assert!(matches!(store.delete_reflection(other.id, id).await, Err(StoreError::NotFound)));
        store.delete_reflection(programme.id, id).await.unwrap();
        assert!(store.reflection(programme.id, id).await.unwrap().is_none());
        assert!(matches!(store.delete_reflection(programme.id, id).await, Err(StoreError::NotFound)));
    }
}
