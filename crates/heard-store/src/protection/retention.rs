//! Retention: the administrator's rules per source kind, the sources past them, and a run that
//! erases them in one transaction (originals, or whole sources as each rule says), recorded per
//! programme as an erasure with counts and no content.

use std::collections::BTreeMap;

use heard_domain::protection::{ErasureReason, RetentionErase, RetentionRule, retention_due};
use heard_domain::voice::sources::SourceKind;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::{Erase, ErasureCounts};
use crate::journeys::UserRef;
use crate::{Store, StoreError, decode, now};

/// A retention rule as set, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionRuleRecord {
    pub kind: SourceKind,
    pub keep_days: u32,
    pub erase: RetentionErase,
    pub set_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub set_at: OffsetDateTime,
}

/// A source past its kind's retention period: what a dry run lists. Ids, kind and date; no content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueSource {
    pub id: i64,
    pub programme_id: i64,
    pub kind: SourceKind,
    /// The day the period counts from: collected, or received if that is not known.
    pub dated: Date,
    pub erase: RetentionErase,
}

/// What a retention run erased.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionRun {
    pub erased: Vec<DueSource>,
    pub counts: ErasureCounts,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    source_kind: String,
    keep_days: i64,
    erase: String,
    set_by: Option<i64>,
    setter_name: Option<String>,
    set_at: OffsetDateTime,
}

impl RuleRow {
    fn into_record(self) -> Result<RetentionRuleRecord, StoreError> {
        Ok(RetentionRuleRecord {
            kind: decode(&self.source_kind)?,
            keep_days: crate::decode_count(self.keep_days)?,
            erase: decode(&self.erase)?,
            set_by: match (self.set_by, self.setter_name) {
                (Some(id), Some(display_name)) => Some(UserRef { id, display_name }),
                _ => None,
            },
            set_at: self.set_at,
        })
    }
}

fn rule_subject(kind: SourceKind) -> String {
    format!("retention rule for {}", kind.code())
}

per_backend! {
    async fn load_rules(conn: &mut Conn) -> Result<Vec<RetentionRuleRecord>, StoreError> {
        let rows = sqlx::query_as::<_, RuleRow>(
            "SELECT r.source_kind, CAST(r.keep_days AS BIGINT) AS keep_days, r.erase, r.set_by,
                    u.display_name AS setter_name, r.set_at
             FROM retention_rules r LEFT JOIN users u ON u.id = r.set_by",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut rules = rows.into_iter().map(RuleRow::into_record).collect::<Result<Vec<_>, _>>()?;
        rules.sort_by_key(|r| r.kind);
        Ok(rules)
    }

    async fn due_in(conn: &mut Conn, today: Date) -> Result<Vec<DueSource>, StoreError> {
        let mut due = Vec::new();
        for rule in load_rules(conn).await? {
            let rows: Vec<(i64, i64, Option<Date>, OffsetDateTime)> = sqlx::query_as(
                "SELECT id, programme_id, collected_on, created_at FROM sources
                 WHERE kind = $1 AND ($2 = 'source' OR original_erased_at IS NULL) ORDER BY id",
            )
            .bind(rule.kind.code())
            .bind(rule.erase.code())
            .fetch_all(&mut *conn)
            .await?;
            for (id, programme_id, collected_on, created_at) in rows {
                let dated = collected_on.unwrap_or(created_at.date());
                if retention_due(dated, rule.keep_days, today) {
                    due.push(DueSource { id, programme_id, kind: rule.kind, dated, erase: rule.erase });
                }
            }
        }
        due.sort_by_key(|d| (d.programme_id, d.dated, d.id));
        Ok(due)
    }

    pub(super) async fn retention_rules(pool: &DbPool) -> Result<Vec<RetentionRuleRecord>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_rules(&mut conn).await
    }

    pub(super) async fn set_retention_rule(pool: &DbPool, rule: &RetentionRule, by: i64) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        sqlx::query(
            "INSERT INTO retention_rules (source_kind, keep_days, erase, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source_kind) DO UPDATE SET keep_days = $2, erase = $3, set_by = $4, set_at = $5",
        )
        .bind(rule.kind.code())
        .bind(i64::from(rule.keep_days))
        .bind(rule.erase.code())
        .bind(by)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let subject = format!("{}: {} days, erase {}", rule_subject(rule.kind), rule.keep_days, rule.erase.code());
        tx.record_in_audit_log(Some(by), "retention.rule_set", &subject).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn remove_retention_rule(pool: &DbPool, kind: SourceKind, by: i64) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let done = sqlx::query("DELETE FROM retention_rules WHERE source_kind = $1").bind(kind.code()).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.record_in_audit_log(Some(by), "retention.rule_removed", &rule_subject(kind)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn retention_due_sources(pool: &DbPool, today: Date) -> Result<Vec<DueSource>, StoreError> {
        let mut conn = pool.acquire().await?;
        due_in(&mut conn, today).await
    }

    pub(super) async fn apply_retention(pool: &DbPool, today: Date, actor_id: Option<i64>) -> Result<RetentionRun, StoreError> {
        let mut tx = begin(pool).await?;
        let due = due_in(&mut tx, today).await?;
        let mut by_programme: BTreeMap<i64, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
        for source in &due {
            let (whole, originals) = by_programme.entry(source.programme_id).or_default();
            match source.erase {
                RetentionErase::Source => whole.push(source.id),
                RetentionErase::Original => originals.push(source.id),
            }
        }
        let mut total = ErasureCounts::default();
        for (programme_id, (whole, originals)) in by_programme {
            let mut counts = tx.erase_sources(&whole).await?;
            counts.add(tx.erase_originals(&originals).await?);
            tx.record_erasure(Some(programme_id), ErasureReason::Retention, &counts, actor_id).await?;
            total.add(counts);
        }
        tx.commit().await?;
        Ok(RetentionRun { erased: due, counts: total })
    }
}

impl Store {
    /// The retention rules, by source kind.
    pub async fn retention_rules(&self) -> Result<Vec<RetentionRuleRecord>, StoreError> {
        dispatch!(self, retention_rules())
    }

    /// Sets the rule for its source kind (replacing one there was), audited as `retention.rule_set`.
    pub async fn set_retention_rule(&self, rule: &RetentionRule, by: i64) -> Result<(), StoreError> {
        dispatch!(self, set_retention_rule(rule, by))
    }

    /// Removes the rule for `kind`, audited; `NotFound` if there is none.
    pub async fn remove_retention_rule(&self, kind: SourceKind, by: i64) -> Result<(), StoreError> {
        dispatch!(self, remove_retention_rule(kind, by))
    }

    /// The sources past their kind's retention period on `today`: what a run would erase.
    pub async fn retention_due(&self, today: Date) -> Result<Vec<DueSource>, StoreError> {
        dispatch!(self, retention_due_sources(today))
    }

    /// Erases, in one transaction, every source past its period on `today` as its rule says,
    /// recording an erasure per programme (reason retention; `actor_id` is `None` for the server's
    /// daily run); then scrubs the database. Media files are removed by
    /// [`super::finish_erasures`].
    pub async fn apply_retention(&self, today: Date, actor_id: Option<i64>) -> Result<RetentionRun, StoreError> {
        let run = dispatch!(self, apply_retention(today, actor_id))?;
        if !run.erased.is_empty() {
            self.scrub_after_erasure().await;
        }
        Ok(run)
    }
}
