//! The monthly report as an XLSX workbook: the street ranking, the departments, the duty items
//! and a chart of each street's composite, with the same headers as the CSV (Chinese by default).
//!
//! Rates are written as numbers (fractions) with the number format `0.00%`, so a spreadsheet can
//! still compute with them; the chart reads its values from the street sheet's cells.

use crate::api::assessment::{FigureRow, MonthlyReport, RankedRow, RankingView, RatesReport, RatesView};
use crate::i18n::{label, t, Lang};
use rust_xlsxwriter::{
    Chart, ChartLegendPosition, ChartSolidFill, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule,
    DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

// The columns of a ranking sheet are those of `streets_csv`.
use crate::api::assessment::RANKING_COLUMNS;

/// The columns of the duty item sheet.
const ITEM_COLUMNS: [&str; 8] =
    ["code", "name", "received", "valid", "response", "resolution", "satisfaction", "composite"];

/// Where a ranking sheet's columns are (the chart refers to them).
const NAME_COL: u16 = 2;
const RESOLUTION_COL: u16 = 6;
const COMPOSITE_COL: u16 = 8;
const CLASS_COL: u16 = 10;

/// The title is row 0, the header row 1, data from row 2 on.
const HEADER_ROW: u32 = 1;
const FIRST_DATA_ROW: u32 = 2;

/// The classes and their colours (fill, font): 先进 green, 进步 blue, 整改 orange, 治理 red.
const CLASS_COLOURS: [(&str, u32, u32); 4] = [
    ("advanced", 0xC6EFCE, 0x006100),
    ("improved", 0xDDEBF7, 0x1F4E78),
    ("rectify", 0xFCD5B4, 0x974706),
    ("governance", 0xFFC7CE, 0x9C0006),
];

/// The monthly report as the bytes of an XLSX file.
pub fn monthly_xlsx(report: &MonthlyReport, lang: Lang) -> Result<Vec<u8>, String> {
    build(report, lang).map_err(|e| format!("the XLSX report failed: {e}"))
}

fn build(report: &MonthlyReport, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut wb = Workbook::new();
    let streets_sheet = t(lang, "report-sheet-streets", &[]);
    let version = report.streets.formula_version;
    wb.set_properties(&DocProperties::new().set_title(title(lang, &report.month, &streets_sheet, version)));

    let ws = wb.add_worksheet();
    ranking_sheet(ws, &streets_sheet, &report.streets, lang, &styles)?;
    let ws = wb.add_worksheet();
    ranking_sheet(ws, &t(lang, "report-sheet-departments", &[]), &report.departments, lang, &styles)?;
    let ws = wb.add_worksheet();
    items_sheet(ws, &t(lang, "report-sheet-items", &[]), &report.duty_items, &report.month, version, lang, &styles)?;
    let ws = wb.add_worksheet();
    chart_sheet(ws, &t(lang, "report-sheet-chart", &[]), &streets_sheet, report, lang, &styles)?;
    wb.save_to_buffer()
}

fn title(lang: Lang, month: &str, subject: &str, version: u32) -> String {
    t(
        lang,
        "report-title",
        &[("month", month.to_string()), ("subject", subject.to_string()), ("version", version.to_string())],
    )
}

struct Styles {
    title: Format,
    header: Format,
    text: Format,
    int: Format,
    pct: Format,
    total_text: Format,
    total_int: Format,
    total_pct: Format,
}

impl Styles {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin).set_border_color(Color::RGB(0xBFBFBF));
        let total = cell.clone().set_bold().set_background_color(Color::RGB(0xF2F2F2));
        Styles {
            title: Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Left),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F4E78))
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            text: cell.clone(),
            int: cell.clone().set_num_format("0"),
            pct: cell.set_num_format("0.00%"),
            total_text: total.clone(),
            total_int: total.clone().set_num_format("0"),
            total_pct: total.set_num_format("0.00%"),
        }
    }
}

/// One cell of a data row.
enum Cell {
    Text(String),
    Int(i64),
    /// A fraction shown as a percentage; blank when there is none (no valid callbacks).
    Pct(Option<f64>),
}

impl Cell {
    /// About how many character widths the cell takes when shown.
    fn width(&self) -> usize {
        match self {
            Cell::Text(s) => text_width(s),
            Cell::Int(n) => n.to_string().len(),
            Cell::Pct(_) => "100.00%".len(),
        }
    }
}

/// Display width: CJK and other wide characters take two columns.
fn text_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Writes the title, the header row and the rows; sets the widths and freezes the header.
fn table(
    ws: &mut Worksheet,
    title_text: &str,
    headers: &[String],
    rows: &[(Vec<Cell>, bool)],
    frozen_cols: u16,
    s: &Styles,
) -> Result<(), XlsxError> {
    let last_col = headers.len().saturating_sub(1) as u16;
    ws.merge_range(0, 0, 0, last_col, title_text, &s.title)?;
    ws.set_row_height(0, 24)?;
    ws.set_row_height(HEADER_ROW, 32)?;
    let mut widths: Vec<usize> = headers.iter().map(|h| text_width(h).div_ceil(2).max(6)).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, h, &s.header)?;
    }
    for (i, (cells, total)) in rows.iter().enumerate() {
        let r = FIRST_DATA_ROW + i as u32;
        let (text, int, pct) =
            if *total { (&s.total_text, &s.total_int, &s.total_pct) } else { (&s.text, &s.int, &s.pct) };
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(v) => ws.write_string_with_format(r, col, v, text)?,
                Cell::Int(n) => ws.write_number_with_format(r, col, *n as f64, int)?,
                Cell::Pct(Some(x)) => ws.write_number_with_format(r, col, *x, pct)?,
                Cell::Pct(None) => ws.write_blank(r, col, text)?,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(cell.width());
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 40) as f64 + 2.0)?;
    }
    ws.set_freeze_panes(FIRST_DATA_ROW, frozen_cols)?;
    Ok(())
}

fn headers(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, &format!("report-col-{k}"), &[])).collect()
}

fn rates(r: Option<&RatesView>) -> [Cell; 4] {
    [
        Cell::Pct(r.map(|x| x.response)),
        Cell::Pct(r.map(|x| x.resolution)),
        Cell::Pct(r.map(|x| x.satisfaction)),
        Cell::Pct(r.map(|x| x.composite)),
    ]
}

fn ranked_cells(row: &RankedRow) -> Vec<Cell> {
    let mut cells = vec![
        row.rank.map_or(Cell::Text(String::new()), |n| Cell::Int(n as i64)),
        Cell::Text(row.key.clone()),
        Cell::Text(row.name.clone()),
        Cell::Int(row.tally.received),
        Cell::Int(row.tally.valid),
    ];
    cells.extend(rates(row.rates.as_ref()));
    cells.push(Cell::Pct(row.previous));
    cells.push(Cell::Text(row.class_label.clone().unwrap_or_default()));
    cells
}

fn figure_cells(row: &FigureRow, name: String) -> Vec<Cell> {
    let mut cells =
        vec![Cell::Text(row.key.clone()), Cell::Text(name), Cell::Int(row.tally.received), Cell::Int(row.tally.valid)];
    cells.extend(rates(row.rates.as_ref()));
    cells
}

/// A ranking (streets or departments): one row each, the class coloured.
fn ranking_sheet(ws: &mut Worksheet, name: &str, r: &RankingView, lang: Lang, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let rows: Vec<(Vec<Cell>, bool)> = r.rows.iter().map(|row| (ranked_cells(row), false)).collect();
    table(ws, &title(lang, &r.month, name, r.formula_version), &headers(lang, &RANKING_COLUMNS), &rows, 3, s)?;
    if !r.rows.is_empty() {
        let last = FIRST_DATA_ROW + r.rows.len() as u32 - 1;
        for (class, fill, font) in CLASS_COLOURS {
            let rule = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::EqualTo(label(lang, "rank_class", class)))
                .set_format(Format::new().set_background_color(Color::RGB(fill)).set_font_color(Color::RGB(font)));
            ws.add_conditional_format(FIRST_DATA_ROW, CLASS_COL, last, CLASS_COL, &rule)?;
        }
    }
    Ok(())
}

/// The duty items (诉求类型) with their rates, and the total underneath.
fn items_sheet(
    ws: &mut Worksheet,
    name: &str,
    r: &RatesReport,
    month: &str,
    version: u32,
    lang: Lang,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let mut rows: Vec<(Vec<Cell>, bool)> =
        r.rows.iter().map(|row| (figure_cells(row, row.name.clone()), false)).collect();
    rows.push((figure_cells(&r.total, t(lang, "report-total", &[])), true));
    table(ws, &title(lang, month, name, version), &headers(lang, &ITEM_COLUMNS), &rows, 2, s)
}

/// A column chart of each street's composite and resolution, read from the street sheet.
fn chart_sheet(
    ws: &mut Worksheet,
    name: &str,
    streets_sheet: &str,
    report: &MonthlyReport,
    lang: Lang,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let month = [("month", report.month.clone())];
    let chart_title = t(lang, "report-chart-title", &month);
    ws.write_string_with_format(0, 0, &chart_title, &s.title)?;
    let n = report.streets.rows.len() as u32;
    if n == 0 {
        ws.write_string(1, 0, t(lang, "report-chart-empty", &month))?;
        return Ok(());
    }
    let last = FIRST_DATA_ROW + n - 1;
    let mut chart = Chart::new(ChartType::Column);
    for (col, colour) in [(COMPOSITE_COL, 0x2E75B6), (RESOLUTION_COL, 0xA9D18E)] {
        chart
            .add_series()
            .set_name((streets_sheet, HEADER_ROW, col))
            .set_categories((streets_sheet, FIRST_DATA_ROW, NAME_COL, last, NAME_COL))
            .set_values((streets_sheet, FIRST_DATA_ROW, col, last, col))
            .set_format(ChartSolidFill::new().set_color(Color::RGB(colour)));
    }
    chart.title().set_name(&chart_title);
    chart.x_axis().set_name(&t(lang, "report-chart-axis-x", &[]));
    chart.y_axis().set_name(&t(lang, "report-chart-axis-y", &[])).set_num_format("0%");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(40 * n.max(12) + 200).set_height(480);
    ws.insert_chart(2, 0, &chart)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::has_key;

    #[test]
    fn every_report_key_exists_in_both_catalogs() {
        let mut keys: Vec<String> = RANKING_COLUMNS.iter().map(|k| format!("report-col-{k}")).collect();
        keys.extend(CLASS_COLOURS.iter().map(|(c, _, _)| format!("rank_class-{c}")));
        keys.extend(
            [
                "sheet-streets",
                "sheet-departments",
                "sheet-items",
                "sheet-chart",
                "title",
                "total",
                "chart-title",
                "chart-axis-x",
                "chart-axis-y",
                "chart-empty",
            ]
            .map(|k| format!("report-{k}")),
        );
        for lang in [Lang::Zh, Lang::En] {
            for k in &keys {
                assert!(has_key(lang, k), "{k} missing in {lang:?}");
            }
        }
    }

    #[test]
    fn sheet_names_are_valid_excel_names() {
        for lang in [Lang::Zh, Lang::En] {
            for k in ["streets", "departments", "items", "chart"] {
                let name = t(lang, &format!("report-sheet-{k}"), &[]);
                assert!(!name.is_empty() && name.chars().count() <= 31, "{name}");
                assert!(!name.contains(['[', ']', ':', '*', '?', '/', '\\']), "{name}");
            }
        }
    }

    fn ranking(of: &str, rows: Vec<RankedRow>) -> RankingView {
        RankingView { month: "2026-10".into(), of: of.into(), formula_version: 1, rules: Default::default(), rows }
    }

    fn street(rank: usize, code: &str, name: &str, composite: f64, class: &str) -> RankedRow {
        let tally = chuishao_domain::assessment::Tally { received: 40, valid: 30, ..Default::default() };
        RankedRow {
            rank: Some(rank),
            key: code.into(),
            name: name.into(),
            tally,
            rates: Some(RatesView { response: 1.0, resolution: 0.9, satisfaction: 0.85, composite }),
            previous: None,
            change: None,
            class: Some(class.into()),
            class_label: Some(label(Lang::Zh, "rank_class", class)),
            whistles: None,
        }
    }

    fn report(streets: Vec<RankedRow>) -> MonthlyReport {
        let total = FigureRow { key: String::new(), name: String::new(), tally: Default::default(), rates: None };
        MonthlyReport {
            month: "2026-10".into(),
            streets: ranking("streets", streets),
            departments: ranking("departments", vec![]),
            duty_items: RatesReport {
                from: "2026-10".into(),
                to: "2026-10".into(),
                by: "duty_item".into(),
                formulas: vec![],
                rows: vec![],
                total,
            },
        }
    }

    #[test]
    fn a_report_renders_as_a_zip_with_or_without_streets() {
        let full = report(vec![
            street(1, "110101009", "东直门街道", 0.93, "advanced"),
            street(2, "110101001", "东华门街道", 0.88, "governance"),
        ]);
        for (r, lang) in [(&full, Lang::Zh), (&full, Lang::En), (&report(vec![]), Lang::Zh)] {
            let bytes = monthly_xlsx(r, lang).expect("renders");
            assert!(bytes.starts_with(b"PK\x03\x04"), "a ZIP file");
        }
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(text_width("东直门街道"), 10);
        assert_eq!(text_width("dept:1"), 6);
    }
}
