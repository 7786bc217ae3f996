//! Assessment data: monthly rollups kept in each case command's transaction, the versioned
//! formula table, grouped tallies for rates and rankings, drill-downs to the cases behind a
//! figure, and a rebuild from the events that must agree with the live rollups.

use crate::cases::{Arg, Where};
use crate::{streams, to_ms, Store, StoreError};
use chuishao_domain::assessment::{contributions, dated_contributions, Formula, RollupKey, Tally};
use chuishao_domain::{case, Actor, Case, CaseEvent, DistrictCode, Timestamp};
use sqlx::{Any, Row};
use std::collections::BTreeMap;

const UPSERT: &str = "INSERT INTO case_rollups (district, month, street, community, assignee, duty_item, liaison, \
     received, valid, contacted, solved, satisfied, basically_satisfied, dissatisfied) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
     ON CONFLICT (district, month, street, community, assignee, duty_item, liaison) DO UPDATE SET \
     received = case_rollups.received + excluded.received, valid = case_rollups.valid + excluded.valid, \
     contacted = case_rollups.contacted + excluded.contacted, solved = case_rollups.solved + excluded.solved, \
     satisfied = case_rollups.satisfied + excluded.satisfied, \
     basically_satisfied = case_rollups.basically_satisfied + excluded.basically_satisfied, \
     dissatisfied = case_rollups.dissatisfied + excluded.dissatisfied";

/// Adds changes to the rollups, in the caller's transaction.
pub(crate) async fn apply_in(
    tx: &mut sqlx::Transaction<'_, Any>,
    district: &DistrictCode,
    changes: &[(RollupKey, Tally)],
) -> Result<(), StoreError> {
    for (k, t) in changes {
        sqlx::query(UPSERT)
            .bind(district.as_str())
            .bind(&k.month)
            .bind(&k.street)
            .bind(k.community.clone().unwrap_or_default())
            .bind(k.assignee.clone().unwrap_or_default())
            .bind(k.duty_item.clone().unwrap_or_default())
            .bind(k.liaison.clone().unwrap_or_default())
            .bind(t.received)
            .bind(t.valid)
            .bind(t.contacted)
            .bind(t.solved)
            .bind(t.satisfied)
            .bind(t.basically_satisfied)
            .bind(t.dissatisfied)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A dimension figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Street,
    Community,
    /// Units and departments: who handled the cases.
    Assignee,
    DutyItem,
    Liaison,
    Month,
}

impl Dimension {
    pub fn parse(s: &str) -> Option<Dimension> {
        Some(match s {
            "street" => Dimension::Street,
            "community" => Dimension::Community,
            "unit" | "department" | "assignee" => Dimension::Assignee,
            "duty_item" | "item" => Dimension::DutyItem,
            "liaison" => Dimension::Liaison,
            "month" => Dimension::Month,
            _ => return None,
        })
    }

    /// The value of this dimension in a rollup key ('' for none).
    pub fn value_of(self, k: &RollupKey) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        match self {
            Dimension::Street => k.street.clone(),
            Dimension::Community => opt(&k.community),
            Dimension::Assignee => opt(&k.assignee),
            Dimension::DutyItem => opt(&k.duty_item),
            Dimension::Liaison => opt(&k.liaison),
            Dimension::Month => k.month.clone(),
        }
    }

    fn column(self) -> &'static str {
        match self {
            Dimension::Street => "street",
            Dimension::Community => "community",
            Dimension::Assignee => "assignee",
            Dimension::DutyItem => "duty_item",
            Dimension::Liaison => "liaison",
            Dimension::Month => "month",
        }
    }
}

/// Narrows the figures: only these values of some dimensions.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    pub street: Option<String>,
    pub community: Option<String>,
    pub assignee: Option<String>,
    pub duty_item: Option<String>,
    pub liaison: Option<String>,
}

impl Slice {
    /// Whether a rollup key lies in the slice.
    pub fn admits(&self, k: &RollupKey) -> bool {
        let is = |want: &Option<String>, have: Option<&String>| want.as_ref().is_none_or(|w| have == Some(w));
        is(&self.street, Some(&k.street))
            && is(&self.community, k.community.as_ref())
            && is(&self.assignee, k.assignee.as_ref())
            && is(&self.duty_item, k.duty_item.as_ref())
            && is(&self.liaison, k.liaison.as_ref())
    }
}

pub(crate) fn tally_row(r: &sqlx::any::AnyRow) -> Result<Tally, StoreError> {
    let get = |c: &str| -> Result<i64, StoreError> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
    Ok(Tally {
        received: get("received")?,
        valid: get("valid")?,
        contacted: get("contacted")?,
        solved: get("solved")?,
        satisfied: get("satisfied")?,
        basically_satisfied: get("basically_satisfied")?,
        dissatisfied: get("dissatisfied")?,
    })
}

const SUMS: &str = "CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(valid) AS BIGINT) AS valid, \
     CAST(SUM(contacted) AS BIGINT) AS contacted, CAST(SUM(solved) AS BIGINT) AS solved, \
     CAST(SUM(satisfied) AS BIGINT) AS satisfied, CAST(SUM(basically_satisfied) AS BIGINT) AS basically_satisfied, \
     CAST(SUM(dissatisfied) AS BIGINT) AS dissatisfied";

/// The rollups of a district's months [from, to] within a slice.
fn rollup_where(district: &DistrictCode, from: &str, to: &str, slice: &Slice) -> Where {
    let mut w = Where::default();
    w.push("district = $?", Arg::Text(district.to_string()));
    w.push("month >= $?", Arg::Text(from.to_string()));
    w.push("month <= $?", Arg::Text(to.to_string()));
    for (col, v) in [
        ("street", &slice.street),
        ("community", &slice.community),
        ("assignee", &slice.assignee),
        ("duty_item", &slice.duty_item),
        ("liaison", &slice.liaison),
    ] {
        if let Some(v) = v {
            w.push(&format!("{col} = $?"), Arg::Text(v.clone()));
        }
    }
    w
}

/// The cases of `district` (or of one street) received in [lo, hi).
pub(crate) fn received_where(district: &DistrictCode, (lo, hi): (Timestamp, Timestamp), street: Option<&str>) -> Where {
    let mut w = Where::default();
    w.push("district = $?", Arg::Text(district.to_string()));
    w.push("received_at >= $?", Arg::Int(to_ms(lo)));
    w.push("received_at < $?", Arg::Int(to_ms(hi)));
    if let Some(s) = street {
        w.push("street = $?", Arg::Text(s.to_string()));
    }
    w
}

impl Store {
    /// Tallies of months [from, to] (inclusive, `YYYY-MM`) grouped by a dimension, from the
    /// rollups. Keys are the dimension's values ('' for none).
    pub async fn tallies(
        &self,
        district: &DistrictCode,
        from: &str,
        to: &str,
        by: Dimension,
        slice: &Slice,
    ) -> Result<Vec<(String, Tally)>, StoreError> {
        let (w, col) = (rollup_where(district, from, to, slice), by.column());
        let sql = format!("SELECT {col} AS k, {SUMS} FROM case_rollups{} GROUP BY {col} ORDER BY {col}", w.sql());
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>("k")?, tally_row(r)?))).collect()
    }

    /// Tallies of months [from, to] grouped by month and by a dimension: (month, key, tally).
    /// One read for what several months' figures of several keys need (a trend and a ranking).
    pub async fn tallies_by_month(
        &self,
        district: &DistrictCode,
        from: &str,
        to: &str,
        by: Dimension,
        slice: &Slice,
    ) -> Result<Vec<(String, String, Tally)>, StoreError> {
        let (w, col) = (rollup_where(district, from, to, slice), by.column());
        let sql = format!(
            "SELECT month AS m, {col} AS k, {SUMS} FROM case_rollups{} GROUP BY month, {col} ORDER BY month, {col}",
            w.sql()
        );
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>("m")?, r.try_get::<String, _>("k")?, tally_row(r)?))).collect()
    }

    /// Tallies of the stretch [lo, hi) grouped by a dimension, summed from the cases' dated
    /// contributions — for days that do not fill whole months (the rollups are monthly). The
    /// same function the rollups are kept by decides what counts where, so whole months agree.
    pub async fn tallies_between(
        &self,
        district: &DistrictCode,
        lo: Timestamp,
        hi: Timestamp,
        by: Dimension,
        slice: &Slice,
    ) -> Result<Vec<(String, Tally)>, StoreError> {
        let mut w = Where::default();
        w.push("district = $?", Arg::Text(district.to_string()));
        let (lo_ms, hi_ms) = (to_ms(lo), to_ms(hi));
        w.push_all(
            "((received_at >= $? AND received_at < $?) OR (callback_at >= $? AND callback_at < $?))",
            [Arg::Int(lo_ms), Arg::Int(hi_ms), Arg::Int(lo_ms), Arg::Int(hi_ms)],
        );
        let sql = format!("SELECT state FROM cases{}", w.sql());
        let q = w.bind(sqlx::query(&sql));
        let rows = q.fetch_all(&self.pool).await?;
        let mut out: BTreeMap<String, Tally> = BTreeMap::new();
        for r in &rows {
            let c: Case = serde_json::from_str(&r.try_get::<String, _>("state")?)?;
            for (at, k, t) in dated_contributions(&c) {
                if at >= lo && at < hi && slice.admits(&k) {
                    *out.entry(by.value_of(&k)).or_default() += t;
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    /// The cases behind a figure: valid callbacks (or receipts) in [lo, hi) within a slice,
    /// oldest first — how many there are, and one page of them.
    pub async fn cases_behind(
        &self,
        district: &DistrictCode,
        (lo, hi): (Timestamp, Timestamp),
        receipts: bool,
        slice: &Slice,
        (offset, limit): (u64, u64),
    ) -> Result<(u64, Vec<Case>), StoreError> {
        let time = if receipts { "received_at" } else { "callback_at" };
        let mut w = Where::default();
        w.push("district = $?", Arg::Text(district.to_string()));
        w.push(&format!("{time} >= $?"), Arg::Int(to_ms(lo)));
        w.push(&format!("{time} < $?"), Arg::Int(to_ms(hi)));
        if let Some(s) = &slice.street {
            w.push("street = $?", Arg::Text(s.clone()));
        }
        if let Some(c) = &slice.community {
            w.push("community = $?", Arg::Text(c.clone()));
        }
        if let Some(i) = &slice.duty_item {
            w.push("duty_item = $?", Arg::Text(i.clone()));
        }
        if let Some(l) = &slice.liaison {
            w.push("received_by = $?", Arg::Text(l.clone()));
            w.push("channel = $?", Arg::Text("liaison_visit".into()));
        }
        let parse = |rows: Vec<sqlx::any::AnyRow>| -> Result<Vec<Case>, StoreError> {
            rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?)).collect()
        };
        let order = format!("ORDER BY {time}, id");
        match &slice.assignee {
            None => {
                let count = format!("SELECT COUNT(*) FROM cases{}", w.sql());
                let total: i64 = w.bind(sqlx::query(&count)).fetch_one(&self.pool).await?.try_get(0)?;
                let sql = format!("SELECT state FROM cases{} {order} LIMIT {limit} OFFSET {offset}", w.sql());
                let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
                Ok((total.max(0) as u64, parse(rows)?))
            }
            Some(a) => {
                // The rollups attribute a case left without a handler to its last one, which
                // the projection's assignee column does not hold: narrow in SQL, then decide
                // by the same rule as the rollups.
                let id = a.split_once(':').map_or(a.as_str(), |(_, id)| id);
                w.push("(assignee_id = $? OR assignee_id IS NULL)", Arg::Text(id.to_string()));
                let sql = format!("SELECT state FROM cases{} {order}", w.sql());
                let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
                let all: Vec<Case> = parse(rows)?
                    .into_iter()
                    .filter(|c| {
                        c.assignee.as_ref().or(c.past_assignees.last()).map(|x| x.principal()).as_deref()
                            == Some(a.as_str())
                    })
                    .collect();
                let total = all.len() as u64;
                Ok((total, all.into_iter().skip(offset as usize).take(limit as usize).collect()))
            }
        }
    }

    /// What the rollups hold, key by key.
    pub async fn rollups(&self, district: &DistrictCode) -> Result<BTreeMap<RollupKey, Tally>, StoreError> {
        let rows = sqlx::query(
            "SELECT month, street, community, assignee, duty_item, liaison, received, valid, contacted, solved, \
             satisfied, basically_satisfied, dissatisfied FROM case_rollups WHERE district = $1",
        )
        .bind(district.as_str())
        .fetch_all(&self.pool)
        .await?;
        let opt = |s: String| Some(s).filter(|s| !s.is_empty());
        let mut out = BTreeMap::new();
        for r in &rows {
            let t = tally_row(r)?;
            if t.is_zero() {
                continue;
            }
            let key = RollupKey {
                month: r.try_get("month")?,
                street: r.try_get("street")?,
                community: opt(r.try_get("community")?),
                assignee: opt(r.try_get("assignee")?),
                duty_item: opt(r.try_get("duty_item")?),
                liaison: opt(r.try_get("liaison")?),
            };
            out.insert(key, t);
        }
        Ok(out)
    }

    /// The rollups as the events say they should be: every case's stream folded, its
    /// contributions summed.
    pub async fn rollups_from_events(&self, district: &DistrictCode) -> Result<BTreeMap<RollupKey, Tally>, StoreError> {
        let ids: Vec<String> = sqlx::query("SELECT id FROM cases WHERE district = $1 ORDER BY id")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut out: BTreeMap<RollupKey, Tally> = BTreeMap::new();
        for id in ids {
            let events: Vec<streams::Stored<CaseEvent>> =
                streams::read_events(&self.pool, streams::CASES, district.as_str(), &id).await?;
            if let Some(c) = case::fold(events.iter().map(|e| &e.event)) {
                for (k, t) in contributions(&c) {
                    *out.entry(k).or_default() += t;
                }
            }
        }
        Ok(out)
    }

    /// Recomputes a district's rollups from the events, replacing the stored ones in one
    /// transaction; answers how many keys were written.
    pub async fn rebuild_rollups(&self, district: &DistrictCode) -> Result<usize, StoreError> {
        let fresh = self.rollups_from_events(district).await?;
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM case_rollups WHERE district = $1").bind(district.as_str()).execute(&mut *tx).await?;
        let changes: Vec<(RollupKey, Tally)> = fresh.into_iter().collect();
        apply_in(&mut tx, district, &changes).await?;
        tx.commit().await?;
        Ok(changes.len())
    }

    /// Whether the rollups are empty while cases exist (a database from before the rollups).
    pub async fn rollups_missing(&self) -> Result<bool, StoreError> {
        let rollups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_rollups").fetch_one(&self.pool).await?;
        let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(&self.pool).await?;
        Ok(rollups == 0 && cases > 0)
    }

    /// Every version of the formula, the standard one first when none was set.
    pub async fn formulas(&self, district: &DistrictCode) -> Result<Vec<Formula>, StoreError> {
        let rows = sqlx::query("SELECT formula FROM assessment_formulas WHERE district = $1 ORDER BY version")
            .bind(district.as_str())
            .fetch_all(&self.pool)
            .await?;
        let mut out = vec![Formula::standard()];
        for r in &rows {
            out.push(serde_json::from_str(&r.try_get::<String, _>("formula")?)?);
        }
        Ok(out)
    }

    /// Adds a formula version from a date on (audited). Months before keep theirs.
    pub async fn add_formula(&self, actor: &Actor, formula: &Formula, now: Timestamp) -> Result<Formula, StoreError> {
        let d = actor.district.as_str();
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM assessment_formulas WHERE district = $1")
            .bind(d)
            .fetch_one(&mut *tx)
            .await?;
        // Version 1 is the standard formula, always there.
        let stored = Formula { version: last.map_or(2, |v| v as u32 + 1), ..formula.clone() };
        let json = serde_json::to_string(&stored)?;
        sqlx::query(
            "INSERT INTO assessment_formulas (district, version, effective_from, formula, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(d)
        .bind(i64::from(stored.version))
        .bind(stored.effective_from.format("%Y-%m-%d").to_string())
        .bind(&json)
        .bind(&actor.user_id)
        .bind(to_ms(now))
        .execute(&mut *tx)
        .await?;
        let entry = crate::audit::AuditEntry {
            district: d,
            actor,
            action: "assessment_formula.add",
            object_kind: "assessment_formula",
            object_id: &stored.version.to_string(),
            detail: json,
        };
        crate::audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(stored)
    }
}

/// A recurring problem taken on as a theme (每月一题).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Theme {
    pub id: String,
    pub title: String,
    pub duty_item: String,
    /// district | street | community
    pub area_level: String,
    pub area_code: String,
    /// `unit:<id>` or `dept:<id>`
    pub owner: String,
    /// open | closed
    pub status: String,
    pub note: Option<String>,
    pub summary: Option<String>,
    pub opened_month: String,
    pub opened_by: String,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub version: u64,
}

fn theme_row(r: &sqlx::any::AnyRow) -> Result<Theme, StoreError> {
    Ok(Theme {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        duty_item: r.try_get("duty_item")?,
        area_level: r.try_get("area_level")?,
        area_code: r.try_get("area_code")?,
        owner: r.try_get("owner")?,
        status: r.try_get("status")?,
        note: r.try_get("note")?,
        summary: r.try_get("summary")?,
        opened_month: r.try_get("opened_month")?,
        opened_by: r.try_get("opened_by")?,
        opened_at: crate::from_ms(r.try_get("opened_at")?),
        closed_at: r.try_get::<Option<i64>, _>("closed_at")?.map(crate::from_ms),
        version: r.try_get::<i64, _>("version")? as u64,
    })
}

const THEME_COLUMNS: &str = "id, title, duty_item, area_level, area_code, owner, status, note, summary, opened_month, \
     opened_by, opened_at, closed_at, version";

impl Store {
    /// The cases received in [lo, hi), optionally of one street, oldest first: what repeat
    /// requests and hotspots are found in.
    pub async fn received_between(
        &self,
        district: &DistrictCode,
        (lo, hi): (Timestamp, Timestamp),
        street: Option<&str>,
    ) -> Result<Vec<Case>, StoreError> {
        let w = received_where(district, (lo, hi), street);
        let sql = format!("SELECT state FROM cases{} ORDER BY received_at, id", w.sql());
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?)).collect()
    }

    /// Receipts per (month, area, duty item) for some months: what high-frequency problems are
    /// found in. `area` is `street` or `community`.
    pub async fn receipts_by_area_item(
        &self,
        district: &DistrictCode,
        months: &[String],
        area: Dimension,
    ) -> Result<Vec<(String, String, String, i64)>, StoreError> {
        let col = area.column();
        let mut w = Where::default();
        w.push("district = $?", Arg::Text(district.to_string()));
        w.push_any("month", months.iter().map(|m| Arg::Text(m.clone())));
        w.push("duty_item <> $?", Arg::Text(String::new()));
        w.push(&format!("{col} <> $?"), Arg::Text(String::new()));
        let sql = format!(
            "SELECT month, {col} AS area, duty_item, CAST(SUM(received) AS BIGINT) AS n FROM case_rollups{} \
             GROUP BY month, {col}, duty_item",
            w.sql()
        );
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("month")?,
                    r.try_get("area")?,
                    r.try_get("duty_item")?,
                    r.try_get::<Option<i64>, _>("n")?.unwrap_or(0),
                ))
            })
            .collect()
    }

    pub async fn add_theme(&self, actor: &Actor, theme: &Theme, now: Timestamp) -> Result<(), StoreError> {
        let d = actor.district.as_str();
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO themes (district, {THEME_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(d)
        .bind(&theme.id)
        .bind(&theme.title)
        .bind(&theme.duty_item)
        .bind(&theme.area_level)
        .bind(&theme.area_code)
        .bind(&theme.owner)
        .bind(&theme.status)
        .bind(theme.note.clone())
        .bind(theme.summary.clone())
        .bind(&theme.opened_month)
        .bind(&theme.opened_by)
        .bind(to_ms(theme.opened_at))
        .bind(theme.closed_at.map(to_ms))
        .bind(theme.version as i64)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, "theme"))?;
        let detail = serde_json::json!({"duty_item": theme.duty_item, "area": theme.area_code, "owner": theme.owner})
            .to_string();
        let entry = crate::audit::AuditEntry {
            district: d,
            actor,
            action: "theme.open",
            object_kind: "theme",
            object_id: &theme.id,
            detail,
        };
        crate::audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes an open theme with a summary (audited); a closed one is a conflict.
    pub async fn close_theme(
        &self,
        actor: &Actor,
        id: &str,
        summary: &str,
        now: Timestamp,
    ) -> Result<Theme, StoreError> {
        let d = actor.district.as_str();
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE themes SET status = 'closed', summary = $1, closed_at = $2, version = version + 1 \
             WHERE district = $3 AND id = $4 AND status = 'open'",
        )
        .bind(summary)
        .bind(to_ms(now))
        .bind(d)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        let entry = crate::audit::AuditEntry {
            district: d,
            actor,
            action: "theme.close",
            object_kind: "theme",
            object_id: id,
            detail: "{}".into(),
        };
        crate::audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        self.theme(&actor.district, id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn theme(&self, district: &DistrictCode, id: &str) -> Result<Option<Theme>, StoreError> {
        let row = sqlx::query(&format!("SELECT {THEME_COLUMNS} FROM themes WHERE district = $1 AND id = $2"))
            .bind(district.as_str())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(theme_row).transpose()
    }

    pub async fn themes(&self, district: &DistrictCode) -> Result<Vec<Theme>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {THEME_COLUMNS} FROM themes WHERE district = $1 ORDER BY opened_at DESC, id"))
                .bind(district.as_str())
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(theme_row).collect()
    }
}
