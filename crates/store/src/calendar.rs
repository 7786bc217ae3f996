//! The editable work calendar.

use crate::audit::{self, AuditEntry};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use chuishao_domain::calendar::CalendarDay;
use chuishao_domain::{Actor, DayKind, Timestamp, WorkCalendar};
use sqlx::Row;

const UPSERT: &str = "INSERT INTO work_calendar (day, kind, note) VALUES ($1, $2, $3) \
     ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note";

impl Store {
    /// Seeds an empty calendar with the shipped 2024–2026 arrangements (once, at migration).
    pub(crate) async fn seed_calendar(&self) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM work_calendar").fetch_one(&mut *tx).await?;
        if n == 0 {
            for d in WorkCalendar::china().days() {
                sqlx::query(UPSERT)
                    .bind(d.date.format("%Y-%m-%d").to_string())
                    .bind(d.kind.as_str())
                    .bind(&d.note)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn work_calendar(&self) -> Result<WorkCalendar, StoreError> {
        let rows = sqlx::query("SELECT day, kind, note FROM work_calendar ORDER BY day").fetch_all(&self.pool).await?;
        let mut cal = WorkCalendar::weekdays_only();
        for r in rows {
            let day: String = r.try_get("day")?;
            let kind: String = r.try_get("kind")?;
            cal.set(CalendarDay {
                date: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("calendar day {day}")))?,
                kind: DayKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("calendar kind {kind}")))?,
                note: r.try_get("note")?,
            });
        }
        Ok(cal)
    }

    /// Adds or changes one day, audited in the same transaction.
    pub async fn set_calendar_day(&self, day: &CalendarDay, actor: &Actor, now: Timestamp) -> Result<(), StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let date = day.date.format("%Y-%m-%d").to_string();
        sqlx::query(UPSERT).bind(&date).bind(day.kind.as_str()).bind(&day.note).execute(&mut *tx).await?;
        let detail = serde_json::json!({ "kind": day.kind.as_str(), "note": day.note }).to_string();
        let entry = AuditEntry {
            district: actor.district.as_str(),
            actor,
            action: "calendar.set",
            object_kind: "calendar_day",
            object_id: &date,
            detail,
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes one day's exception (it becomes an ordinary weekday or weekend), audited.
    pub async fn remove_calendar_day(
        &self,
        date: NaiveDate,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let d = date.format("%Y-%m-%d").to_string();
        let done = sqlx::query("DELETE FROM work_calendar WHERE day = $1").bind(&d).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let entry = AuditEntry {
            district: actor.district.as_str(),
            actor,
            action: "calendar.remove",
            object_kind: "calendar_day",
            object_id: &d,
            detail: "{}".into(),
        };
        audit::insert(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
