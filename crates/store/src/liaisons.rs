//! Community liaisons: who covers which community (with history), the households in their care,
//! the visits they log — a visit written together with the case or assistance it raises — and
//! their results.

use crate::audit::{self, AuditEntry};
use crate::cases::{bind_args, placeholders, receive_in, Arg, CommandOutcome, Where};
use crate::idempotency::{claim_in, Idempotency, Once};
use crate::{from_ms, to_ms, CommandError, Store, StoreError};
use chrono::NaiveDate;
use chuishao_domain::assistance::{AssistanceCommand, AssistanceRequest, NewAssistance};
use chuishao_domain::calendar::start_of_day;
use chuishao_domain::case::{Env, NewCase};
use chuishao_domain::liaison::{next_visit_due, CareFlag, Household, VisitNotes, VisitPolicy};
use chuishao_domain::personal::{PersonName, Phone};
use chuishao_domain::{Actor, ActorRef, CommunityCode, DistrictCode, Role, StreetCode, Timestamp, WorkCalendar};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

/// One stint of a liaison in a community.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub liaison_id: String,
    pub liaison_name: String,
    pub community: CommunityCode,
    pub assigned_at: Timestamp,
    pub assigned_by: String,
    pub ended_at: Option<Timestamp>,
    pub ended_by: Option<String>,
}

/// A household as stored, with its visit schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHousehold {
    pub household: Household,
    pub registered_on: NaiveDate,
    pub last_visit_on: Option<NaiveDate>,
    pub next_visit_due: Option<NaiveDate>,
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    /// Only these communities (the caller's coverage or a chosen one); empty means none.
    pub communities: Vec<CommunityCode>,
    pub flag: Option<CareFlag>,
    /// Only households due for a visit on or before this day.
    pub due_by: Option<NaiveDate>,
    pub include_inactive: bool,
    pub page: u32,
    pub per_page: u32,
}

/// A logged visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub id: String,
    pub district: DistrictCode,
    pub street: StreetCode,
    pub community: CommunityCode,
    pub household_id: Option<String>,
    pub place: Option<String>,
    pub by: ActorRef,
    pub visited_on: NaiveDate,
    pub notes: VisitNotes,
    pub case_id: Option<String>,
    pub assistance_id: Option<String>,
    pub recorded_at: Timestamp,
}

impl Visit {
    /// A visit `by` a liaison, made now (a new id); the case or request it raises is linked
    /// when it is recorded.
    pub fn new(
        by: &Actor,
        community: &CommunityCode,
        household_id: Option<String>,
        place: Option<String>,
        visited_on: NaiveDate,
        notes: VisitNotes,
        now: Timestamp,
    ) -> Visit {
        Visit {
            id: uuid::Uuid::now_v7().to_string(),
            district: by.district.clone(),
            street: community.street(),
            community: community.clone(),
            household_id,
            place,
            by: by.as_ref(),
            visited_on,
            notes,
            case_id: None,
            assistance_id: None,
            recorded_at: now,
        }
    }
}

/// A visit to record, with what it raises.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub visit: Visit,
    pub raise_case: Option<NewCase>,
    pub raise_assistance: Option<NewAssistance>,
}

/// What recording a visit wrote.
#[derive(Debug, Clone)]
pub struct VisitOutcome {
    pub visit: Visit,
    pub case: Option<CommandOutcome>,
    pub assistance: Option<AssistanceRequest>,
}

#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub communities: Vec<CommunityCode>,
    pub liaison: Option<String>,
    pub household: Option<String>,
    /// The visit that raised this case.
    pub case: Option<String>,
    pub from: Option<NaiveDate>,
    /// Exclusive.
    pub to: Option<NaiveDate>,
    pub page: u32,
    pub per_page: u32,
}

/// What a liaison did in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiaisonResults {
    pub liaison_id: String,
    pub liaison_name: String,
    pub visits: u64,
    pub households_visited: u64,
    /// Households in care in the communities the liaison covers now.
    pub households_in_care: u64,
    pub cases_raised: u64,
    /// Of the cases raised, those answered or resolved by now.
    pub cases_solved: u64,
    pub assistance_submitted: u64,
    pub assistance_delivered: u64,
}

fn day(s: &str) -> Result<NaiveDate, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("date {s}")))
}

fn day_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn flags_column(flags: &[CareFlag]) -> String {
    if flags.is_empty() {
        return ",".into();
    }
    format!(",{},", flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(","))
}

const HOUSEHOLD_COLUMNS: &str = "district, id, street, community, address, contact_name, phone, care_flags, note, \
     active, registered_on, last_visit_on, next_visit_due, version, created_by, created_at, updated_at";

fn household_row(r: &AnyRow) -> Result<StoredHousehold, StoreError> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("household {what} {v}"));
    let district: String = r.try_get("district")?;
    let street: String = r.try_get("street")?;
    let community: String = r.try_get("community")?;
    let flags: String = r.try_get("care_flags")?;
    let name: Option<String> = r.try_get("contact_name")?;
    let phone: Option<String> = r.try_get("phone")?;
    Ok(StoredHousehold {
        household: Household {
            id: r.try_get("id")?,
            district: DistrictCode::parse(&district).map_err(|_| corrupt("district", &district))?,
            street: StreetCode::parse(&street).map_err(|_| corrupt("street", &street))?,
            community: CommunityCode::parse(&community).map_err(|_| corrupt("community", &community))?,
            address: r.try_get("address")?,
            contact_name: name
                .map(|n| PersonName::parse_field("contact_name", &n).map_err(|_| corrupt("name", "…")))
                .transpose()?,
            phone: phone.map(|p| Phone::parse(&p).map_err(|_| corrupt("phone", "…"))).transpose()?,
            care_flags: flags
                .split(',')
                .filter(|f| !f.is_empty())
                .map(|f| CareFlag::parse(f).ok_or_else(|| corrupt("flag", f)))
                .collect::<Result<_, _>>()?,
            note: r.try_get("note")?,
            active: r.try_get::<i64, _>("active")? != 0,
        },
        registered_on: day(&r.try_get::<String, _>("registered_on")?)?,
        last_visit_on: r.try_get::<Option<String>, _>("last_visit_on")?.map(|s| day(&s)).transpose()?,
        next_visit_due: r.try_get::<Option<String>, _>("next_visit_due")?.map(|s| day(&s)).transpose()?,
        version: r.try_get::<i64, _>("version")? as u64,
        created_at: from_ms(r.try_get("created_at")?),
        updated_at: from_ms(r.try_get("updated_at")?),
    })
}

const VISIT_COLUMNS: &str = "district, id, street, community, household_id, place, liaison_id, liaison_name, \
     liaison_role, visited_on, seen, asked, follow_ups, case_id, assistance_id, recorded_at";

fn visit_row(r: &AnyRow) -> Result<Visit, StoreError> {
    let corrupt = |v: String| StoreError::Corrupt(format!("visit {v}"));
    let role: String = r.try_get("liaison_role")?;
    Ok(Visit {
        id: r.try_get("id")?,
        district: DistrictCode::parse(&r.try_get::<String, _>("district")?).map_err(corrupt)?,
        street: StreetCode::parse(&r.try_get::<String, _>("street")?).map_err(corrupt)?,
        community: CommunityCode::parse(&r.try_get::<String, _>("community")?).map_err(corrupt)?,
        household_id: r.try_get("household_id")?,
        place: r.try_get("place")?,
        by: ActorRef {
            user_id: r.try_get("liaison_id")?,
            name: r.try_get("liaison_name")?,
            role: Role::parse(&role).ok_or_else(|| corrupt(role.clone()))?,
        },
        visited_on: day(&r.try_get::<String, _>("visited_on")?)?,
        notes: VisitNotes {
            seen: r.try_get("seen")?,
            asked: r.try_get("asked")?,
            follow_ups: r.try_get("follow_ups")?,
        },
        case_id: r.try_get("case_id")?,
        assistance_id: r.try_get("assistance_id")?,
        recorded_at: from_ms(r.try_get("recorded_at")?),
    })
}

fn assignment_row(r: &AnyRow) -> Result<Assignment, StoreError> {
    let community: String = r.try_get("community")?;
    Ok(Assignment {
        liaison_id: r.try_get("liaison_id")?,
        liaison_name: r.try_get("liaison_name")?,
        community: CommunityCode::parse(&community).map_err(StoreError::Corrupt)?,
        assigned_at: from_ms(r.try_get("assigned_at")?),
        assigned_by: r.try_get("assigned_by")?,
        ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(from_ms),
        ended_by: r.try_get("ended_by")?,
    })
}

fn audit_entry<'a>(actor: &'a Actor, action: &'a str, kind: &'a str, id: &'a str, detail: String) -> AuditEntry<'a> {
    AuditEntry { district: actor.district.as_str(), actor, action, object_kind: kind, object_id: id, detail }
}

/// Starts a stint of a liaison in a community, in the caller's transaction.
pub(crate) async fn assign_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    district: &DistrictCode,
    liaison_id: &str,
    community: &CommunityCode,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO liaison_assignments (district, liaison_id, community, street, assigned_at, assigned_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(district.as_str())
    .bind(liaison_id)
    .bind(community.as_str())
    .bind(community.street().as_str())
    .bind(to_ms(now))
    .bind(by)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::from_insert(e, "assignment"))?;
    Ok(())
}

impl Store {
    /// The communities a liaison covers now.
    pub async fn liaison_covers(
        &self,
        district: &DistrictCode,
        liaison_id: &str,
    ) -> Result<Vec<CommunityCode>, StoreError> {
        let rows = sqlx::query(
            "SELECT community FROM liaison_assignments WHERE district = $1 AND liaison_id = $2 AND ended_at IS NULL \
             ORDER BY community",
        )
        .bind(district.as_str())
        .bind(liaison_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| CommunityCode::parse(&r.try_get::<String, _>("community")?).map_err(StoreError::Corrupt))
            .collect()
    }

    /// Stints in a street's communities (or of one liaison), newest first; open ones only unless
    /// `history`.
    pub async fn liaison_assignments(
        &self,
        district: &DistrictCode,
        street: Option<&StreetCode>,
        liaison_id: Option<&str>,
        history: bool,
    ) -> Result<Vec<Assignment>, StoreError> {
        let mut w = Where::default();
        w.push("a.district = $?", Arg::Text(district.to_string()));
        if let Some(s) = street {
            w.push("a.street = $?", Arg::Text(s.to_string()));
        }
        if let Some(l) = liaison_id {
            w.push("a.liaison_id = $?", Arg::Text(l.to_string()));
        }
        let open = if history { "" } else { " AND a.ended_at IS NULL" };
        let sql = format!(
            "SELECT a.liaison_id AS liaison_id, u.display_name AS liaison_name, a.community AS community, \
             a.assigned_at AS assigned_at, a.assigned_by AS assigned_by, a.ended_at AS ended_at, a.ended_by AS ended_by \
             FROM liaison_assignments a JOIN users u ON u.district = a.district AND u.id = a.liaison_id{}{open} \
             ORDER BY a.community, a.assigned_at DESC",
            w.sql()
        );
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter().map(assignment_row).collect()
    }

    /// Sets the communities a liaison covers: stints not in `communities` end, new ones start;
    /// the history stays. Audited.
    pub async fn set_liaison_communities(
        &self,
        actor: &Actor,
        liaison_id: &str,
        communities: &[CommunityCode],
        now: Timestamp,
    ) -> Result<Vec<CommunityCode>, StoreError> {
        let now = crate::whole_ms(now);
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        // Read in the transaction: a concurrent change makes the insert of an open stint fail
        // on its unique index rather than leave two.
        let before: Vec<CommunityCode> = sqlx::query(
            "SELECT community FROM liaison_assignments WHERE district = $1 AND liaison_id = $2 AND ended_at IS NULL",
        )
        .bind(actor.district.as_str())
        .bind(liaison_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| CommunityCode::parse(&r.try_get::<String, _>("community")?).map_err(StoreError::Corrupt))
        .collect::<Result<_, _>>()?;
        for gone in before.iter().filter(|c| !communities.contains(c)) {
            sqlx::query(
                "UPDATE liaison_assignments SET ended_at = $1, ended_by = $2 \
                 WHERE district = $3 AND liaison_id = $4 AND community = $5 AND ended_at IS NULL",
            )
            .bind(to_ms(now))
            .bind(&actor.user_id)
            .bind(actor.district.as_str())
            .bind(liaison_id)
            .bind(gone.as_str())
            .execute(&mut *tx)
            .await?;
        }
        for new in communities.iter().filter(|c| !before.contains(c)) {
            assign_in(&mut tx, &actor.district, liaison_id, new, &actor.user_id, now).await?;
        }
        let mut after: Vec<CommunityCode> = communities.to_vec();
        after.sort();
        after.dedup();
        let detail = serde_json::json!({
            "before": before.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            "after": after.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        })
        .to_string();
        audit::insert(&mut tx, audit_entry(actor, "liaison.assign", "user", liaison_id, detail), now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Visit intervals in force: the district's own where set, the defaults elsewhere.
    pub async fn visit_policies(&self, district: &DistrictCode) -> Result<Vec<VisitPolicy>, StoreError> {
        let rows = sqlx::query("SELECT flag, interval_days FROM visit_policies WHERE district = $1")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        let mut policies = VisitPolicy::defaults();
        for r in &rows {
            let flag: String = r.try_get("flag")?;
            let flag = CareFlag::parse(&flag).ok_or_else(|| StoreError::Corrupt(format!("care flag {flag}")))?;
            if let Some(p) = policies.iter_mut().find(|p| p.flag == flag) {
                p.interval_days = r.try_get::<i64, _>("interval_days")? as u32;
            }
        }
        Ok(policies)
    }

    /// Changes a flag's visit interval and reschedules the households that carry it, together.
    pub async fn set_visit_policy(&self, actor: &Actor, policy: VisitPolicy, now: Timestamp) -> Result<(), StoreError> {
        let mut policies = self.visit_policies(&actor.district).await?;
        if let Some(p) = policies.iter_mut().find(|p| p.flag == policy.flag) {
            *p = policy;
        }
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let d = actor.district.as_str();
        sqlx::query(
            "INSERT INTO visit_policies (district, flag, interval_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (district, flag) DO UPDATE SET interval_days = excluded.interval_days, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(d)
        .bind(policy.flag.as_str())
        .bind(i64::from(policy.interval_days))
        .bind(&actor.user_id)
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE district = $1 AND care_flags LIKE $2"
        ))
        .bind(d)
        .bind(format!("%,{},%", policy.flag.as_str()))
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            let h = household_row(r)?;
            let due = next_visit_due(&h.household.care_flags, &policies, h.last_visit_on, h.registered_on);
            sqlx::query(
                "UPDATE households SET next_visit_due = $1, version = version + 1 WHERE district = $2 AND id = $3",
            )
            .bind(due.map(day_str))
            .bind(d)
            .bind(&h.household.id)
            .execute(&mut *tx)
            .await?;
        }
        let detail =
            serde_json::json!({ "flag": policy.flag.as_str(), "interval_days": policy.interval_days }).to_string();
        audit::insert(
            &mut tx,
            audit_entry(actor, "visit_policy.set", "visit_policy", policy.flag.as_str(), detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Registers a household (once per idempotency key). Audited without its personal data.
    pub async fn add_household(
        &self,
        actor: &Actor,
        household: &Household,
        today: NaiveDate,
        now: Timestamp,
        idem: Option<&Idempotency>,
    ) -> Result<Once<StoredHousehold>, CommandError> {
        if let Some(id) = self.replayed(actor, idem, "household").await? {
            return Ok(Once::Replayed(id));
        }
        let now = crate::whole_ms(now);
        let policies = self.visit_policies(&actor.district).await?;
        let h = household;
        let stored = StoredHousehold {
            household: h.clone(),
            registered_on: today,
            last_visit_on: None,
            next_visit_due: next_visit_due(&h.care_flags, &policies, None, today),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let written = async {
            let _guard = self.write_guard().await;
            let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
            insert_household_in(&mut tx, &stored, &actor.user_id).await?;
            claim_in(&mut tx, actor, idem, "household", &h.id, now).await?;
            let detail =
                serde_json::json!({ "community": h.community.as_str(), "care_flags": flags_column(&h.care_flags) });
            audit::insert(&mut tx, audit_entry(actor, "household.add", "household", &h.id, detail.to_string()), now)
                .await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(stored)
        }
        .await;
        self.settle(actor, idem, "household", written).await
    }

    /// Writes households registered elsewhere (the demo simulator) as they are, in one transaction.
    pub async fn import_households(&self, actor: &Actor, households: &[StoredHousehold]) -> Result<usize, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for h in households {
            insert_household_in(&mut tx, h, &actor.user_id).await?;
        }
        tx.commit().await?;
        Ok(households.len())
    }

    /// Changes a household's details, guarded by its version when one is given. Audited.
    pub async fn update_household(
        &self,
        actor: &Actor,
        updated: &Household,
        expected_version: Option<u64>,
        now: Timestamp,
    ) -> Result<StoredHousehold, CommandError> {
        let now = crate::whole_ms(now);
        let d = &actor.district;
        let policies = self.visit_policies(d).await?;
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        // Read in the transaction; the version guard below catches a visit or edit in between.
        let row = sqlx::query(&format!("SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE district = $1 AND id = $2"))
            .bind(d.as_str())
            .bind(&updated.id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let current = row.as_ref().map(household_row).transpose()?.ok_or(StoreError::NotFound)?;
        if let Some(v) = expected_version.filter(|v| *v != current.version) {
            return Err(CommandError::StaleVersion { expected: v, actual: current.version });
        }
        let due = next_visit_due(&updated.care_flags, &policies, current.last_visit_on, current.registered_on);
        let done = sqlx::query(
            "UPDATE households SET address = $1, contact_name = $2, phone = $3, care_flags = $4, note = $5, active = $6, \
             next_visit_due = $7, version = version + 1, updated_at = $8 WHERE district = $9 AND id = $10 AND version = $11",
        )
        .bind(&updated.address)
        .bind(updated.contact_name.as_ref().map(|n| n.as_str().to_string()))
        .bind(updated.phone.as_ref().map(|p| p.as_str().to_string()))
        .bind(flags_column(&updated.care_flags))
        .bind(updated.note.clone())
        .bind(i64::from(updated.active))
        .bind(due.map(day_str))
        .bind(to_ms(now))
        .bind(d.as_str())
        .bind(&updated.id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if done.rows_affected() != 1 {
            let actual = self.household(d, &updated.id).await?.map_or(0, |h| h.version);
            return Err(CommandError::StaleVersion { expected: current.version, actual });
        }
        let detail = serde_json::json!({ "care_flags": flags_column(&updated.care_flags), "active": updated.active });
        audit::insert(
            &mut tx,
            audit_entry(actor, "household.update", "household", &updated.id, detail.to_string()),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(self.household(d, &updated.id).await?.ok_or(StoreError::NotFound)?)
    }

    pub async fn household(&self, district: &DistrictCode, id: &str) -> Result<Option<StoredHousehold>, StoreError> {
        let row = sqlx::query(&format!("SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE district = $1 AND id = $2"))
            .bind(district.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(household_row).transpose()
    }

    /// Households of some communities, filtered and paged: the most overdue first.
    pub async fn list_households(
        &self,
        district: &DistrictCode,
        filter: &HouseholdFilter,
    ) -> Result<(Vec<StoredHousehold>, u64), StoreError> {
        if filter.communities.is_empty() {
            return Ok((vec![], 0));
        }
        let mut w = Where::default();
        w.push("district = $?", Arg::Text(district.to_string()));
        w.push_any("community", filter.communities.iter().map(|c| Arg::Text(c.to_string())));
        if let Some(f) = filter.flag {
            w.push("care_flags LIKE $?", Arg::Text(format!("%,{},%", f.as_str())));
        }
        if let Some(due) = filter.due_by {
            w.push("next_visit_due <= $?", Arg::Text(day_str(due)));
        }
        if !filter.include_inactive {
            w.push("active = $?", Arg::Int(1));
        }
        let where_sql = w.sql();
        let count_sql = format!("SELECT COUNT(*) AS n FROM households{where_sql}");
        let total: i64 = w.bind(sqlx::query(&count_sql)).fetch_one(&self.pool).await?.try_get("n")?;
        let per_page = filter.per_page.clamp(1, 500);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        // Households without a schedule sort last on both backends.
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM households{where_sql} \
             ORDER BY CASE WHEN next_visit_due IS NULL THEN 1 ELSE 0 END, next_visit_due, id LIMIT {per_page} OFFSET {offset}"
        );
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        Ok((rows.iter().map(household_row).collect::<Result<_, _>>()?, total as u64))
    }

    /// Records that someone saw a household's contact in full, and why.
    pub async fn record_household_reveal(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let detail = serde_json::json!({ "reason": reason }).to_string();
        audit::insert(&mut tx, audit_entry(actor, "household.reveal_contact", "household", id, detail), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a visit with the case and the assistance request it raises, all or nothing, once
    /// per idempotency key. The household's schedule moves on from the visit's day.
    pub async fn record_visit(
        &self,
        actor: &Actor,
        new: NewVisit,
        now: Timestamp,
        calendar: &WorkCalendar,
        idem: Option<&Idempotency>,
    ) -> Result<Once<VisitOutcome>, CommandError> {
        if let Some(id) = self.replayed(actor, idem, "visit").await? {
            return Ok(Once::Replayed(id));
        }
        let now = crate::whole_ms(now);
        let env = Env { now, calendar };
        // Refusals of what the visit raises come before anything is written.
        if let Some(c) = &new.raise_case {
            chuishao_domain::case::decide(
                None,
                &chuishao_domain::CaseCommand::Receive(Box::new(c.clone())),
                actor,
                &env,
            )?;
        }
        let assistance_env = chuishao_domain::assistance::Env { now, calendar };
        let assistance_events = match &new.raise_assistance {
            Some(a) => Some(chuishao_domain::assistance::decide(
                None,
                &AssistanceCommand::Submit(a.clone()),
                actor,
                &assistance_env,
            )?),
            None => None,
        };
        let policies = self.visit_policies(&actor.district).await?;
        let written = async {
            let _guard = self.write_guard().await;
            let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
            let mut visit = new.visit.clone();
            let case = match new.raise_case.clone() {
                Some(c) => Some(receive_in(&mut tx, actor, &env, c).await?),
                None => None,
            };
            let assistance = match assistance_events {
                Some(events) => Some(crate::assistance::create_in(&mut tx, actor, &events, now).await?),
                None => None,
            };
            visit.case_id = case.as_ref().map(|c| c.case.id.to_string());
            visit.assistance_id = assistance.as_ref().map(|a| a.id.to_string());
            visit.recorded_at = now;
            insert_visit_in(&mut tx, &visit).await?;
            if let Some(h) = &visit.household_id {
                reschedule_in(&mut tx, &actor.district, h, visit.visited_on, &policies).await?;
            }
            claim_in(&mut tx, actor, idem, "visit", &visit.id, now).await?;
            let detail = serde_json::json!({
                "community": visit.community.as_str(),
                "household": visit.household_id,
                "case": visit.case_id,
                "assistance": visit.assistance_id,
            });
            audit::insert(&mut tx, audit_entry(actor, "visit.record", "visit", &visit.id, detail.to_string()), now)
                .await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(VisitOutcome { visit, case, assistance })
        }
        .await;
        self.settle(actor, idem, "visit", written).await
    }

    pub async fn visit(&self, district: &DistrictCode, id: &str) -> Result<Option<Visit>, StoreError> {
        let row = sqlx::query(&format!("SELECT {VISIT_COLUMNS} FROM visits WHERE district = $1 AND id = $2"))
            .bind(district.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(visit_row).transpose()
    }

    /// Visits in some communities, filtered and paged, the latest first.
    pub async fn list_visits(
        &self,
        district: &DistrictCode,
        filter: &VisitFilter,
    ) -> Result<(Vec<Visit>, u64), StoreError> {
        if filter.communities.is_empty() {
            return Ok((vec![], 0));
        }
        let mut w = Where::default();
        w.push("district = $?", Arg::Text(district.to_string()));
        w.push_any("community", filter.communities.iter().map(|c| Arg::Text(c.to_string())));
        if let Some(l) = &filter.liaison {
            w.push("liaison_id = $?", Arg::Text(l.clone()));
        }
        if let Some(h) = &filter.household {
            w.push("household_id = $?", Arg::Text(h.clone()));
        }
        if let Some(c) = &filter.case {
            w.push("case_id = $?", Arg::Text(c.clone()));
        }
        if let Some(f) = filter.from {
            w.push("visited_on >= $?", Arg::Text(day_str(f)));
        }
        if let Some(t) = filter.to {
            w.push("visited_on < $?", Arg::Text(day_str(t)));
        }
        let where_sql = w.sql();
        let count_sql = format!("SELECT COUNT(*) AS n FROM visits{where_sql}");
        let total: i64 = w.bind(sqlx::query(&count_sql)).fetch_one(&self.pool).await?.try_get("n")?;
        let per_page = filter.per_page.clamp(1, 500);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let sql = format!(
            "SELECT {VISIT_COLUMNS} FROM visits{where_sql} ORDER BY visited_on DESC, recorded_at DESC, id \
             LIMIT {per_page} OFFSET {offset}"
        );
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        Ok((rows.iter().map(visit_row).collect::<Result<_, _>>()?, total as u64))
    }

    /// Writes visits decided elsewhere (the demo simulator) with their schedules, in one
    /// transaction. Their cases and assistance are imported separately.
    pub async fn import_visits(&self, visits: &[Visit]) -> Result<usize, StoreError> {
        let mut by_district: Vec<&DistrictCode> = visits.iter().map(|v| &v.district).collect();
        by_district.dedup();
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for v in visits {
            insert_visit_in(&mut tx, v).await?;
        }
        for district in by_district {
            let policies = self.visit_policies(district).await?;
            let mut last: std::collections::BTreeMap<&str, NaiveDate> = Default::default();
            for v in visits.iter().filter(|v| &v.district == district) {
                if let Some(h) = &v.household_id {
                    let e = last.entry(h.as_str()).or_insert(v.visited_on);
                    *e = (*e).max(v.visited_on);
                }
            }
            for (h, on) in last {
                reschedule_in(&mut tx, district, h, on, &policies).await?;
            }
        }
        tx.commit().await?;
        Ok(visits.len())
    }

    /// Per liaison: visits, households, cases and assistance in [from, to) (Beijing days), and
    /// the totals over them (households counted once however many liaisons share them). With
    /// `liaisons` empty, every liaison who covers or covered a community of `streets` (every
    /// liaison of the district when that is empty too).
    pub async fn liaison_results(
        &self,
        district: &DistrictCode,
        liaisons: &[String],
        streets: &[StreetCode],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(Vec<LiaisonResults>, LiaisonResults), StoreError> {
        let d = district.as_str();
        let mut who = Where::default();
        who.push("u.district = $?", Arg::Text(d.to_string()));
        who.push("u.role = $?", Arg::Text(Role::Liaison.as_str().to_string()));
        who.push_any("u.id", liaisons.iter().map(|l| Arg::Text(l.clone())));
        who.push_in(
            "u.id IN (SELECT a.liaison_id FROM liaison_assignments a WHERE a.district = u.district AND a.street IN ({}))",
            streets.iter().map(|s| Arg::Text(s.to_string())),
        );
        let sql = format!("SELECT u.id AS id, u.display_name AS name FROM users u{} ORDER BY u.id", who.sql());
        let people: Vec<(String, String)> = who
            .bind(sqlx::query(&sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<Result<_, StoreError>>()?;
        let mut rows: Vec<LiaisonResults> = people
            .iter()
            .map(|(id, name)| LiaisonResults {
                liaison_id: id.clone(),
                liaison_name: name.clone(),
                ..Default::default()
            })
            .collect();
        if rows.is_empty() {
            return Ok((rows, LiaisonResults::default()));
        }
        let (days, times) = ((day_str(from), day_str(to)), (to_ms(start_of_day(from)), to_ms(start_of_day(to))));
        // Each query binds the district, a lower and an upper bound, then the liaisons' ids.
        let by_liaison = |sql: &str| sql.replace(":ids", &placeholders(4, people.len()));
        let grouped = |sql: String, lo: Arg, hi: Arg| {
            let mut args = vec![Arg::Text(d.to_string()), lo, hi];
            args.extend(people.iter().map(|(id, _)| Arg::Text(id.clone())));
            async move {
                let found = bind_args(sqlx::query(&sql), &args).fetch_all(&self.pool).await?;
                found
                    .iter()
                    .map(|r| {
                        Ok((
                            r.try_get::<String, _>("who")?,
                            r.try_get::<i64, _>("n")? as u64,
                            r.try_get::<Option<i64>, _>("m")?.unwrap_or(0) as u64,
                        ))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            }
        };
        let text = |s: &str| Arg::Text(s.to_string());
        let visits = grouped(
            by_liaison(
                "SELECT liaison_id AS who, COUNT(*) AS n, COUNT(DISTINCT household_id) AS m FROM visits \
                 WHERE district = $1 AND visited_on >= $2 AND visited_on < $3 AND liaison_id IN (:ids) GROUP BY liaison_id",
            ),
            text(&days.0),
            text(&days.1),
        )
        .await?;
        let cases = grouped(
            by_liaison(
                "SELECT received_by AS who, COUNT(*) AS n, CAST(SUM(CASE WHEN status IN \
                 ('answered', 'resolved', 'verified', 'callback_recorded', 'closed') THEN 1 ELSE 0 END) AS BIGINT) AS m \
                 FROM cases WHERE district = $1 AND received_at >= $2 AND received_at < $3 AND received_by IN (:ids) \
                 GROUP BY received_by",
            ),
            Arg::Int(times.0),
            Arg::Int(times.1),
        )
        .await?;
        let submitted = grouped(
            by_liaison(
                "SELECT submitted_by AS who, COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM assistance_requests \
                 WHERE district = $1 AND submitted_at >= $2 AND submitted_at < $3 AND submitted_by IN (:ids) \
                 GROUP BY submitted_by",
            ),
            Arg::Int(times.0),
            Arg::Int(times.1),
        )
        .await?;
        let delivered = grouped(
            by_liaison(
                "SELECT submitted_by AS who, COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM assistance_requests \
                 WHERE district = $1 AND delivered_at >= $2 AND delivered_at < $3 AND submitted_by IN (:ids) \
                 GROUP BY submitted_by",
            ),
            Arg::Int(times.0),
            Arg::Int(times.1),
        )
        .await?;
        // Households in care now, in the communities each covers now ($2 and $3 are unused
        // bounds, kept so every query binds alike).
        let in_care = grouped(
            by_liaison(
                "SELECT a.liaison_id AS who, COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM liaison_assignments a \
                 JOIN households h ON h.district = a.district AND h.community = a.community \
                 WHERE a.district = $1 AND a.ended_at IS NULL AND h.active = 1 AND $2 <= $3 AND a.liaison_id IN (:ids) \
                 GROUP BY a.liaison_id",
            ),
            Arg::Int(0),
            Arg::Int(0),
        )
        .await?;
        let find =
            |list: &[(String, u64, u64)], id: &str| list.iter().find(|(w, _, _)| w == id).map(|(_, n, m)| (*n, *m));
        for r in &mut rows {
            let id = r.liaison_id.as_str();
            (r.visits, r.households_visited) = find(&visits, id).unwrap_or_default();
            (r.cases_raised, r.cases_solved) = find(&cases, id).unwrap_or_default();
            r.assistance_submitted = find(&submitted, id).map_or(0, |x| x.0);
            r.assistance_delivered = find(&delivered, id).map_or(0, |x| x.0);
            r.households_in_care = find(&in_care, id).map_or(0, |x| x.0);
        }
        let mut totals = LiaisonResults::default();
        for r in &rows {
            totals.visits += r.visits;
            totals.cases_raised += r.cases_raised;
            totals.cases_solved += r.cases_solved;
            totals.assistance_submitted += r.assistance_submitted;
            totals.assistance_delivered += r.assistance_delivered;
        }
        let once = grouped(
            by_liaison(
                "SELECT 'all' AS who, COUNT(DISTINCT household_id) AS n, CAST(0 AS BIGINT) AS m FROM visits \
                 WHERE district = $1 AND visited_on >= $2 AND visited_on < $3 AND liaison_id IN (:ids)",
            ),
            text(&days.0),
            text(&days.1),
        )
        .await?;
        totals.households_visited = once.first().map_or(0, |x| x.1);
        let once = grouped(
            by_liaison(
                "SELECT 'all' AS who, COUNT(*) AS n, CAST(0 AS BIGINT) AS m FROM households h \
                 WHERE h.district = $1 AND h.active = 1 AND $2 <= $3 AND h.community IN \
                 (SELECT a.community FROM liaison_assignments a WHERE a.district = $1 AND a.ended_at IS NULL \
                 AND a.liaison_id IN (:ids))",
            ),
            Arg::Int(0),
            Arg::Int(0),
        )
        .await?;
        totals.households_in_care = once.first().map_or(0, |x| x.1);
        Ok((rows, totals))
    }
}

async fn insert_household_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    stored: &StoredHousehold,
    created_by: &str,
) -> Result<(), StoreError> {
    let h = &stored.household;
    sqlx::query(&format!(
        "INSERT INTO households ({HOUSEHOLD_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    ))
    .bind(h.district.as_str())
    .bind(&h.id)
    .bind(h.street.as_str())
    .bind(h.community.as_str())
    .bind(&h.address)
    .bind(h.contact_name.as_ref().map(|n| n.as_str().to_string()))
    .bind(h.phone.as_ref().map(|p| p.as_str().to_string()))
    .bind(flags_column(&h.care_flags))
    .bind(h.note.clone())
    .bind(i64::from(h.active))
    .bind(day_str(stored.registered_on))
    .bind(stored.last_visit_on.map(day_str))
    .bind(stored.next_visit_due.map(day_str))
    .bind(stored.version as i64)
    .bind(created_by)
    .bind(to_ms(stored.created_at))
    .bind(to_ms(stored.updated_at))
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::from_insert(e, "household"))?;
    Ok(())
}

async fn insert_visit_in(tx: &mut sqlx::Transaction<'_, Any>, v: &Visit) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO visits ({VISIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(v.district.as_str())
    .bind(&v.id)
    .bind(v.street.as_str())
    .bind(v.community.as_str())
    .bind(v.household_id.clone())
    .bind(v.place.clone())
    .bind(&v.by.user_id)
    .bind(&v.by.name)
    .bind(v.by.role.as_str())
    .bind(day_str(v.visited_on))
    .bind(&v.notes.seen)
    .bind(v.notes.asked.clone())
    .bind(v.notes.follow_ups.clone())
    .bind(v.case_id.clone())
    .bind(v.assistance_id.clone())
    .bind(to_ms(v.recorded_at))
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::from_insert(e, "visit"))?;
    Ok(())
}

/// Moves a household's schedule on from a visit on `on` (a visit logged late for an earlier day
/// never moves it back). Guarded by the household's version, re-read when another writer got
/// there first, so concurrent visits and edits never lose one another's change.
async fn reschedule_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    district: &DistrictCode,
    household: &str,
    on: NaiveDate,
    policies: &[VisitPolicy],
) -> Result<(), StoreError> {
    for _ in 0..16 {
        let row = sqlx::query(&format!("SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE district = $1 AND id = $2"))
            .bind(district.as_str())
            .bind(household)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(h) = row.as_ref().map(household_row).transpose()? else { return Err(StoreError::NotFound) };
        let last = h.last_visit_on.map_or(on, |l| l.max(on));
        let due = next_visit_due(&h.household.care_flags, policies, Some(last), h.registered_on);
        let done = sqlx::query(
            "UPDATE households SET last_visit_on = $1, next_visit_due = $2, version = version + 1 \
             WHERE district = $3 AND id = $4 AND version = $5",
        )
        .bind(day_str(last))
        .bind(due.map(day_str))
        .bind(district.as_str())
        .bind(household)
        .bind(h.version as i64)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
    }
    Err(StoreError::Conflict)
}
