//! The duty catalog (职责清单 / 派单目录): what kind of matter is owned by whom, with deadlines.

use crate::deadline::DeadlineSpec;
use crate::field::{required_text, FieldError, FieldRule};
use crate::org::DepartmentId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 诉求类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// 咨询
    Consult,
    /// 求助
    Help,
    /// 投诉
    Complaint,
    /// 举报
    Report,
    /// 建议
    Suggestion,
}

impl RequestKind {
    pub const ALL: [RequestKind; 5] =
        [RequestKind::Consult, RequestKind::Help, RequestKind::Complaint, RequestKind::Report, RequestKind::Suggestion];
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Consult => "consult",
            RequestKind::Help => "help",
            RequestKind::Complaint => "complaint",
            RequestKind::Report => "report",
            RequestKind::Suggestion => "suggestion",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who owns a matter: a street unit by its role key, or a named department.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A unit of whichever street the matter is in, e.g. `city_management` (城市管理办公室).
    UnitRole(String),
    Department(DepartmentId),
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::UnitRole(r) => write!(f, "unit:{r}"),
            Owner::Department(d) => write!(f, "dept:{d}"),
        }
    }
}

impl std::str::FromStr for Owner {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(role) = s.strip_prefix("unit:") {
            if !role.is_empty() && role.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Ok(Owner::UnitRole(role.to_string()));
            }
        } else if let Some(dept) = s.strip_prefix("dept:") {
            return DepartmentId::parse(dept).map(Owner::Department);
        }
        Err(format!("owner `{s}` must be unit:ROLE or dept:ID"))
    }
}

impl Serialize for Owner {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Owner {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyItem {
    pub code: String,
    pub category: String,
    pub name: String,
    pub kind: RequestKind,
    pub owner: Owner,
    pub cooperating: Vec<Owner>,
    /// Whether a street may blow the whistle for this matter.
    pub whistleable: bool,
    pub response_deadline: DeadlineSpec,
    pub resolution_deadline: DeadlineSpec,
    pub keywords: Vec<String>,
    pub examples: Vec<String>,
}

impl DutyItem {
    /// What a case records of the item it is handled under.
    pub fn terms(&self) -> DutyTerms {
        DutyTerms {
            code: self.code.clone(),
            name: self.name.clone(),
            response: self.response_deadline,
            resolution: self.resolution_deadline,
        }
    }
}

/// The columns of a catalog file, in order (lists inside a cell are separated by `;`).
pub const CSV_COLUMNS: [&str; 11] = [
    "code",
    "category",
    "name",
    "kind",
    "owner",
    "cooperating",
    "whistleable",
    "response_deadline",
    "resolution_deadline",
    "keywords",
    "examples",
];

/// At most this many keywords and examples an item: the router reads them all.
pub const MAX_KEYWORDS: usize = 60;
pub const MAX_EXAMPLES: usize = 30;

/// The entries of a list cell or field: `;`, `；` or line breaks between them (not `、`, which
/// examples use inside a sentence).
pub fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

fn list_of(field: &str, items: &[String], max_items: usize, max_len: usize) -> Result<Vec<String>, FieldError> {
    if items.len() > max_items {
        return Err(FieldError::new(field, FieldRule::OutOfRange { min: 0, max: max_items as i64 }));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for x in items {
        let x = required_text(field, x, max_len)?;
        if x.contains(';') {
            return Err(FieldError::malformed(field, "plain_text"));
        }
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok(out)
}

impl DutyItem {
    /// The item as it may be stored: every text trimmed and within bounds, a code of letters,
    /// digits and `-`/`_`, at least one keyword (the router learns from them), the owner not
    /// also among the cooperating, no entry twice. Whether the owners exist is the store's
    /// to say.
    pub fn checked(self) -> Result<DutyItem, FieldError> {
        let code = required_text("code", &self.code, 20)?;
        if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(FieldError::malformed("code", "duty_code"));
        }
        let category = required_text("category", &self.category, 50)?;
        let name = required_text("name", &self.name, 100)?;
        let keywords = list_of("keywords", &self.keywords, MAX_KEYWORDS, 30)?;
        if keywords.is_empty() {
            return Err(FieldError::required("keywords"));
        }
        let examples = list_of("examples", &self.examples, MAX_EXAMPLES, 500)?;
        let mut cooperating: Vec<Owner> = Vec::with_capacity(self.cooperating.len());
        for o in self.cooperating {
            if o == self.owner {
                return Err(FieldError::malformed("cooperating", "not_the_owner"));
            }
            if !cooperating.contains(&o) {
                cooperating.push(o);
            }
        }
        Ok(DutyItem { code, category, name, cooperating, keywords, examples, ..self })
    }

    /// Every owner the item names: the owner first, then the cooperating ones.
    pub fn owners(&self) -> impl Iterator<Item = &Owner> {
        std::iter::once(&self.owner).chain(self.cooperating.iter())
    }
}

/// Why a catalog file was refused: the first problem, with the line it is on (the header is
/// line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogFileError {
    /// Not CSV, or not the columns of `CSV_COLUMNS`.
    Header,
    /// A line the CSV reader cannot read (unbalanced quotes, invalid UTF-8…).
    Unreadable { line: usize },
    /// A cell refused, named by its column.
    Cell { line: usize, error: FieldError },
    /// The same code on two lines.
    DuplicateCode { line: usize, code: String },
    /// No item at all: a catalog cannot be emptied by a file.
    Empty,
}

/// Reads a catalog file (CSV with the header `CSV_COLUMNS`), all or nothing: the items in
/// file order, each `checked`.
pub fn parse_csv(text: &str) -> Result<Vec<DutyItem>, CatalogFileError> {
    Ok(parse_csv_lines(text)?.into_iter().map(|(_, item)| item).collect())
}

/// `parse_csv`, with the line each item is on (for what is checked afterwards).
pub fn parse_csv_lines(text: &str) -> Result<Vec<(usize, DutyItem)>, CatalogFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text); // as spreadsheets save it
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|_| CatalogFileError::Header)?;
    if header.iter().map(str::trim).ne(CSV_COLUMNS.iter().copied()) {
        return Err(CatalogFileError::Header);
    }
    let mut items: Vec<(usize, DutyItem)> = vec![];
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let r = record.map_err(|_| CatalogFileError::Unreadable { line })?;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |n: usize| r.get(n).unwrap_or("").trim();
        let at = |error: FieldError| CatalogFileError::Cell { line, error };
        let kind = RequestKind::parse(cell(3)).ok_or_else(|| at(FieldError::malformed("kind", "request_kind")))?;
        let owner = |column: &str, s: &str| s.parse::<Owner>().map_err(|_| at(FieldError::malformed(column, "owner")));
        let deadline = |column: &str, s: &str| {
            s.parse::<DeadlineSpec>().map_err(|_| at(FieldError::malformed(column, "deadline_spec")))
        };
        let whistleable = match cell(6).to_ascii_lowercase().as_str() {
            "true" | "1" | "是" => true,
            "false" | "0" | "否" | "" => false,
            _ => return Err(at(FieldError::malformed("whistleable", "true_false"))),
        };
        let item = DutyItem {
            code: cell(0).to_string(),
            category: cell(1).to_string(),
            name: cell(2).to_string(),
            kind,
            owner: owner("owner", cell(4))?,
            cooperating: split_list(cell(5)).iter().map(|o| owner("cooperating", o)).collect::<Result<_, _>>()?,
            whistleable,
            response_deadline: deadline("response_deadline", cell(7))?,
            resolution_deadline: deadline("resolution_deadline", cell(8))?,
            keywords: split_list(cell(9)),
            examples: split_list(cell(10)),
        }
        .checked()
        .map_err(at)?;
        if items.iter().any(|(_, x)| x.code == item.code) {
            return Err(CatalogFileError::DuplicateCode { line, code: item.code });
        }
        items.push((line, item));
    }
    if items.is_empty() {
        return Err(CatalogFileError::Empty);
    }
    Ok(items)
}

/// The catalog as a file `parse_csv` reads back to the same items.
pub fn to_csv(items: &[DutyItem]) -> String {
    let mut w = csv::Writer::from_writer(vec![]);
    let join = |xs: &[String]| xs.join(";");
    // Writing to memory cannot fail.
    let _ = w.write_record(CSV_COLUMNS);
    for i in items {
        let cooperating: Vec<String> = i.cooperating.iter().map(ToString::to_string).collect();
        let _ = w.write_record([
            i.code.as_str(),
            &i.category,
            &i.name,
            i.kind.as_str(),
            &i.owner.to_string(),
            &join(&cooperating),
            if i.whistleable { "true" } else { "false" },
            &i.response_deadline.to_string(),
            &i.resolution_deadline.to_string(),
            &join(&i.keywords),
            &join(&i.examples),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// What replacing a catalog with another changes, by code (in the new catalog's order; the
/// removed in the old one's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogDiff {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl CatalogDiff {
    pub fn between(old: &[DutyItem], new: &[DutyItem]) -> CatalogDiff {
        let mut d = CatalogDiff::default();
        for n in new {
            match old.iter().find(|o| o.code == n.code) {
                None => d.added.push(n.code.clone()),
                Some(o) if o != n => d.changed.push(n.code.clone()),
                Some(_) => d.unchanged += 1,
            }
        }
        d.removed = old.iter().filter(|o| !new.iter().any(|n| n.code == o.code)).map(|o| o.code.clone()).collect();
        d
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The part of a duty item that binds a case: its code, name and deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyTerms {
    pub code: String,
    pub name: String,
    pub response: DeadlineSpec,
    pub resolution: DeadlineSpec,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_parse() {
        assert_eq!("unit:city_management".parse::<Owner>().unwrap(), Owner::UnitRole("city_management".into()));
        assert_eq!(
            "dept:dc-water".parse::<Owner>().unwrap(),
            Owner::Department(DepartmentId::parse("dc-water").unwrap())
        );
        assert!("team:x".parse::<Owner>().is_err());
        assert!("unit:".parse::<Owner>().is_err());
    }

    fn item(code: &str) -> DutyItem {
        DutyItem {
            code: code.into(),
            category: "市容环境".into(),
            name: "占道经营".into(),
            kind: RequestKind::Complaint,
            owner: Owner::UnitRole("enforcement".into()),
            cooperating: vec!["dept:dc-cgzf".parse().unwrap()],
            whistleable: true,
            response_deadline: "24h".parse().unwrap(),
            resolution_deadline: "7wd".parse().unwrap(),
            keywords: vec!["占道".into(), "摆摊".into()],
            examples: vec!["早市摊贩占道，车过不去。".into(), "路口有人摆摊, \"卖菜\"".into()],
        }
    }

    #[test]
    fn a_catalog_file_reads_back_what_was_written() {
        let items = vec![item("C-055"), DutyItem { cooperating: vec![], examples: vec![], ..item("C-100") }];
        let text = to_csv(&items);
        assert!(text.starts_with("code,category,name,kind,owner,"));
        assert_eq!(parse_csv(&text).unwrap(), items);
        // As a spreadsheet saves it: a byte-order mark, Chinese list separators, blank lines.
        let sheet = format!(
            "\u{feff}{}\nC-1,类,名,help,unit:x,dept:dc-a；dept:dc-b,是,2h,3wd,甲；乙,\n\n",
            CSV_COLUMNS.join(",")
        );
        let read = parse_csv(&sheet).unwrap();
        assert_eq!(read[0].cooperating.len(), 2);
        assert!(read[0].whistleable);
        assert_eq!(read[0].keywords, ["甲", "乙"]);
    }

    #[test]
    fn a_bad_file_is_refused_with_the_line_and_column() {
        let head = CSV_COLUMNS.join(",");
        let good = "C-1,类,名,help,unit:x,,false,2h,3wd,甲,";
        let cases = [
            (format!("{head}\n{good}\nC-2,类,名,praise,unit:x,,false,2h,3wd,甲,"), 3, "kind"),
            (format!("{head}\n{good}\nC-2,类,名,help,team:x,,false,2h,3wd,甲,"), 3, "owner"),
            (format!("{head}\nC 1,类,名,help,unit:x,,false,2h,3wd,甲,"), 2, "code"),
            (format!("{head}\nC-1,类,名,help,unit:x,,false,0h,3wd,甲,"), 2, "response_deadline"),
            (format!("{head}\nC-1,类,名,help,unit:x,,maybe,2h,3wd,甲,"), 2, "whistleable"),
            (format!("{head}\nC-1,类,名,help,unit:x,,false,2h,3wd,,"), 2, "keywords"),
            (format!("{head}\nC-1,类,,help,unit:x,,false,2h,3wd,甲,"), 2, "name"),
            (format!("{head}\nC-1,类,名,help,unit:x,unit:x,false,2h,3wd,甲,"), 2, "cooperating"),
        ];
        for (text, line, column) in cases {
            match parse_csv(&text) {
                Err(CatalogFileError::Cell { line: l, error }) => assert_eq!((l, error.field.as_str()), (line, column)),
                other => panic!("{column}: {other:?}"),
            }
        }
        assert_eq!(
            parse_csv(&format!("{head}\n{good}\n{good}")),
            Err(CatalogFileError::DuplicateCode { line: 3, code: "C-1".into() })
        );
        assert_eq!(parse_csv("code,name\nC-1,x"), Err(CatalogFileError::Header));
        assert_eq!(parse_csv(&format!("{head}\n")), Err(CatalogFileError::Empty));
    }

    #[test]
    fn a_diff_names_what_was_added_changed_and_removed() {
        let old = vec![item("A"), item("B"), item("C")];
        let new = vec![item("A"), DutyItem { whistleable: false, ..item("B") }, item("D")];
        let d = CatalogDiff::between(&old, &new);
        assert_eq!(
            (d.added, d.changed, d.removed, d.unchanged),
            (vec!["D".to_string()], vec!["B".into()], vec!["C".into()], 1)
        );
    }
}
