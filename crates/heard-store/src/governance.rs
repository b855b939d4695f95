//! Governance: users and their API tokens, partner organisations and the organisation's name. The
//! audit log is [`crate::audit`].

use heard_domain::governance::{Email, PasswordHash, Role, Sector};
use serde::Serialize;
use time::OffsetDateTime;

use crate::audit::{AuditConn, AuditEntry};
use crate::{Store, StoreError, decode, missing_parent, now, unique};
use heard_domain::audit::AuditKind;

/// A person with an account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    #[serde(skip)]
    #[schema(ignore)]
    pub password_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_signed_in_at: Option<OffsetDateTime>,
}

impl User {
    /// The stored hash, ready to verify a password against.
    pub fn password_hash(&self) -> PasswordHash {
        PasswordHash::from_stored(self.password_hash.clone())
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub password_hash: PasswordHash,
}

/// What an administrator may change about an account.
#[derive(Debug, Clone)]
pub struct UserChange {
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

/// A personal API token as stored: never the token itself, only its hash (not shown here).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A partner organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub sector: Sector,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    active: bool,
    password_hash: String,
    created_at: OffsetDateTime,
    last_signed_in_at: Option<OffsetDateTime>,
}

impl UserRow {
    fn into_user(self) -> Result<User, StoreError> {
        Ok(User {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role: decode(&self.role)?,
            active: self.active,
            password_hash: self.password_hash,
            created_at: self.created_at,
            last_signed_in_at: self.last_signed_in_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PartnerRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) sector: String,
}

impl PartnerRow {
    pub(crate) fn into_partner(self) -> Result<Partner, StoreError> {
        Ok(Partner { id: self.id, name: self.name, sector: decode(&self.sector)? })
    }
}

#[derive(sqlx::FromRow)]
struct ApiTokenRow {
    id: i64,
    user_id: i64,
    name: String,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

impl From<ApiTokenRow> for ApiTokenRecord {
    fn from(row: ApiTokenRow) -> Self {
        ApiTokenRecord {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

const USER_COLUMNS: &str = "id, email, display_name, role, active, password_hash, created_at, last_signed_in_at";
const TOKEN_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, revoked_at";

/// Sorts by a name as a person reads a list: ignoring case, then oldest first. Done here rather than
/// in SQL because SQLite and PostgreSQL collate differently.
pub(crate) fn sort_by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str, id: impl Fn(&T) -> i64) {
    items.sort_by(|a, b| name(a).to_lowercase().cmp(&name(b).to_lowercase()).then(id(a).cmp(&id(b))));
}

per_backend! {
    pub(super) async fn organisation_name(pool: &DbPool) -> Result<String, StoreError> {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM organisation WHERE id = 1").fetch_optional(pool).await?;
        Ok(name.unwrap_or_else(|| "Heard".to_owned()))
    }

    pub(super) async fn set_organisation_name(pool: &DbPool, name: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO organisation (id, name) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET name = excluded.name")
            .bind(name)
            .execute(pool)
            .await?;
        Ok(())
    }

    pub(super) async fn create_user(pool: &DbPool, new: &NewUser) -> Result<User, StoreError> {
        let sql = format!(
            "INSERT INTO users (email, display_name, role, active, password_hash, created_at)
             VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING {USER_COLUMNS}"
        );
        sqlx::query_as::<_, UserRow>(&sql)
            .bind(new.email.as_str())
            .bind(&new.display_name)
            .bind(new.role.code())
            .bind(new.password_hash.as_str())
            .bind(now())
            .fetch_one(pool)
            .await
            .map_err(unique("email"))?
            .into_user()
    }

    pub(super) async fn user(pool: &DbPool, id: i64) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(pool).await?.map(UserRow::into_user).transpose()
    }

    pub(super) async fn user_by_email(pool: &DbPool, email: &Email) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        sqlx::query_as::<_, UserRow>(&sql)
            .bind(email.as_str())
            .fetch_optional(pool)
            .await?
            .map(UserRow::into_user)
            .transpose()
    }

    pub(super) async fn users(pool: &DbPool) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users");
        let rows = sqlx::query_as::<_, UserRow>(&sql).fetch_all(pool).await?;
        let mut users = rows.into_iter().map(UserRow::into_user).collect::<Result<Vec<_>, _>>()?;
        sort_by_name(&mut users, |u| &u.display_name, |u| u.id);
        Ok(users)
    }

    pub(super) async fn update_user(pool: &DbPool, id: i64, change: &UserChange) -> Result<User, StoreError> {
        let sql = format!(
            "UPDATE users SET display_name = $1, role = $2, active = $3 WHERE id = $4 RETURNING {USER_COLUMNS}"
        );
        sqlx::query_as::<_, UserRow>(&sql)
            .bind(&change.display_name)
            .bind(change.role.code())
            .bind(change.active)
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?
            .into_user()
    }

    pub(super) async fn set_password(pool: &DbPool, id: i64, hash: &PasswordHash) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash.as_str()).bind(id).execute(pool).await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub(super) async fn record_sign_in(pool: &DbPool, id: i64) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE users SET last_signed_in_at = $1 WHERE id = $2").bind(now()).bind(id).execute(pool).await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub(super) async fn create_api_token(
        pool: &DbPool,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiTokenRecord, StoreError> {
        let sql = format!(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING {TOKEN_COLUMNS}"
        );
        let row = sqlx::query_as::<_, ApiTokenRow>(&sql)
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(now())
            .fetch_one(pool)
            .await
            .map_err(missing_parent)?;
        Ok(row.into())
    }

    pub(super) async fn api_tokens(pool: &DbPool, user_id: i64) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC");
        let rows = sqlx::query_as::<_, ApiTokenRow>(&sql).bind(user_id).fetch_all(pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub(super) async fn revoke_api_token(pool: &DbPool, user_id: i64, token_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(token_id)
        .bind(user_id)
        .execute(pool)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// The token's user, with the use written to the audit log in the same transaction; a
    /// revoked token, or one whose user is deactivated, is refused and that is audited too.
    pub(super) async fn user_by_api_token(pool: &DbPool, token_hash: &str) -> Result<Option<User>, StoreError> {
        let mut tx = begin(pool).await?;
        let used: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE api_tokens SET last_used_at = $1
             WHERE token_hash = $2 AND revoked_at IS NULL
               AND user_id IN (SELECT id FROM users WHERE active)
             RETURNING id, user_id",
        )
        .bind(now())
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let entry = match used {
            Some((token_id, user_id)) => {
                AuditEntry::new(AuditKind::ApiTokenUsed, "api_token.used", format!("api_token {token_id}")).by(user_id)
            }
            None => {
                // A token no one ever held is not recorded: anyone can send those, as often as they like.
                let known: Option<(i64, i64)> =
                    sqlx::query_as("SELECT id, user_id FROM api_tokens WHERE token_hash = $1")
                        .bind(token_hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((token_id, user_id)) = known else { return Ok(None) };
                AuditEntry::new(AuditKind::SignInFailed, "api_token.refused", format!("api_token {token_id}")).by(user_id)
            }
        };
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        match used {
            Some((_, id)) => user(pool, id).await,
            None => Ok(None),
        }
    }

    pub(super) async fn create_partner(pool: &DbPool, name: &str, sector: Sector) -> Result<Partner, StoreError> {
        sqlx::query_as::<_, PartnerRow>("INSERT INTO partners (name, sector) VALUES ($1, $2) RETURNING id, name, sector")
            .bind(name)
            .bind(sector.code())
            .fetch_one(pool)
            .await
            .map_err(unique("name"))?
            .into_partner()
    }

    pub(super) async fn partners(pool: &DbPool) -> Result<Vec<Partner>, StoreError> {
        let rows = sqlx::query_as::<_, PartnerRow>("SELECT id, name, sector FROM partners").fetch_all(pool).await?;
        let mut partners = rows.into_iter().map(PartnerRow::into_partner).collect::<Result<Vec<_>, _>>()?;
        sort_by_name(&mut partners, |p| &p.name, |p| p.id);
        Ok(partners)
    }

    pub(super) async fn partner(pool: &DbPool, id: i64) -> Result<Option<Partner>, StoreError> {
        sqlx::query_as::<_, PartnerRow>("SELECT id, name, sector FROM partners WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
            .map(PartnerRow::into_partner)
            .transpose()
    }

    pub(super) async fn update_partner(pool: &DbPool, id: i64, name: &str, sector: Sector) -> Result<Partner, StoreError> {
        sqlx::query_as::<_, PartnerRow>("UPDATE partners SET name = $1, sector = $2 WHERE id = $3 RETURNING id, name, sector")
            .bind(name)
            .bind(sector.code())
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(unique("name"))?
            .ok_or(StoreError::NotFound)?
            .into_partner()
    }
}

impl Store {
    /// The organisation's name, shown in the header; "Heard" until an administrator sets one.
    pub async fn organisation_name(&self) -> Result<String, StoreError> {
        dispatch!(self, organisation_name())
    }

    pub async fn set_organisation_name(&self, name: &str) -> Result<(), StoreError> {
        dispatch!(self, set_organisation_name(name))
    }

    /// Adds an account; `Duplicate { field: "email" }` if the email is taken.
    pub async fn create_user(&self, new: &NewUser) -> Result<User, StoreError> {
        dispatch!(self, create_user(new))
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        dispatch!(self, user(id))
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        dispatch!(self, user_by_email(email))
    }

    /// Every account, by display name.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        dispatch!(self, users())
    }

    pub async fn update_user(&self, id: i64, change: &UserChange) -> Result<User, StoreError> {
        dispatch!(self, update_user(id, change))
    }

    pub async fn set_password(&self, id: i64, hash: &PasswordHash) -> Result<(), StoreError> {
        dispatch!(self, set_password(id, hash))
    }

    /// Notes that the person has just signed in.
    pub async fn record_sign_in(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, record_sign_in(id))
    }

    /// Stores a new API token's hash (see `heard_domain::governance::ApiToken::hash`).
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiTokenRecord, StoreError> {
        dispatch!(self, create_api_token(user_id, name, token_hash))
    }

    /// A person's tokens, newest first, revoked ones included.
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenRecord>, StoreError> {
        dispatch!(self, api_tokens(user_id))
    }

    /// Revokes one of `user_id`'s tokens; `NotFound` if it is not theirs or already revoked.
    pub async fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<(), StoreError> {
        dispatch!(self, revoke_api_token(user_id, token_id))
    }

    /// The active user whose unrevoked token has this hash, noting that the token was used.
    pub async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        dispatch!(self, user_by_api_token(token_hash))
    }

    /// Adds a partner organisation; `Duplicate { field: "name" }` if the name is taken (any case).
    pub async fn create_partner(&self, name: &str, sector: Sector) -> Result<Partner, StoreError> {
        dispatch!(self, create_partner(name, sector))
    }

    /// Every partner organisation, by name.
    pub async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        dispatch!(self, partners())
    }

    pub async fn partner(&self, id: i64) -> Result<Option<Partner>, StoreError> {
        dispatch!(self, partner(id))
    }

    pub async fn update_partner(&self, id: i64, name: &str, sector: Sector) -> Result<Partner, StoreError> {
        dispatch!(self, update_partner(id, name, sector))
    }
}
