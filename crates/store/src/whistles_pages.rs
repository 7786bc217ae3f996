//! Read-only queries for the whistle pages: the cases a page of whistles was blown from, in one
//! query (the whistle board shows each one's case without a query per row); a department's
//! inbox.

use crate::cases::{Arg, Where};
use crate::{Store, StoreError, WhistleFilter};
use chuishao_domain::case::Visibility;
use chuishao_domain::whistle::{Whistle, WhistleStatus};
use chuishao_domain::{Actor, CaseId, DistrictCode, Scope};
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

impl Store {
    /// A department's inbox (部门待办): the active whistles that summon `actor`'s department
    /// and whose summons it has not settled yet (200 at most; a department has a handful).
    /// Empty for anyone not of a department.
    pub async fn department_inbox(&self, actor: &Actor) -> Result<Vec<Whistle>, StoreError> {
        let Scope::Department { id: department } = &actor.scope else { return Ok(vec![]) };
        let filter = WhistleFilter {
            status: vec![WhistleStatus::Active],
            department: Some(department.to_string()),
            page: 1,
            per_page: 200,
            ..Default::default()
        };
        let found = self.list_whistles(&actor.district, &Visibility::of(actor), &filter).await?;
        Ok(found
            .items
            .into_iter()
            .filter(|w| w.summons_of(department).is_some_and(|s| !s.status.is_settled()))
            .collect())
    }
}
