//! Changing the duty catalog, shared by the API (`PUT /api/v1/catalog/{code}`,
//! `POST /api/v1/catalog/import`) and the admin pages: the item checked as the domain says, its
//! owners checked against the organisation, stored with its audit record, and the district's
//! router rebuilt so that suggestions and owners follow at once.

use crate::error::ApiError;
use crate::AppState;
use axum::http::StatusCode;
use chuishao_domain::catalog::{parse_csv_lines, CatalogDiff, CatalogFileError, DutyItem, Owner, CSV_COLUMNS};
use chuishao_domain::field::FieldError;
use chuishao_domain::{Actor, DistrictCode};
use chuishao_store::StoreError;

/// Why a change was refused: the client's mistake (422, nothing written) or the store's.
#[derive(Debug)]
pub enum Refusal {
    Invalid(ApiError),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Invalid(e) => e,
            Refusal::Store(e) => e.into(),
        }
    }
}

/// What a duty item may name as its owners in a district: its units' roles, its departments.
pub struct Owners {
    roles: Vec<String>,
    departments: Vec<String>,
}

impl Owners {
    pub async fn of(state: &AppState, district: &DistrictCode) -> Result<Owners, StoreError> {
        let roles = state.store.unit_roles(district).await?;
        let departments = state.store.departments(district).await?.into_iter().map(|d| d.id.to_string()).collect();
        Ok(Owners { roles, departments })
    }

    /// The first owner `item` names that the district does not have, as the field it is in.
    pub fn unknown_in(&self, item: &DutyItem) -> Option<FieldError> {
        item.owners().enumerate().find_map(|(i, owner)| {
            let known = match owner {
                Owner::UnitRole(role) => self.roles.contains(role),
                Owner::Department(id) => self.departments.iter().any(|d| d == id.as_str()),
            };
            (!known).then(|| FieldError::unknown(if i == 0 { "owner" } else { "cooperating" }))
        })
    }
}

/// Adds or changes one item; whether it was new.
pub async fn put_item(state: &AppState, actor: &Actor, item: DutyItem) -> Result<(bool, DutyItem), Refusal> {
    let item = item.checked().map_err(|e| Refusal::Invalid(e.into()))?;
    if let Some(e) = Owners::of(state, &actor.district).await?.unknown_in(&item) {
        return Err(Refusal::Invalid(e.into()));
    }
    let created = state.store.put_duty_item(actor, &item, state.now()).await?;
    state.routing.rebuild(&state.store, &actor.district).await?;
    tracing::info!(by = %actor.user_id, code = %item.code, created, "duty item saved");
    Ok((created, item))
}

/// A refused catalog file as an answer: the line and what is wrong with it.
pub fn file_error(e: CatalogFileError) -> ApiError {
    let refused = |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code);
    match e {
        CatalogFileError::Header => refused("catalog_file_header").arg("columns", CSV_COLUMNS.join(",")),
        CatalogFileError::Unreadable { line } => refused("catalog_file_unreadable").arg("line", line.to_string()),
        CatalogFileError::Cell { line, error } => refused("invalid_catalog_file")
            .field(error.field.clone())
            .arg("line", line.to_string())
            .error_arg("detail", error.into()),
        CatalogFileError::DuplicateCode { line, code } => {
            refused("catalog_duplicate_code").arg("line", line.to_string()).arg("code", code)
        }
        CatalogFileError::Empty => refused("catalog_file_empty"),
    }
}

/// Reads a catalog file and checks every item's owners: the items, or why the file is refused.
pub async fn read_file(state: &AppState, district: &DistrictCode, text: &str) -> Result<Vec<DutyItem>, Refusal> {
    let lines = parse_csv_lines(text).map_err(|e| Refusal::Invalid(file_error(e)))?;
    let owners = Owners::of(state, district).await?;
    for (line, item) in &lines {
        if let Some(error) = owners.unknown_in(item) {
            return Err(Refusal::Invalid(file_error(CatalogFileError::Cell { line: *line, error })));
        }
    }
    Ok(lines.into_iter().map(|(_, item)| item).collect())
}

/// What importing `text` as the new catalog changes; applied unless `dry_run`.
pub async fn import(state: &AppState, actor: &Actor, text: &str, dry_run: bool) -> Result<CatalogDiff, Refusal> {
    let items = read_file(state, &actor.district, text).await?;
    if dry_run {
        let old = state.store.duty_items(&actor.district).await?;
        return Ok(CatalogDiff::between(&old, &items));
    }
    let diff = state.store.replace_duty_catalog(actor, &items, state.now()).await?;
    if !diff.is_empty() {
        state.routing.rebuild(&state.store, &actor.district).await?;
    }
    tracing::info!(by = %actor.user_id, added = diff.added.len(), changed = diff.changed.len(), removed = diff.removed.len(), "duty catalog imported");
    Ok(diff)
}
