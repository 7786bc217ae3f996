//! The monthly report as XLSX over HTTP: a real workbook (a ZIP of XML parts) with the four
//! sheets, the chart, and the Chinese headers and street names in its shared strings.

use crate::helpers::*;
use reqwest::StatusCode;
use std::io::Read;

fn part(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> String {
    let mut f = zip.by_name(name).unwrap_or_else(|e| panic!("{name} in the workbook: {e}"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("UTF-8 XML");
    s
}

#[tokio::test]
async fn the_monthly_report_downloads_as_a_workbook_with_four_sheets_and_a_chart() {
    let app = spawn_app_with(300).await;
    let sup = app.login("district_supervisor").await;
    let res = app
        .client
        .get(format!("{}/api/v1/reports/monthly?month=2026-10&format=xlsx", app.base))
        .bearer_auth(&sup)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(header("content-disposition").contains("report-2026-10.xlsx"), "{}", header("content-disposition"));
    let bytes = res.bytes().await.expect("body").to_vec();

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX file is a ZIP");
    let names: Vec<String> = zip.file_names().map(|n| n.expect("a part name").into_owned()).collect();
    let sheets = names.iter().filter(|n| n.starts_with("xl/worksheets/sheet") && n.ends_with(".xml")).count();
    assert_eq!(sheets, 4, "four worksheets: {names:?}");
    assert!(names.iter().any(|n| n == "xl/charts/chart1.xml"), "a chart: {names:?}");

    let workbook = part(&mut zip, "xl/workbook.xml");
    for sheet in ["街道排名", "部门", "诉求类型", "图表"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "sheet {sheet}: {workbook}");
    }
    let strings = part(&mut zip, "xl/sharedStrings.xml");
    for s in ["排名", "响应率", "东直门街道", "2026-10"] {
        assert!(strings.contains(s), "{s} in the shared strings");
    }
    let chart = part(&mut zip, "xl/charts/chart1.xml");
    assert!(chart.contains("c:barChart"), "a column chart");
    assert!(
        chart.contains("'街道排名'!$I$3:$I$19") || chart.contains("街道排名!$I$3:$I$19"),
        "composites of 17 streets"
    );

    let unknown = app.get(&sup, "/api/v1/reports/monthly?month=2026-10&format=pdf").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}
