//! Communities shaded by a count (requests received in a month), drawn on the server from the
//! router's atlas like `map.rs`, but visible without JavaScript and with a legend. The outlines
//! of a district (or of one street) are computed once per router; each page only adds fills.

use super::map::{drawn_once, Drawings, Projection, WIDTH};
use super::svg::{escape, legend, Chart};
use chuishao_routing::{Area, Level, Router};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// Light to dark: no requests, then five classes.
pub const ZERO: &str = "#f2f2f2";
pub const SHADES: [&str; 5] = ["#fdd9b5", "#fcae6b", "#f07c3f", "#cf4a1e", "#93260c"];

/// Outlines in drawing units.
struct Outlines {
    height: f64,
    /// (code, name, path)
    communities: Vec<(String, String, String)>,
    streets: Vec<String>,
}

static DRAWN: Drawings<Option<String>, Outlines> = Mutex::new(Vec::new());

fn outlines(router: &Arc<Router>, street: Option<&str>) -> Arc<Outlines> {
    drawn_once(&DRAWN, router, street.map(String::from), |areas| draw_outlines(areas, street))
}

fn in_street(a: &Area, street: Option<&str>) -> bool {
    street.is_none_or(|s| match a.level {
        Level::Street => a.code == s,
        _ => a.parent.as_deref() == Some(s) || a.code.starts_with(s),
    })
}

fn draw_outlines(areas: &[Area], street: Option<&str>) -> Outlines {
    let communities: Vec<&Area> =
        areas.iter().filter(|a| a.level == Level::Community && in_street(a, street)).collect();
    let streets: Vec<&Area> = areas.iter().filter(|a| a.level == Level::Street && in_street(a, street)).collect();
    let fitted =
        if communities.is_empty() { None } else { Projection::fit(communities.iter().chain(&streets).copied()) };
    let Some(p) = fitted else {
        return Outlines { height: 0.0, communities: vec![], streets: vec![] };
    };
    Outlines {
        height: p.height,
        communities: communities.iter().map(|a| (a.code.clone(), a.name.clone(), p.path(a))).collect(),
        streets: streets.iter().map(|a| p.path(a)).collect(),
    }
}

/// The class of a count: `None` for zero, else 0..5 by equal steps of `step`.
fn class_of(n: i64, step: i64) -> Option<usize> {
    (n > 0).then(|| (((n - 1) / step.max(1)) as usize).min(SHADES.len() - 1))
}

/// A shaded map and its legend.
#[derive(Debug, Clone, Default)]
pub struct Shaded {
    pub svg: String,
    pub legend: String,
    /// Every community drawn, with its count, most first: the table beside the map.
    pub rows: Vec<(String, i64)>,
}

/// Words the map needs, in the page's language.
pub struct MapWords<'a> {
    pub map: Chart<'a>,
    pub legend: Chart<'a>,
    /// How a community's count reads in its tooltip: `十字坡社区：12 件`.
    pub tooltip: &'a dyn Fn(&str, i64) -> String,
}

/// The communities (of `street`, or all) shaded by `counts` (community code → count); empty
/// when there are no boundaries.
pub fn shaded_map(
    router: &Arc<Router>,
    street: Option<&str>,
    counts: &BTreeMap<String, i64>,
    words: &MapWords,
) -> Shaded {
    let o = outlines(router, street);
    if o.communities.is_empty() {
        return Shaded::default();
    }
    let max = o.communities.iter().map(|(c, _, _)| counts.get(c).copied().unwrap_or(0)).max().unwrap_or(0);
    let step = (max + SHADES.len() as i64 - 1) / SHADES.len() as i64;
    let step = step.max(1);
    let id = escape(words.map.id);
    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        r#"<svg class="choropleth" viewBox="0 0 {WIDTH:.0} {:.0}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        o.height,
        escape(words.map.title),
        escape(words.map.desc)
    );
    let mut rows = Vec::with_capacity(o.communities.len());
    for (code, name, d) in &o.communities {
        let n = counts.get(code).copied().unwrap_or(0);
        rows.push((name.clone(), n));
        let fill = class_of(n, step).map_or(ZERO, |i| SHADES[i]);
        let _ = write!(
            svg,
            r#"<path class="area" data-code="{}" fill="{fill}" d="{d}"><title>{}</title></path>"#,
            escape(code),
            escape(&(words.tooltip)(name, n))
        );
    }
    for d in &o.streets {
        let _ = write!(svg, r#"<path class="street" d="{d}"/>"#);
    }
    svg.push_str("</svg>");
    // Only the classes that can occur under this maximum.
    let used = class_of(max, step).map_or(0, |i| i + 1);
    let mut steps = vec![(ZERO.to_string(), "0".to_string())];
    for (i, shade) in SHADES.iter().enumerate().take(used) {
        let (lo, hi) = (i as i64 * step + 1, (i as i64 + 1) * step);
        let range = if i + 1 == SHADES.len() {
            format!("≥ {lo}")
        } else if lo == hi {
            lo.to_string()
        } else {
            format!("{lo}–{hi}")
        };
        steps.push((shade.to_string(), range));
    }
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Shaded { svg, legend: legend(&words.legend, &steps), rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chuishao_routing::boundaries;

    #[test]
    fn classes_split_the_counts_in_equal_steps() {
        assert_eq!(class_of(0, 4), None);
        assert_eq!(class_of(1, 4), Some(0));
        assert_eq!(class_of(4, 4), Some(0));
        assert_eq!(class_of(5, 4), Some(1));
        assert_eq!(class_of(20, 4), Some(4));
        assert_eq!(class_of(99, 4), Some(4));
    }

    #[test]
    fn communities_are_shaded_titled_and_escaped() {
        let geojson = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"110101009008","name":"十字坡<社区>"},
           "geometry":{"type":"Polygon","coordinates":[[[116.44,39.94],[116.45,39.94],[116.45,39.95],[116.44,39.94]]]}},
          {"type":"Feature","properties":{"code":"110101009001","name":"北官厅社区"},
           "geometry":{"type":"Polygon","coordinates":[[[116.43,39.93],[116.44,39.93],[116.44,39.94],[116.43,39.93]]]}}]}"#;
        let areas = boundaries::parse(geojson).expect("parses");
        let o = draw_outlines(&areas, Some("110101009"));
        assert_eq!(o.communities.len(), 2);
        assert!(draw_outlines(&areas, Some("110101001")).communities.is_empty());
    }
}
