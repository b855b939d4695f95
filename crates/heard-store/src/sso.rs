//! Single sign-on: accounts linked to an identity provider's subject, made on first sign-in and
//! given the role the provider's claims map to at every sign-in, with the sign-in, the account
//! made and any role change written to the audit log in the same transaction.

use heard_domain::audit::AuditKind;
use heard_domain::governance::{Email, PasswordHash, Role};

use crate::audit::{AuditConn, AuditEntry};
use crate::{Store, StoreError, User, decode, now};

/// A person as the identity provider vouched for them, after their ID token was verified.
#[derive(Debug, Clone)]
pub struct SsoIdentity {
    /// The provider's issuer URL, exactly as its ID tokens name it.
    pub issuer: String,
    /// The provider's id for the person (`sub`): stable, never reused.
    pub subject: String,
    /// For a new account; an existing one keeps its own.
    pub email: Email,
    /// For a new account; an existing one keeps its own.
    pub display_name: String,
    /// The role their claims map to, or `None` when no rule matched.
    pub role: Option<Role>,
}

/// Why a person the provider vouched for may not sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoRefusal {
    /// Their claims map to no Heard role.
    NoRole,
    /// Their account was deactivated by an administrator.
    Deactivated,
    /// An account not linked to them already has their email address. It is not linked on the
    /// strength of an email claim: a provider may let a person choose their address.
    EmailTaken,
}

/// What happened at a single sign-on.
#[derive(Debug, Clone)]
pub enum SsoSignIn {
    SignedIn {
        user: User,
        /// The account was made at this sign-in.
        created: bool,
        /// The role the account had before this sign-in changed it.
        role_was: Option<Role>,
    },
    Refused(SsoRefusal),
}

/// What the transaction decided, before the account is read back.
enum Decided {
    SignedIn { user_id: i64, created: bool, role_was: Option<Role> },
    Refused(SsoRefusal),
}

per_backend! {
    pub(super) async fn sso_sign_in(
        pool: &DbPool,
        identity: &SsoIdentity,
        unusable_password: &PasswordHash,
    ) -> Result<Decided, StoreError> {
        let mut tx = begin(pool).await?;
        let linked: Option<(i64, String, bool)> = sqlx::query_as(
            "SELECT u.id, u.role, u.active FROM user_identities i JOIN users u ON u.id = i.user_id
             WHERE i.issuer = $1 AND i.subject = $2",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .fetch_optional(&mut *tx)
        .await?;
        // As a failed password sign-in is: by nobody, naming the account by id.
        let refuse = |object: String| AuditEntry::new(AuditKind::SignInFailed, "sign_in.failed", object);
        let decided = match (linked, identity.role) {
            (Some((user_id, _, _)), None) => {
                tx.append_audit(&refuse(format!("user {user_id} via:sso no role"))).await?;
                Decided::Refused(SsoRefusal::NoRole)
            }
            (Some((user_id, _, false)), Some(_)) => {
                tx.append_audit(&refuse(format!("user {user_id} via:sso deactivated"))).await?;
                Decided::Refused(SsoRefusal::Deactivated)
            }
            (Some((user_id, role_code, true)), Some(role)) => {
                let had: Role = decode(&role_code)?;
                let role_was = (had != role).then_some(had);
                if let Some(had) = role_was {
                    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                        .bind(role.code())
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                    let subject = format!("user:{user_id} from:{} to:{} via:sso", had.code(), role.code());
                    tx.append_audit(&AuditEntry::of_action("user.role_changed", subject)).await?;
                }
                Decided::SignedIn { user_id, created: false, role_was }
            }
            (None, None) => {
                tx.append_audit(&refuse("unknown account via:sso no role".to_owned())).await?;
                Decided::Refused(SsoRefusal::NoRole)
            }
            (None, Some(role)) => {
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                    .bind(identity.email.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(user_id) = taken {
                    tx.append_audit(&refuse(format!("user {user_id} via:sso email of an unlinked account")))
                        .await?;
                    Decided::Refused(SsoRefusal::EmailTaken)
                } else {
                    let at = now();
                    let user_id: i64 = sqlx::query_scalar(
                        "INSERT INTO users (email, display_name, role, active, password_hash, created_at)
                         VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id",
                    )
                    .bind(identity.email.as_str())
                    .bind(&identity.display_name)
                    .bind(role.code())
                    .bind(unusable_password.as_str())
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query("INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&identity.issuer)
                        .bind(&identity.subject)
                        .bind(user_id)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    let subject = format!("user:{user_id} role:{} via:sso", role.code());
                    tx.append_audit(&AuditEntry::of_action("user.created", subject)).await?;
                    Decided::SignedIn { user_id, created: true, role_was: None }
                }
            }
        };
        if let Decided::SignedIn { user_id, .. } = decided {
            sqlx::query("UPDATE users SET last_signed_in_at = $1 WHERE id = $2")
                .bind(now())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            let entry = AuditEntry::of_action("sign_in", format!("user {user_id} via:sso")).by(user_id);
            tx.append_audit(&entry).await?;
        }
        tx.commit().await?;
        Ok(decided)
    }

    pub(super) async fn sso_identities(pool: &DbPool, user_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT issuer, subject FROM user_identities WHERE user_id = $1 ORDER BY issuer, subject")
            .bind(user_id)
            .fetch_all(pool)
            .await?)
    }
}

impl Store {
    /// Signs in a person the identity provider vouched for: the account linked to their issuer and
    /// subject, its role set to the one their claims map to; or, the first time, a new account with
    /// that role, linked to them. Refused when no role is mapped, the account is deactivated, or an
    /// unlinked account has their email address. The sign-in (or its refusal), a new account and a
    /// role change are audited in the same transaction. `unusable_password` is stored as a new
    /// account's password hash: one of a password nobody knows, so it signs in only through the
    /// provider.
    pub async fn sso_sign_in(
        &self,
        identity: &SsoIdentity,
        unusable_password: &PasswordHash,
    ) -> Result<SsoSignIn, StoreError> {
        match dispatch!(self, sso_sign_in(identity, unusable_password))? {
            Decided::Refused(refusal) => Ok(SsoSignIn::Refused(refusal)),
            Decided::SignedIn { user_id, created, role_was } => {
                let user = self.user(user_id).await?.ok_or(StoreError::NotFound)?;
                Ok(SsoSignIn::SignedIn { user, created, role_was })
            }
        }
    }

    /// The identities (issuer, subject) an account signs in with.
    pub async fn sso_identities(&self, user_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        dispatch!(self, sso_identities(user_id))
    }
}
