//! Single sign-on on both backends: an account made at the first sign-in and linked by issuer and
//! subject, its role following the claims at each sign-in, refusals (no role, deactivated, an
//! unlinked account's email), and each written to the audit log with nothing personal in it.

use heard_domain::audit::AuditKind;
use heard_domain::governance::{PasswordHash, Role};
use heard_store::sso::{SsoIdentity, SsoRefusal, SsoSignIn};
use heard_store::{AuditFilter, NewUser, Store, UserChange};
use heard_testkit::fresh_store;

use super::email;

const ISSUER: &str = "https://login.example.test/tenant-0000/v2.0";

fn identity(subject: &str, address: &str, role: Option<Role>) -> SsoIdentity {
    SsoIdentity {
        issuer: ISSUER.to_owned(),
        subject: subject.to_owned(),
        email: email(address),
        display_name: "Test Person Sso".to_owned(),
        role,
    }
}

async fn sign_in(store: &Store, identity: SsoIdentity, unusable: &PasswordHash) -> SsoSignIn {
    store.sso_sign_in(&identity, unusable).await.unwrap()
}

#[tokio::test]
async fn single_sign_on_on_both_backends() {
    // Computed once: argon2 is slow, and any hash of a password nobody knows will do.
    let unusable = PasswordHash::dummy();
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;

        // The first sign-in makes the account with the mapped role, linked to the subject.
        let first = sign_in(&store, identity("sub-1", "sso.one@example.test", Some(Role::Researcher)), &unusable).await;
        let SsoSignIn::SignedIn { user, created, role_was } = first else { panic!("signed in") };
        assert!(created && role_was.is_none());
        assert_eq!((user.email.as_str(), user.role, user.active), ("sso.one@example.test", Role::Researcher, true));
        assert!(user.last_signed_in_at.is_some());
        assert!(!user.password_hash().verify(""), "no password signs in to it");
        assert_eq!(store.sso_identities(user.id).await.unwrap(), [(ISSUER.to_owned(), "sub-1".to_owned())]);

        // Again, with another role and another email claim: the same account, its role changed.
        let again =
            sign_in(&store, identity("sub-1", "changed@example.test", Some(Role::Administrator)), &unusable).await;
        let SsoSignIn::SignedIn { user: same, created, role_was } = again else { panic!("signed in") };
        assert_eq!(same.id, user.id);
        assert!(!created);
        assert_eq!(role_was, Some(Role::Researcher));
        assert_eq!(same.role, Role::Administrator);
        assert_eq!(same.email, "sso.one@example.test", "the account keeps its own email");
        let unchanged =
            sign_in(&store, identity("sub-1", "sso.one@example.test", Some(Role::Administrator)), &unusable).await;
        let SsoSignIn::SignedIn { role_was, .. } = unchanged else { panic!("signed in") };
        assert_eq!(role_was, None);

        // The same subject at another issuer is another person.
        let elsewhere = SsoIdentity {
            issuer: "https://other.example.test".to_owned(),
            ..identity("sub-1", "sso.one@example.test", Some(Role::Viewer))
        };
        let refused = store.sso_sign_in(&elsewhere, &unusable).await.unwrap();
        assert!(matches!(refused, SsoSignIn::Refused(SsoRefusal::EmailTaken)), "{refused:?}");

        // No mapped role: refused, and the account keeps its role (nothing is given or taken).
        let no_role = store.sso_sign_in(&identity("sub-1", "sso.one@example.test", None), &unusable).await.unwrap();
        assert!(matches!(no_role, SsoSignIn::Refused(SsoRefusal::NoRole)), "{no_role:?}");
        assert_eq!(store.user(user.id).await.unwrap().unwrap().role, Role::Administrator);
        let stranger = store.sso_sign_in(&identity("sub-2", "sso.two@example.test", None), &unusable).await.unwrap();
        assert!(matches!(stranger, SsoSignIn::Refused(SsoRefusal::NoRole)), "{stranger:?}");
        assert!(store.user_by_email(&email("sso.two@example.test")).await.unwrap().is_none(), "no account is made");

        // An account with a password is not taken over by an identity claiming its email.
        let password_account = store
            .create_user(&NewUser {
                email: email("password.person@example.test"),
                display_name: "Test Password Person".to_owned(),
                role: Role::Viewer,
                password_hash: unusable.clone(),
            })
            .await
            .unwrap();
        let claim =
            sign_in(&store, identity("sub-3", "Password.Person@example.test", Some(Role::Administrator)), &unusable)
                .await;
        assert!(matches!(claim, SsoSignIn::Refused(SsoRefusal::EmailTaken)));
        assert_eq!(store.user(password_account.id).await.unwrap().unwrap().role, Role::Viewer);
        assert!(store.sso_identities(password_account.id).await.unwrap().is_empty());

        // A deactivated account stays out, whatever the claims say.
        let change = UserChange { display_name: user.display_name.clone(), role: Role::Administrator, active: false };
        store.update_user(user.id, &change).await.unwrap();
        let deactivated =
            sign_in(&store, identity("sub-1", "sso.one@example.test", Some(Role::Researcher)), &unusable).await;
        assert!(matches!(deactivated, SsoSignIn::Refused(SsoRefusal::Deactivated)));
        assert_eq!(store.user(user.id).await.unwrap().unwrap().role, Role::Administrator, "no role change while out");

        // The audit log, oldest first: what happened, by account id, with no email, name or subject.
        let log = store.audit_log(&AuditFilter::default(), 0, 100).await.unwrap();
        let mut entries: Vec<(AuditKind, String, String)> =
            log.entries.iter().map(|e| (e.kind, e.action.clone(), e.subject.clone())).collect();
        entries.reverse();
        let id = user.id;
        let other = password_account.id;
        let expected: Vec<(AuditKind, String, String)> = [
            (AuditKind::AccessChange, "user.created", format!("user:{id} role:researcher via:sso")),
            (AuditKind::SignIn, "sign_in", format!("user {id} via:sso")),
            (
                AuditKind::AccessChange,
                "user.role_changed",
                format!("user:{id} from:researcher to:administrator via:sso"),
            ),
            (AuditKind::SignIn, "sign_in", format!("user {id} via:sso")),
            (AuditKind::SignIn, "sign_in", format!("user {id} via:sso")),
            (AuditKind::SignInFailed, "sign_in.failed", format!("user {id} via:sso email of an unlinked account")),
            (AuditKind::SignInFailed, "sign_in.failed", format!("user {id} via:sso no role")),
            (AuditKind::SignInFailed, "sign_in.failed", "unknown account via:sso no role".to_owned()),
            (AuditKind::SignInFailed, "sign_in.failed", format!("user {other} via:sso email of an unlinked account")),
            (AuditKind::SignInFailed, "sign_in.failed", format!("user {id} via:sso deactivated")),
        ]
        .into_iter()
        .map(|(kind, action, object)| (kind, action.to_owned(), object))
        .collect();
        assert_eq!(entries, expected, "{backend:?}");
        let sign_in = log.entries.iter().find(|e| e.action == "sign_in").unwrap();
        assert_eq!(sign_in.actor_id, Some(id), "a sign-in is by the person");
        assert!(log.entries.iter().all(|e| !e.subject.contains("example.test") && !e.subject.contains("sub-")));
        assert!(store.verify_audit_log().await.unwrap().broken.is_none(), "{backend:?}: the chain holds");
    }
}
