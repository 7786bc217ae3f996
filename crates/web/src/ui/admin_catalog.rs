//! Keeping the duty catalog (职责清单) from the admin pages: an item added or changed by form,
//! the catalog downloaded as CSV, and a new edition imported from CSV — checked first, shown as
//! what it would add, change and remove, and applied only when confirmed. The same checks and
//! store path as the API (`crate::catalog`).

use super::admin::{deadline_text, tabs, Tab, ROLES, WRITERS};
use super::csrf::CsrfPairs;
use super::error::{FieldErrors, UiError};
use super::page::{Ctx, SelectOption};
use crate::catalog::{import as import_catalog, put_item, read_file, Owners, Refusal};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chuishao_domain::catalog::{split_list, CatalogDiff, DutyItem, Owner, RequestKind};
use chuishao_domain::deadline::DeadlineSpec;
use chuishao_domain::field::FieldError;
use chuishao_domain::org::DEFAULT_UNIT_TEMPLATE;
use sha2::{Digest, Sha256};

/// A form's values as sent (or as the item has them), to show again.
#[derive(Debug, Clone, Default)]
struct ItemInput {
    code: String,
    category: String,
    name: String,
    kind: String,
    owner: String,
    cooperating: Vec<String>,
    whistleable: bool,
    response_amount: String,
    response_unit: String,
    resolution_amount: String,
    resolution_unit: String,
    keywords: String,
    examples: String,
}

impl ItemInput {
    fn of(i: &DutyItem) -> ItemInput {
        let unit = |s: &DeadlineSpec| s.to_string().trim_start_matches(|c: char| c.is_ascii_digit()).to_string();
        ItemInput {
            code: i.code.clone(),
            category: i.category.clone(),
            name: i.name.clone(),
            kind: i.kind.as_str().into(),
            owner: i.owner.to_string(),
            cooperating: i.cooperating.iter().map(ToString::to_string).collect(),
            whistleable: i.whistleable,
            response_amount: i.response_deadline.amount.to_string(),
            response_unit: unit(&i.response_deadline),
            resolution_amount: i.resolution_deadline.amount.to_string(),
            resolution_unit: unit(&i.resolution_deadline),
            keywords: i.keywords.join("\n"),
            examples: i.examples.join("\n"),
        }
    }

    fn from_pairs(f: &CsrfPairs) -> ItemInput {
        ItemInput {
            code: f.get("code").trim().to_string(),
            category: f.get("category").into(),
            name: f.get("name").into(),
            kind: f.get("kind").into(),
            owner: f.get("owner").into(),
            cooperating: f.all("cooperating"),
            whistleable: !f.get("whistleable").is_empty(),
            response_amount: f.get("response_amount").trim().into(),
            response_unit: f.get("response_unit").into(),
            resolution_amount: f.get("resolution_amount").trim().into(),
            resolution_unit: f.get("resolution_unit").into(),
            keywords: f.get("keywords").into(),
            examples: f.get("examples").into(),
        }
    }
}

/// The label of each form field, by the name a domain error gives it.
const FIELD_LABELS: [(&str, &str); 11] = [
    ("code", "ui-admin-catalog-f-code"),
    ("category", "ui-admin-catalog-f-category"),
    ("name", "ui-admin-catalog-f-name"),
    ("kind", "ui-admin-catalog-f-kind"),
    ("owner", "ui-admin-catalog-f-owner"),
    ("cooperating", "ui-admin-catalog-f-cooperating"),
    ("response_deadline", "ui-admin-catalog-f-response"),
    ("resolution_deadline", "ui-admin-catalog-f-resolution"),
    ("keywords", "ui-admin-catalog-f-keywords"),
    ("examples", "ui-admin-catalog-f-examples"),
    ("whistleable", "ui-admin-catalog-f-whistleable"),
];

/// Where the message of a domain field shows: deadlines beside their amount.
fn form_field(field: &str) -> &str {
    match field {
        "response_deadline" => "response_amount",
        "resolution_deadline" => "resolution_amount",
        f => f,
    }
}

fn add_error(ctx: &Ctx, errors: &mut FieldErrors, e: FieldError) {
    let label = FIELD_LABELS.iter().find(|(f, _)| *f == e.field).map(|(_, k)| ctx.t(k)).unwrap_or_default();
    let mut shown = FieldErrors::default();
    let field = form_field(&e.field).to_string();
    shown.add_field_error(ctx, e, &label);
    if let Some((_, message)) = shown.all().first() {
        errors.add(&field, message.clone());
    }
}

/// The item the form describes, or its messages by field.
fn item_of(ctx: &Ctx, code: &str, i: &ItemInput) -> Result<DutyItem, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut note = |e: FieldError| add_error(ctx, &mut errors, e);
    let kind = RequestKind::parse(i.kind.trim());
    if kind.is_none() {
        note(FieldError::required("kind"));
    }
    let owner = i.owner.parse::<Owner>().ok();
    if owner.is_none() {
        note(FieldError::required("owner"));
    }
    let cooperating: Vec<Owner> = i.cooperating.iter().filter_map(|o| o.parse().ok()).collect();
    let deadline = |field: &str, amount: &str, unit: &str| {
        format!("{amount}{unit}").parse::<DeadlineSpec>().map_err(|_| FieldError::malformed(field, "deadline_spec"))
    };
    let response = deadline("response_deadline", &i.response_amount, &i.response_unit).map_err(&mut note).ok();
    let resolution = deadline("resolution_deadline", &i.resolution_amount, &i.resolution_unit).map_err(&mut note).ok();
    let (Some(kind), Some(owner), Some(response_deadline), Some(resolution_deadline)) =
        (kind, owner, response, resolution)
    else {
        return Err(errors);
    };
    let item = DutyItem {
        code: code.to_string(),
        category: i.category.clone(),
        name: i.name.clone(),
        kind,
        owner,
        cooperating,
        whistleable: i.whistleable,
        response_deadline,
        resolution_deadline,
        keywords: split_list(&i.keywords),
        examples: split_list(&i.examples),
    };
    item.checked().map_err(|e| {
        let mut errors = FieldErrors::default();
        add_error(ctx, &mut errors, e);
        errors
    })
}

struct Choice {
    value: String,
    label: String,
    checked: bool,
    id: String,
}

/// A deadline's two fields: amount and unit (`response` or `resolution`).
struct DeadlineField {
    which: &'static str,
    label: String,
    amount: String,
    units: Vec<SelectOption>,
}

#[derive(Template)]
#[template(path = "admin_catalog_item.html")]
struct ItemPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    is_new: bool,
    action: String,
    input: ItemInput,
    errors: FieldErrors,
    kinds: Vec<SelectOption>,
    unit_owners: Vec<SelectOption>,
    department_owners: Vec<SelectOption>,
    cooperating: Vec<Choice>,
    deadlines: Vec<DeadlineField>,
}

fn unit_name(role: &str) -> String {
    DEFAULT_UNIT_TEMPLATE.iter().find(|(r, _, _)| *r == role).map(|(_, n, _)| n.to_string()).unwrap_or(role.to_string())
}

async fn item_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    is_new: bool,
    input: ItemInput,
    errors: FieldErrors,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let d = &user.actor.district;
    let option = |value: String, label: String, chosen: &str| SelectOption { selected: value == chosen, value, label };
    let kinds = RequestKind::ALL
        .iter()
        .map(|k| option(k.as_str().to_string(), ctx.label("kind", k.as_str()), &input.kind))
        .collect();
    let units: Vec<(String, String)> =
        state.store.unit_roles(d).await?.into_iter().map(|r| (format!("unit:{r}"), unit_name(&r))).collect();
    let departments: Vec<(String, String)> =
        state.store.departments(d).await?.into_iter().map(|dep| (format!("dept:{}", dep.id), dep.name)).collect();
    let owners = |list: &[(String, String)]| -> Vec<SelectOption> {
        list.iter().map(|(v, l)| option(v.clone(), l.clone(), &input.owner)).collect()
    };
    let cooperating = units
        .iter()
        .chain(departments.iter())
        .enumerate()
        .map(|(n, (v, l))| Choice {
            checked: input.cooperating.contains(v),
            value: v.clone(),
            label: l.clone(),
            id: format!("coop-{n}"),
        })
        .collect();
    let deadline_units = |chosen: &str| -> Vec<SelectOption> {
        [("m", "ui-admin-catalog-unit-m"), ("h", "ui-admin-catalog-unit-h"), ("wd", "ui-admin-catalog-unit-wd")]
            .into_iter()
            .map(|(v, k)| option(v.to_string(), ctx.t(k), chosen))
            .collect()
    };
    let page = ItemPage {
        ctx,
        tabs: tabs(ctx, user.actor.role, "/admin/catalog"),
        is_new,
        action: if is_new { "/admin/catalog/new".into() } else { format!("/admin/catalog/{}", input.code) },
        kinds,
        unit_owners: owners(&units),
        department_owners: owners(&departments),
        cooperating,
        deadlines: vec![
            DeadlineField {
                which: "response",
                label: ctx.t("ui-admin-catalog-f-response"),
                amount: input.response_amount.clone(),
                units: deadline_units(&input.response_unit),
            },
            DeadlineField {
                which: "resolution",
                label: ctx.t("ui-admin-catalog-f-resolution"),
                amount: input.resolution_amount.clone(),
                units: deadline_units(&input.resolution_unit),
            },
        ],
        input,
        errors,
    };
    Ok(ctx.page_with(status, page))
}

/// `GET /admin/catalog/new`
pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, UiError> {
    let input = ItemInput {
        kind: "complaint".into(),
        response_amount: "24".into(),
        response_unit: "h".into(),
        resolution_amount: "7".into(),
        resolution_unit: "wd".into(),
        ..ItemInput::default()
    };
    item_page(&state, &ctx, StatusCode::OK, true, input, FieldErrors::default()).await
}

/// `GET /admin/catalog/{code}`
pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let item = state.store.duty_item(&user.actor.district, &code).await?.ok_or_else(UiError::not_found)?;
    item_page(&state, &ctx, StatusCode::OK, false, ItemInput::of(&item), FieldErrors::default()).await
}

async fn save(state: &AppState, ctx: &Ctx, code: Option<String>, form: CsrfPairs) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let d = &user.actor.district;
    let is_new = code.is_none();
    let mut input = ItemInput::from_pairs(&form);
    if let Some(c) = &code {
        // A code is kept for good: the one in the path, whatever the form says.
        state.store.duty_item(d, c).await?.ok_or_else(UiError::not_found)?;
        input.code = c.clone();
    }
    let refused = |errors| item_page(state, ctx, StatusCode::UNPROCESSABLE_ENTITY, is_new, input.clone(), errors);
    let item = match item_of(ctx, &input.code, &input) {
        Ok(item) => item,
        Err(errors) => return refused(errors).await,
    };
    let mut errors = FieldErrors::default();
    if let Some(e) = Owners::of(state, d).await?.unknown_in(&item) {
        add_error(ctx, &mut errors, e);
        return refused(errors).await;
    }
    if is_new && state.store.duty_item(d, &item.code).await?.is_some() {
        errors.add("code", ctx.t("ui-admin-catalog-taken"));
        return refused(errors).await;
    }
    match put_item(state, &user.actor, item).await {
        Ok((_, item)) => {
            Ok(Redirect::to(&format!("/admin/catalog?saved={}#item-{}", item.code, item.code)).into_response())
        }
        Err(Refusal::Invalid(e)) => {
            errors.add(e.field.as_deref().map(form_field).unwrap_or("code"), e.message(ctx.lang));
            refused(errors).await
        }
        Err(Refusal::Store(e)) => Err(e.into()),
    }
}

/// `POST /admin/catalog/new`
pub async fn create(State(state): State<AppState>, ctx: Ctx, form: CsrfPairs) -> Result<Response, UiError> {
    save(&state, &ctx, None, form).await
}

/// `POST /admin/catalog/{code}`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: CsrfPairs,
) -> Result<Response, UiError> {
    save(&state, &ctx, Some(code), form).await
}

/// `GET /admin/catalog/export`: the catalog as the CSV file the import reads.
pub async fn export(State(state): State<AppState>, ctx: Ctx) -> Result<Response, UiError> {
    let user = ctx.require_role(&ROLES)?;
    let items = state.store.duty_items(&user.actor.district).await?;
    Ok(crate::api::catalog::csv_file(&items))
}

// ---- import ------------------------------------------------------------------------------

/// One line of the preview: an item and, if changed, what changes.
struct DiffRow {
    code: String,
    name: String,
    changes: String,
}

/// The items added, changed or removed.
struct Section {
    id: &'static str,
    title: String,
    count: String,
    rows: Vec<DiffRow>,
}

#[derive(Template)]
#[template(path = "admin_catalog_preview.html")]
struct PreviewPage<'a> {
    ctx: &'a Ctx,
    tabs: Vec<Tab>,
    total: usize,
    sections: Vec<Section>,
    /// The file is the catalog as it is.
    same: bool,
    removes: bool,
    unchanged: usize,
    csv: String,
    base: String,
}

/// A fingerprint of the catalog as it is: a confirmation applies only to what was previewed.
fn fingerprint(items: &[DutyItem]) -> String {
    let digest = Sha256::digest(chuishao_domain::catalog::to_csv(items).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// What changes between two editions of an item, in words.
fn changes(ctx: &Ctx, old: &DutyItem, new: &DutyItem) -> String {
    let mut out = vec![];
    let mut field = |differs: bool, key: &str, from: String, to: String| {
        if differs {
            out.push(if from.is_empty() { ctx.t(key) } else { ctx.labelled(&ctx.t(key), &format!("{from} → {to}")) });
        }
    };
    field(old.name != new.name, "ui-admin-catalog-f-name", old.name.clone(), new.name.clone());
    field(old.category != new.category, "ui-admin-catalog-f-category", old.category.clone(), new.category.clone());
    field(
        old.kind != new.kind,
        "ui-admin-catalog-f-kind",
        ctx.label("kind", old.kind.as_str()),
        ctx.label("kind", new.kind.as_str()),
    );
    field(old.owner != new.owner, "ui-admin-catalog-f-owner", old.owner.to_string(), new.owner.to_string());
    let resp = old.response_deadline != new.response_deadline;
    field(
        resp,
        "ui-admin-catalog-f-response",
        deadline_text(ctx, &old.response_deadline),
        deadline_text(ctx, &new.response_deadline),
    );
    let resol = old.resolution_deadline != new.resolution_deadline;
    field(
        resol,
        "ui-admin-catalog-f-resolution",
        deadline_text(ctx, &old.resolution_deadline),
        deadline_text(ctx, &new.resolution_deadline),
    );
    let yes_no = |b: bool| ctx.t(if b { "ui-admin-yes" } else { "ui-admin-no" });
    field(
        old.whistleable != new.whistleable,
        "ui-admin-catalog-f-whistleable-short",
        yes_no(old.whistleable),
        yes_no(new.whistleable),
    );
    field(old.cooperating != new.cooperating, "ui-admin-catalog-f-cooperating", String::new(), String::new());
    field(old.keywords != new.keywords, "ui-admin-catalog-f-keywords", String::new(), String::new());
    field(old.examples != new.examples, "ui-admin-catalog-f-examples", String::new(), String::new());
    out.join(ctx.t("ui-wh-list-sep").as_str())
}

fn preview<'a>(ctx: &'a Ctx, tabs: Vec<Tab>, old: &[DutyItem], new: &[DutyItem], csv: String) -> PreviewPage<'a> {
    let d = CatalogDiff::between(old, new);
    let find = |items: &[DutyItem], code: &str| items.iter().find(|i| i.code == code).cloned();
    let row = |code: &String, item: Option<DutyItem>, changes: String| DiffRow {
        code: code.clone(),
        name: item.map(|i| i.name).unwrap_or_default(),
        changes,
    };
    let added: Vec<DiffRow> = d.added.iter().map(|c| row(c, find(new, c), String::new())).collect();
    let changed: Vec<DiffRow> = d
        .changed
        .iter()
        .map(|c| {
            let (o, n) = (find(old, c), find(new, c));
            let what = match (&o, &n) {
                (Some(o), Some(n)) => changes(ctx, o, n),
                _ => String::new(),
            };
            row(c, n, what)
        })
        .collect();
    let removed: Vec<DiffRow> = d.removed.iter().map(|c| row(c, find(old, c), String::new())).collect();
    let removes = !removed.is_empty();
    let section = |id, title: &str, count: &str, rows: Vec<DiffRow>| Section {
        id,
        title: ctx.t(title),
        count: ctx.t1(count, "n", &rows.len().to_string()),
        rows,
    };
    PreviewPage {
        ctx,
        tabs,
        total: new.len(),
        sections: vec![
            section("diff-added", "ui-admin-catalog-added-h", "ui-admin-catalog-added", added),
            section("diff-changed", "ui-admin-catalog-changed-h", "ui-admin-catalog-changed", changed),
            section("diff-removed", "ui-admin-catalog-removed-h", "ui-admin-catalog-removed", removed),
        ],
        same: d.is_empty(),
        removes,
        unchanged: d.unchanged,
        base: fingerprint(old),
        csv,
    }
}

/// `POST /admin/imports/catalog` (multipart: the token and a CSV file): checks the file whole
/// and shows what importing it would change; nothing is written yet.
pub async fn check_import(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let file = super::admin::uploaded(&headers, mp, "catalog").await?;
    let mut errors = FieldErrors::default();
    let refuse =
        |errors| super::admin::imports_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, vec![], None);
    if file.iter().all(u8::is_ascii_whitespace) {
        errors.add("catalog", ctx.t("ui-admin-import-no-file"));
        return refuse(errors).await;
    }
    let Ok(text) = String::from_utf8(file) else {
        let e = crate::catalog::file_error(chuishao_domain::catalog::CatalogFileError::Unreadable { line: 1 });
        errors.add("catalog", e.message(ctx.lang));
        return refuse(errors).await;
    };
    let d = &user.actor.district;
    match read_file(&state, d, &text).await {
        Ok(items) => {
            let old = state.store.duty_items(d).await?;
            let tabs = tabs(&ctx, user.actor.role, "/admin/imports");
            Ok(ctx.page(preview(&ctx, tabs, &old, &items, text)))
        }
        Err(Refusal::Invalid(e)) => {
            errors.add("catalog", e.message(ctx.lang));
            refuse(errors).await
        }
        Err(Refusal::Store(e)) => Err(e.into()),
    }
}

/// `POST /admin/imports/catalog/apply`: imports the file previewed, unless the catalog changed
/// since (then the preview again, of the catalog as it is now).
pub async fn apply_import(State(state): State<AppState>, ctx: Ctx, form: CsrfPairs) -> Result<Response, UiError> {
    let user = ctx.require_role(&WRITERS)?;
    let d = &user.actor.district;
    let text = form.get("csv").to_string();
    let old = state.store.duty_items(d).await?;
    if form.get("base") != fingerprint(&old) {
        let mut errors = FieldErrors::default();
        errors.add("catalog", ctx.t("ui-admin-catalog-changed-since"));
        return super::admin::imports_page(&state, &ctx, StatusCode::CONFLICT, errors, vec![], None).await;
    }
    match import_catalog(&state, &user.actor, &text, false).await {
        Ok(diff) => {
            let n = |v: &Vec<String>| v.len().to_string();
            let args = [("added", n(&diff.added)), ("changed", n(&diff.changed)), ("removed", n(&diff.removed))];
            let done = crate::i18n::t(ctx.lang, "ui-admin-catalog-imported", &args);
            super::admin::imports_page(&state, &ctx, StatusCode::OK, FieldErrors::default(), vec![], Some(done)).await
        }
        Err(Refusal::Invalid(e)) => {
            let mut errors = FieldErrors::default();
            errors.add("catalog", e.message(ctx.lang));
            super::admin::imports_page(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, vec![], None).await
        }
        Err(Refusal::Store(e)) => Err(e.into()),
    }
}
