//! Read-only queries for the whistle pages: the cases a page of whistles was blown from, in one
//! query (the whistle board shows each one's case without a query per row).

use crate::cases::{Arg, Where};
use crate::{Store, StoreError};
use chuishao_domain::{CaseId, DistrictCode};
use sqlx::Row;

/// What a list row shows of a case: its number and text, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseBrief {
    pub id: String,
    pub number: String,
    pub text: String,
    pub street: String,
    pub community: Option<String>,
}

impl Store {
    /// The cases of `ids` in `district` (those that exist), from the projection. The caller
    /// decides who may see them: a whistle's case lies in the whistle's street.
    pub async fn case_briefs(&self, district: &DistrictCode, ids: &[CaseId]) -> Result<Vec<CaseBrief>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut w = Where::default();
        w.push("district = $?", Arg::Text(district.to_string()));
        w.push_any("id", ids.iter().map(|id| Arg::Text(id.to_string())));
        let sql = format!("SELECT id, number, text, street, community FROM cases{}", w.sql());
        let rows = w.bind(sqlx::query(&sql)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(CaseBrief {
                    id: r.try_get("id")?,
                    number: r.try_get("number")?,
                    text: r.try_get("text")?,
                    street: r.try_get("street")?,
                    community: r.try_get("community")?,
                })
            })
            .collect()
    }
}
