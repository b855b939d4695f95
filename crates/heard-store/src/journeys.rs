//! Journeys: the organisation's journey template, programmes with their partners, the stages each
//! programme copied from the template, activities with their attendance, and who was in the room.

use std::collections::HashMap;

use heard_domain::Invalid;
use heard_domain::governance::Sector;
use heard_domain::journeys::{
    ActivityKind, Attendance, AttendeeKind, ProgrammeStatus, Room, Slug, StageState, StageStatus, StageTemplate,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::governance::{Partner, PartnerRow, sort_by_name};
use crate::{Store, StoreError, decode, decode_count, now, unique};

/// One stage of the organisation's journey template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct TemplateStage {
    /// 1 for the first stage.
    pub position: i32,
    pub name: String,
    pub description: String,
    pub exit_criteria: String,
}

/// A person named on a page, without the rest of their account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserRef {
    pub id: i64,
    pub display_name: String,
}

/// One theme of commissioning work.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Programme {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub aim: String,
    pub status: ProgrammeStatus,
    pub lead_commissioner: Option<UserRef>,
    /// By name.
    pub partners: Vec<Partner>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A programme with how far along its journey it is, for lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeSummary {
    #[serde(flatten)]
    pub programme: Programme,
    pub stages_total: i64,
    pub stages_complete: i64,
    /// The first stage in progress that is not complete, else the first not started; `None` when
    /// the whole journey is complete.
    pub current_stage: Option<String>,
    /// How many activities the programme has recorded.
    pub activities: i64,
}

/// A programme to create.
#[derive(Debug, Clone)]
pub struct NewProgramme {
    pub slug: Slug,
    pub name: String,
    pub aim: String,
    pub status: ProgrammeStatus,
    pub lead_commissioner_id: Option<i64>,
    pub partner_ids: Vec<i64>,
}

/// What may change about a programme (its slug stays, so links keep working).
#[derive(Debug, Clone)]
pub struct ProgrammeChange {
    pub name: String,
    pub aim: String,
    pub status: ProgrammeStatus,
    pub lead_commissioner_id: Option<i64>,
    pub partner_ids: Vec<i64>,
}

/// One stage of one programme's journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Stage {
    pub id: i64,
    /// 1 for the first stage.
    pub position: i32,
    pub name: String,
    pub description: String,
    pub exit_criteria: String,
    pub status: StageStatus,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub notes: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl StageState for Stage {
    fn name(&self) -> &str {
        &self.name
    }

    fn status(&self) -> StageStatus {
        self.status
    }
}

/// What may be edited on a stage; its status changes only by [`Store::move_stage`].
#[derive(Debug, Clone)]
pub struct StageChange {
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub exit_criteria: String,
    pub notes: String,
}

/// Which way to move a stage: forward (start, then complete) or back (reopen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Forward,
    Back,
}

/// A workshop, listening event or other gathering, with who was in the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    pub programme_id: i64,
    /// The stage of the programme's journey it belongs to, if any.
    pub stage_position: Option<i32>,
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: Date,
    pub place: String,
    pub facilitator: String,
    pub notes: String,
    pub attendance: Attendance,
}

/// An activity to record, or its new content when edited.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub stage_position: Option<i32>,
    pub kind: ActivityKind,
    pub title: String,
    pub held_on: Date,
    pub place: String,
    pub facilitator: String,
    pub notes: String,
    pub attendance: Attendance,
}

#[derive(sqlx::FromRow)]
struct ProgrammeRow {
    id: i64,
    slug: String,
    name: String,
    aim: String,
    status: String,
    lead_commissioner_id: Option<i64>,
    lead_name: Option<String>,
    created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ProgrammePartnerRow {
    programme_id: i64,
    #[sqlx(flatten)]
    partner: PartnerRow,
}

#[derive(sqlx::FromRow)]
struct StageRow {
    id: i64,
    position: i32,
    name: String,
    description: String,
    exit_criteria: String,
    status: String,
    starts_on: Option<Date>,
    ends_on: Option<Date>,
    notes: String,
    updated_at: OffsetDateTime,
}

impl StageRow {
    fn into_stage(self) -> Result<Stage, StoreError> {
        Ok(Stage {
            id: self.id,
            position: self.position,
            name: self.name,
            description: self.description,
            exit_criteria: self.exit_criteria,
            status: decode(&self.status)?,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            notes: self.notes,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct StageBriefRow {
    programme_id: i64,
    name: String,
    status: String,
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    programme_id: i64,
    stage_position: Option<i32>,
    kind: String,
    title: String,
    held_on: Date,
    place: String,
    facilitator: String,
    notes: String,
}

#[derive(sqlx::FromRow)]
struct AttendanceRow {
    activity_id: i64,
    dimension: String,
    code: String,
    count: i32,
}

const PROGRAMME_SELECT: &str = "SELECT p.id, p.slug, p.name, p.aim, p.status, p.lead_commissioner_id, \
     u.display_name AS lead_name, p.created_at FROM programmes p LEFT JOIN users u ON u.id = p.lead_commissioner_id";
const PARTNERS_SELECT: &str = "SELECT pp.programme_id, pa.id, pa.name, pa.sector \
     FROM programme_partners pp JOIN partners pa ON pa.id = pp.partner_id";
const STAGE_COLUMNS: &str =
    "id, position, name, description, exit_criteria, status, starts_on, ends_on, notes, updated_at";
const ACTIVITY_COLUMNS: &str = "id, programme_id, stage_position, kind, title, held_on, place, facilitator, notes";

/// Which programmes to load.
#[derive(Clone, Copy)]
enum Which<'a> {
    All,
    Id(i64),
    Slug(&'a str),
}

fn assemble_programmes(
    rows: Vec<ProgrammeRow>,
    partners: Vec<ProgrammePartnerRow>,
) -> Result<Vec<Programme>, StoreError> {
    let mut by_programme: HashMap<i64, Vec<Partner>> = HashMap::new();
    for row in partners {
        by_programme.entry(row.programme_id).or_default().push(row.partner.into_partner()?);
    }
    let mut programmes = rows
        .into_iter()
        .map(|row| {
            let mut partners = by_programme.remove(&row.id).unwrap_or_default();
            sort_by_name(&mut partners, |p| &p.name, |p| p.id);
            Ok(Programme {
                id: row.id,
                slug: row.slug,
                name: row.name,
                aim: row.aim,
                status: decode(&row.status)?,
                lead_commissioner: match (row.lead_commissioner_id, row.lead_name) {
                    (Some(id), Some(display_name)) => Some(UserRef { id, display_name }),
                    _ => None,
                },
                partners,
                created_at: row.created_at,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    sort_by_name(&mut programmes, |p| &p.name, |p| p.id);
    Ok(programmes)
}

fn summarise(
    programmes: Vec<Programme>,
    stages: Vec<StageBriefRow>,
    activity_counts: Vec<(i64, i64)>,
) -> Result<Vec<ProgrammeSummary>, StoreError> {
    let mut journeys: HashMap<i64, Vec<(String, StageStatus)>> = HashMap::new();
    for stage in stages {
        journeys.entry(stage.programme_id).or_default().push((stage.name, decode(&stage.status)?));
    }
    let activity_counts: HashMap<i64, i64> = activity_counts.into_iter().collect();
    Ok(programmes
        .into_iter()
        .map(|programme| {
            let journey = journeys.remove(&programme.id).unwrap_or_default();
            let count = |status: StageStatus| journey.iter().filter(|(_, s)| *s == status).count();
            let current = journey
                .iter()
                .find(|(_, s)| *s == StageStatus::InProgress)
                .or_else(|| journey.iter().find(|(_, s)| *s == StageStatus::NotStarted))
                .map(|(name, _)| name.clone());
            ProgrammeSummary {
                stages_total: i64::try_from(journey.len()).unwrap_or(i64::MAX),
                stages_complete: i64::try_from(count(StageStatus::Complete)).unwrap_or(i64::MAX),
                current_stage: current,
                activities: activity_counts.get(&programme.id).copied().unwrap_or(0),
                programme,
            }
        })
        .collect())
}

fn assemble_activities(rows: Vec<ActivityRow>, attendance: Vec<AttendanceRow>) -> Result<Vec<Activity>, StoreError> {
    let mut by_activity: HashMap<i64, Attendance> = HashMap::new();
    for row in attendance {
        let counts = by_activity.entry(row.activity_id).or_default();
        let n = decode_count(i64::from(row.count))?;
        match row.dimension.as_str() {
            "sector" => {
                counts.by_sector.insert(decode::<Sector>(&row.code)?, n);
            }
            _ => {
                counts.by_kind.insert(decode::<AttendeeKind>(&row.code)?, n);
            }
        }
    }
    rows.into_iter()
        .map(|row| {
            Ok(Activity {
                id: row.id,
                programme_id: row.programme_id,
                stage_position: row.stage_position,
                kind: decode(&row.kind)?,
                title: row.title,
                held_on: row.held_on,
                place: row.place,
                facilitator: row.facilitator,
                notes: row.notes,
                attendance: by_activity.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect()
}

/// The attendance rows to write for one activity: every non-zero count, as (dimension, code, count).
fn attendance_rows(attendance: &Attendance) -> Result<Vec<(&'static str, &'static str, i32)>, StoreError> {
    let too_many = |field: String| StoreError::Invalid(Invalid::one(field, "Enter a smaller number"));
    let mut rows = Vec::new();
    for (sector, n) in attendance.by_sector.iter().filter(|(_, n)| **n > 0) {
        let n = i32::try_from(*n).map_err(|_| too_many(format!("attendance.sector.{}", sector.code())))?;
        rows.push(("sector", sector.code(), n));
    }
    for (kind, n) in attendance.by_kind.iter().filter(|(_, n)| **n > 0) {
        let n = i32::try_from(*n).map_err(|_| too_many(format!("attendance.kind.{}", kind.code())))?;
        rows.push(("kind", kind.code(), n));
    }
    Ok(rows)
}

fn check_dates(starts_on: Option<Date>, ends_on: Option<Date>) -> Result<(), StoreError> {
    match (starts_on, ends_on) {
        (Some(start), Some(end)) if end < start => Err(StoreError::Invalid(Invalid::one(
            "ends_on",
            "The end date must be the same as or after the start date",
        ))),
        _ => Ok(()),
    }
}

per_backend! {
    async fn load_programmes(conn: &mut Conn, which: Which<'_>) -> Result<Vec<Programme>, StoreError> {
        let (rows, partners) = match which {
            Which::All => (
                sqlx::query_as::<_, ProgrammeRow>(PROGRAMME_SELECT).fetch_all(&mut *conn).await?,
                sqlx::query_as::<_, ProgrammePartnerRow>(PARTNERS_SELECT).fetch_all(&mut *conn).await?,
            ),
            Which::Id(_) | Which::Slug(_) => {
                let query = format!(
                    "{PROGRAMME_SELECT} WHERE {}",
                    if matches!(which, Which::Id(_)) { "p.id = $1" } else { "p.slug = $1" }
                );
                let query = sqlx::query_as::<_, ProgrammeRow>(&query);
                let rows = match which {
                    Which::Id(id) => query.bind(id).fetch_all(&mut *conn).await?,
                    Which::Slug(slug) => query.bind(slug).fetch_all(&mut *conn).await?,
                    Which::All => Vec::new(),
                };
                let partners = match rows.first() {
                    Some(row) => {
                        sqlx::query_as::<_, ProgrammePartnerRow>(&format!("{PARTNERS_SELECT} WHERE pp.programme_id = $1"))
                            .bind(row.id)
                            .fetch_all(&mut *conn)
                            .await?
                    }
                    None => Vec::new(),
                };
                (rows, partners)
            }
        };
        assemble_programmes(rows, partners)
    }

    async fn load_programme(conn: &mut Conn, id: i64) -> Result<Programme, StoreError> {
        load_programmes(conn, Which::Id(id)).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    /// `Invalid` unless `lead` is an active commissioner or administrator.
    async fn check_lead(conn: &mut Conn, lead: Option<i64>) -> Result<(), StoreError> {
        let Some(id) = lead else { return Ok(()) };
        let found: Option<(String, bool)> =
            sqlx::query_as("SELECT role, active FROM users WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
        match found {
            Some((role, true)) if role == "commissioner" || role == "administrator" => Ok(()),
            _ => Err(StoreError::Invalid(Invalid::one("lead_commissioner", "Choose a commissioner"))),
        }
    }

    /// Replaces a programme's partners, after checking every one exists.
    async fn write_partners(conn: &mut Conn, programme_id: i64, partner_ids: &[i64]) -> Result<(), StoreError> {
        let mut ids = partner_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for &id in &ids {
            let found: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM partners WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
            if found == 0 {
                return Err(StoreError::Invalid(Invalid::one("partners", "Choose partners from the list")));
            }
        }
        sqlx::query("DELETE FROM programme_partners WHERE programme_id = $1").bind(programme_id).execute(&mut *conn).await?;
        for id in ids {
            sqlx::query("INSERT INTO programme_partners (programme_id, partner_id) VALUES ($1, $2)")
                .bind(programme_id)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn load_stages(conn: &mut Conn, programme_id: i64) -> Result<Vec<Stage>, StoreError> {
        let sql = format!("SELECT {STAGE_COLUMNS} FROM stages WHERE programme_id = $1 ORDER BY position");
        let rows = sqlx::query_as::<_, StageRow>(&sql).bind(programme_id).fetch_all(&mut *conn).await?;
        rows.into_iter().map(StageRow::into_stage).collect()
    }

    async fn load_activities(conn: &mut Conn, programme_id: i64, id: Option<i64>) -> Result<Vec<Activity>, StoreError> {
        let (rows, attendance) = match id {
            Some(id) => (
                sqlx::query_as::<_, ActivityRow>(&format!(
                    "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE programme_id = $1 AND id = $2"
                ))
                .bind(programme_id)
                .bind(id)
                .fetch_all(&mut *conn)
                .await?,
                sqlx::query_as::<_, AttendanceRow>(
                    "SELECT activity_id, dimension, code, count FROM activity_attendance WHERE activity_id = $1",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?,
            ),
            None => (
                sqlx::query_as::<_, ActivityRow>(&format!(
                    "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE programme_id = $1 ORDER BY held_on DESC, id DESC"
                ))
                .bind(programme_id)
                .fetch_all(&mut *conn)
                .await?,
                sqlx::query_as::<_, AttendanceRow>(
                    "SELECT aa.activity_id, aa.dimension, aa.code, aa.count FROM activity_attendance aa
                     JOIN activities a ON a.id = aa.activity_id WHERE a.programme_id = $1",
                )
                .bind(programme_id)
                .fetch_all(&mut *conn)
                .await?,
            ),
        };
        assemble_activities(rows, attendance)
    }

    /// `Invalid` (field `stage`) unless `position` is a stage of the programme.
    async fn check_stage(conn: &mut Conn, programme_id: i64, position: Option<i32>) -> Result<(), StoreError> {
        let Some(position) = position else { return Ok(()) };
        let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stages WHERE programme_id = $1 AND position = $2")
            .bind(programme_id)
            .bind(position)
            .fetch_one(&mut *conn)
            .await?;
        if found == 0 {
            return Err(StoreError::Invalid(Invalid::one("stage", "Choose a stage of this programme's journey")));
        }
        Ok(())
    }

    async fn write_attendance(conn: &mut Conn, activity_id: i64, attendance: &Attendance) -> Result<(), StoreError> {
        let rows = attendance_rows(attendance)?;
        sqlx::query("DELETE FROM activity_attendance WHERE activity_id = $1").bind(activity_id).execute(&mut *conn).await?;
        for (dimension, code, count) in rows {
            sqlx::query("INSERT INTO activity_attendance (activity_id, dimension, code, count) VALUES ($1, $2, $3, $4)")
                .bind(activity_id)
                .bind(dimension)
                .bind(code)
                .bind(count)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn journey_template(pool: &DbPool) -> Result<Vec<TemplateStage>, StoreError> {
        Ok(sqlx::query_as::<_, TemplateStage>(
            "SELECT position, name, description, exit_criteria FROM journey_template_stages ORDER BY position",
        )
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn replace_journey_template(pool: &DbPool, stages: &[StageTemplate]) -> Result<(), StoreError> {
        StageTemplate::check_template(stages)?;
        let mut tx = begin(pool).await?;
        sqlx::query("DELETE FROM journey_template_stages").execute(&mut *tx).await?;
        for (position, stage) in (1_i32..).zip(stages) {
            sqlx::query(
                "INSERT INTO journey_template_stages (position, name, description, exit_criteria) VALUES ($1, $2, $3, $4)",
            )
            .bind(position)
            .bind(&stage.name)
            .bind(&stage.description)
            .bind(&stage.exit_criteria)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn create_programme(pool: &DbPool, new: &NewProgramme) -> Result<Programme, StoreError> {
        let mut tx = begin(pool).await?;
        check_lead(&mut tx, new.lead_commissioner_id).await?;
        let created = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO programmes (slug, name, aim, status, lead_commissioner_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.slug.as_str())
        .bind(&new.name)
        .bind(&new.aim)
        .bind(new.status.code())
        .bind(new.lead_commissioner_id)
        .bind(created)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("slug"))?;
        write_partners(&mut tx, id, &new.partner_ids).await?;
        // A programme copies the template, so later edits to the template leave it as it was.
        sqlx::query(
            "INSERT INTO stages (programme_id, position, name, description, exit_criteria, status, notes, updated_at)
             SELECT $1, position, name, description, exit_criteria, 'not_started', '', $2
             FROM journey_template_stages ORDER BY position",
        )
        .bind(id)
        .bind(created)
        .execute(&mut *tx)
        .await?;
        let programme = load_programme(&mut tx, id).await?;
        tx.commit().await?;
        Ok(programme)
    }

    pub(super) async fn programmes(pool: &DbPool) -> Result<Vec<ProgrammeSummary>, StoreError> {
        let mut conn = pool.acquire().await?;
        let programmes = load_programmes(&mut conn, Which::All).await?;
        let stages = sqlx::query_as::<_, StageBriefRow>(
            "SELECT programme_id, name, status FROM stages ORDER BY programme_id, position",
        )
        .fetch_all(&mut *conn)
        .await?;
        let counts: Vec<(i64, i64)> =
            sqlx::query_as("SELECT programme_id, COUNT(*) FROM activities GROUP BY programme_id")
                .fetch_all(&mut *conn)
                .await?;
        summarise(programmes, stages, counts)
    }

    pub(super) async fn programme(pool: &DbPool, which: Which<'_>) -> Result<Option<Programme>, StoreError> {
        let mut conn = pool.acquire().await?;
        Ok(load_programmes(&mut conn, which).await?.into_iter().next())
    }

    pub(super) async fn update_programme(pool: &DbPool, id: i64, change: &ProgrammeChange) -> Result<Programme, StoreError> {
        let mut tx = begin(pool).await?;
        // Before the UPDATE, whose foreign key would otherwise refuse an unknown user as an error.
        check_lead(&mut tx, change.lead_commissioner_id).await?;
        let done = sqlx::query(
            "UPDATE programmes SET name = $1, aim = $2, status = $3, lead_commissioner_id = $4 WHERE id = $5",
        )
        .bind(&change.name)
        .bind(&change.aim)
        .bind(change.status.code())
        .bind(change.lead_commissioner_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        write_partners(&mut tx, id, &change.partner_ids).await?;
        let programme = load_programme(&mut tx, id).await?;
        tx.commit().await?;
        Ok(programme)
    }

    pub(super) async fn stages(pool: &DbPool, programme_id: i64) -> Result<Vec<Stage>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_stages(&mut conn, programme_id).await
    }

    pub(super) async fn update_stage(
        pool: &DbPool,
        programme_id: i64,
        position: i32,
        change: &StageChange,
    ) -> Result<Stage, StoreError> {
        check_dates(change.starts_on, change.ends_on)?;
        let sql = format!(
            "UPDATE stages SET starts_on = $1, ends_on = $2, exit_criteria = $3, notes = $4, updated_at = $5
             WHERE programme_id = $6 AND position = $7 RETURNING {STAGE_COLUMNS}"
        );
        sqlx::query_as::<_, StageRow>(&sql)
            .bind(change.starts_on)
            .bind(change.ends_on)
            .bind(&change.exit_criteria)
            .bind(&change.notes)
            .bind(now())
            .bind(programme_id)
            .bind(position)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)?
            .into_stage()
    }

    pub(super) async fn move_stage(
        pool: &DbPool,
        programme_id: i64,
        position: i32,
        direction: Move,
        today: Date,
    ) -> Result<Stage, StoreError> {
        let mut tx = begin(pool).await?;
        let stages = load_stages(&mut tx, programme_id).await?;
        let index = usize::try_from(position)
            .ok()
            .and_then(|p| p.checked_sub(1))
            .filter(|&i| i < stages.len())
            .ok_or(StoreError::NotFound)?;
        let status = match direction {
            Move::Forward => heard_domain::journeys::advance(&stages, index)?,
            Move::Back => heard_domain::journeys::reopen(&stages, index)?,
        };
        let stage = &stages[index];
        // Moving forward records when it happened unless dates were already planned; moving back
        // keeps the dates, which a person can edit.
        let (starts_on, ends_on) = match (direction, status) {
            (Move::Forward, StageStatus::InProgress) => (stage.starts_on.or(Some(today)), stage.ends_on),
            (Move::Forward, StageStatus::Complete) => (stage.starts_on.or(Some(today)), stage.ends_on.or(Some(today))),
            _ => (stage.starts_on, stage.ends_on),
        };
        let sql = format!(
            "UPDATE stages SET status = $1, starts_on = $2, ends_on = $3, updated_at = $4 WHERE id = $5 RETURNING {STAGE_COLUMNS}"
        );
        let moved = sqlx::query_as::<_, StageRow>(&sql)
            .bind(status.code())
            .bind(starts_on)
            .bind(ends_on)
            .bind(now())
            .bind(stage.id)
            .fetch_one(&mut *tx)
            .await?
            .into_stage()?;
        tx.commit().await?;
        Ok(moved)
    }

    pub(super) async fn create_activity(pool: &DbPool, programme_id: i64, new: &NewActivity) -> Result<Activity, StoreError> {
        let mut tx = begin(pool).await?;
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_one(&mut *tx)
            .await?;
        if exists == 0 {
            return Err(StoreError::NotFound);
        }
        check_stage(&mut tx, programme_id, new.stage_position).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO activities (programme_id, stage_position, kind, title, held_on, place, facilitator, notes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(programme_id)
        .bind(new.stage_position)
        .bind(new.kind.code())
        .bind(&new.title)
        .bind(new.held_on)
        .bind(&new.place)
        .bind(&new.facilitator)
        .bind(&new.notes)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        write_attendance(&mut tx, id, &new.attendance).await?;
        let activity = load_activities(&mut tx, programme_id, Some(id)).await?.into_iter().next().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(activity)
    }

    pub(super) async fn activities(pool: &DbPool, programme_id: i64) -> Result<Vec<Activity>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_activities(&mut conn, programme_id, None).await
    }

    pub(super) async fn activity(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<Activity>, StoreError> {
        let mut conn = pool.acquire().await?;
        Ok(load_activities(&mut conn, programme_id, Some(id)).await?.into_iter().next())
    }

    pub(super) async fn update_activity(
        pool: &DbPool,
        programme_id: i64,
        id: i64,
        change: &NewActivity,
    ) -> Result<Activity, StoreError> {
        let mut tx = begin(pool).await?;
        check_stage(&mut tx, programme_id, change.stage_position).await?;
        let done = sqlx::query(
            "UPDATE activities SET stage_position = $1, kind = $2, title = $3, held_on = $4, place = $5,
             facilitator = $6, notes = $7 WHERE programme_id = $8 AND id = $9",
        )
        .bind(change.stage_position)
        .bind(change.kind.code())
        .bind(&change.title)
        .bind(change.held_on)
        .bind(&change.place)
        .bind(&change.facilitator)
        .bind(&change.notes)
        .bind(programme_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        write_attendance(&mut tx, id, &change.attendance).await?;
        let activity = load_activities(&mut tx, programme_id, Some(id)).await?.into_iter().next().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(activity)
    }

    pub(super) async fn delete_activity(pool: &DbPool, programme_id: i64, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM activities WHERE programme_id = $1 AND id = $2")
            .bind(programme_id)
            .bind(id)
            .execute(pool)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

impl Store {
    /// The organisation's journey template, by position.
    pub async fn journey_template(&self) -> Result<Vec<TemplateStage>, StoreError> {
        dispatch!(self, journey_template())
    }

    /// Replaces the whole template in one transaction, after `StageTemplate::check_template`.
    /// Programmes already started keep the stages they copied.
    pub async fn replace_journey_template(&self, stages: &[StageTemplate]) -> Result<(), StoreError> {
        dispatch!(self, replace_journey_template(stages))
    }

    /// Creates a programme with its partners and a copy of the template's stages, all not started.
    /// `Duplicate { field: "slug" }`; `Invalid` for a lead who is not an active commissioner or
    /// administrator (field `lead_commissioner`) or an unknown partner (field `partners`).
    pub async fn create_programme(&self, new: &NewProgramme) -> Result<Programme, StoreError> {
        dispatch!(self, create_programme(new))
    }

    /// Every programme with its progress, by name.
    pub async fn programmes(&self) -> Result<Vec<ProgrammeSummary>, StoreError> {
        dispatch!(self, programmes())
    }

    pub async fn programme(&self, slug: &str) -> Result<Option<Programme>, StoreError> {
        dispatch!(self, programme(Which::Slug(slug)))
    }

    pub async fn programme_by_id(&self, id: i64) -> Result<Option<Programme>, StoreError> {
        dispatch!(self, programme(Which::Id(id)))
    }

    /// Changes a programme and replaces its partners; same checks as [`Store::create_programme`].
    pub async fn update_programme(&self, id: i64, change: &ProgrammeChange) -> Result<Programme, StoreError> {
        dispatch!(self, update_programme(id, change))
    }

    /// A programme's journey, by position; empty if there is no such programme.
    pub async fn stages(&self, programme_id: i64) -> Result<Vec<Stage>, StoreError> {
        dispatch!(self, stages(programme_id))
    }

    /// Edits a stage's dates, exit criteria and notes. `Invalid` (field `ends_on`) if it would end
    /// before it starts.
    pub async fn update_stage(
        &self,
        programme_id: i64,
        position: i32,
        change: &StageChange,
    ) -> Result<Stage, StoreError> {
        dispatch!(self, update_stage(programme_id, position, change))
    }

    /// Moves a stage one step forward or back under the journey rules, in one transaction. Moving
    /// forward fills in an unset start (and, on completion, end) date with `today`.
    pub async fn move_stage(
        &self,
        programme_id: i64,
        position: i32,
        direction: Move,
        today: Date,
    ) -> Result<Stage, StoreError> {
        dispatch!(self, move_stage(programme_id, position, direction, today))
    }

    /// Records an activity; `Invalid` (field `stage`) if its stage is not one of the programme's.
    pub async fn create_activity(&self, programme_id: i64, new: &NewActivity) -> Result<Activity, StoreError> {
        dispatch!(self, create_activity(programme_id, new))
    }

    /// A programme's activities, most recently held first.
    pub async fn activities(&self, programme_id: i64) -> Result<Vec<Activity>, StoreError> {
        dispatch!(self, activities(programme_id))
    }

    pub async fn activity(&self, programme_id: i64, id: i64) -> Result<Option<Activity>, StoreError> {
        dispatch!(self, activity(programme_id, id))
    }

    /// Replaces an activity's content and attendance.
    pub async fn update_activity(
        &self,
        programme_id: i64,
        id: i64,
        change: &NewActivity,
    ) -> Result<Activity, StoreError> {
        dispatch!(self, update_activity(programme_id, id, change))
    }

    pub async fn delete_activity(&self, programme_id: i64, id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_activity(programme_id, id))
    }

    /// Who was in the room across the programme's activities.
    pub async fn room(&self, programme_id: i64) -> Result<Room, StoreError> {
        let activities = self.activities(programme_id).await?;
        Ok(Room::sum(activities.iter().map(|a| &a.attendance)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_stage_is_the_first_in_progress_else_the_first_not_started() {
        let programme = Programme {
            id: 1,
            slug: "p".into(),
            name: "P".into(),
            aim: String::new(),
            status: ProgrammeStatus::Active,
            lead_commissioner: None,
            partners: Vec::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        let brief =
            |name: &str, status: &str| StageBriefRow { programme_id: 1, name: name.into(), status: status.into() };
        let summary = summarise(
            vec![programme.clone()],
            vec![brief("A", "complete"), brief("B", "not_started"), brief("C", "in_progress")],
            vec![(1, 4)],
        )
        .expect("valid codes");
        assert_eq!(summary[0].current_stage.as_deref(), Some("C"));
        assert_eq!((summary[0].stages_total, summary[0].stages_complete, summary[0].activities), (3, 1, 4));
        let done = summarise(vec![programme], vec![brief("A", "complete")], vec![]).expect("valid codes");
        assert_eq!(done[0].current_stage, None);
    }

    #[test]
    fn attendance_rows_skip_zeros() {
        let mut attendance = Attendance::default();
        attendance.by_sector.insert(Sector::Health, 3);
        attendance.by_sector.insert(Sector::Police, 0);
        attendance.by_kind.insert(AttendeeKind::Carer, 3);
        assert_eq!(attendance_rows(&attendance).expect("small"), [("sector", "health", 3), ("kind", "carer", 3)]);
    }
}
