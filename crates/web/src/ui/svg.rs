//! Small chart builders: inline SVG drawn on the server, so a chart shows with no script, no
//! library and no outside network. Each chart is an image with a `<title>` and `<desc>` (the page
//! puts the same figures in a table beside it); every text is escaped. Colours come from classes
//! in app.css, except the data-driven shades of a choropleth.

use std::fmt::Write;

/// Escapes text for SVG/HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What every chart says about itself: an id unique in the page (for `aria-labelledby`), a
/// title and a one-sentence description.
#[derive(Debug, Clone, Copy)]
pub struct Chart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
}

const WIDTH: f64 = 520.0;
const FONT: f64 = 14.0;

/// The opening tag, title and description of a chart of this height.
fn open(c: &Chart, class: &str, height: f64) -> String {
    let id = escape(c.id);
    format!(
        r#"<svg class="chart {class}" viewBox="0 0 {WIDTH:.0} {height:.0}" role="img" aria-labelledby="{id}-t {id}-d" font-size="{FONT:.0}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(c.title),
        escape(c.desc)
    )
}

/// How wide a label is drawn, roughly: CJK characters take a full em, others about half.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { FONT * 0.6 } else { FONT }).sum()
}

/// A round step for about `parts` ticks up to `max`: 1, 2 or 5 times a power of ten.
fn nice_step(max: f64, parts: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / parts;
    let power = 10f64.powf(raw.log10().floor());
    let m = raw / power;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// The top of a value axis: `max` rounded up to a whole step (at least one step).
fn axis_top(max: f64, step: f64) -> f64 {
    ((max / step).ceil() * step).max(step)
}

/// Horizontal bars, one a row: the label at the left, the formatted value at the bar's end.
/// Fits long labels (duty items, channels) on a phone.
pub fn bar_chart(c: &Chart, bars: &[(String, f64)], fmt: &dyn Fn(f64) -> String) -> String {
    let row = 26.0;
    let top = 8.0;
    let label_w = bars.iter().map(|(l, _)| text_width(l)).fold(0.0, f64::max).min(220.0) + 12.0;
    let value_w = 56.0;
    let height = top * 2.0 + row * bars.len().max(1) as f64;
    let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let span = WIDTH - label_w - value_w;
    let mut svg = open(c, "bars", height);
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{label_w:.1}" y1="{top:.1}" x2="{label_w:.1}" y2="{:.1}"/>"#,
        height - top
    );
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = if max > 0.0 { span * v.max(0.0) / max } else { 0.0 };
        let value = escape(&fmt(*v));
        let _ = write!(
            svg,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar" x="{label_w:.1}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{}: {value}</title></rect><text class="value" x="{:.1}" y="{:.1}">{value}</text>"#,
            label_w - 6.0,
            y + row * 0.65,
            escape(label),
            y + 4.0,
            row - 8.0,
            escape(label),
            label_w + w + 4.0,
            y + row * 0.65,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Plot area of the charts with a value axis: left, top, right, bottom.
const PLOT: (f64, f64, f64, f64) = (52.0, 12.0, WIDTH - 12.0, 190.0);

/// The value axis (gridlines and tick labels) from 0 to `top` by `step`, and the category
/// labels under `n` slots.
fn axes(svg: &mut String, top: f64, step: f64, categories: &[String], fmt: &dyn Fn(f64) -> String) {
    let (l, t, r, b) = PLOT;
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let y = b - (b - t) * v / top;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{l:.1}" y1="{y:.1}" x2="{r:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            l - 6.0,
            y + 4.0,
            escape(&fmt(v))
        );
        v += step;
    }
    let _ = write!(svg, r#"<line class="axis" x1="{l:.1}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}"/>"#);
    let slot = (r - l) / categories.len().max(1) as f64;
    for (i, cat) in categories.iter().enumerate() {
        let x = l + slot * (i as f64 + 0.5);
        let _ = write!(
            svg,
            r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            b + 18.0,
            escape(cat)
        );
    }
}

/// Columns over categories (e.g. receipts by month), with a value axis from 0.
pub fn column_chart(c: &Chart, cols: &[(String, f64)], fmt: &dyn Fn(f64) -> String) -> String {
    let (l, t, r, b) = PLOT;
    let max = cols.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let step = nice_step(max, 4.0);
    let top = axis_top(max, step);
    let mut svg = open(c, "columns", b + 28.0);
    let categories: Vec<String> = cols.iter().map(|(k, _)| k.clone()).collect();
    axes(&mut svg, top, step, &categories, fmt);
    let slot = (r - l) / cols.len().max(1) as f64;
    for (i, (cat, v)) in cols.iter().enumerate() {
        let h = (b - t) * v.max(0.0) / top;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{}: {}</title></rect>"#,
            l + slot * i as f64 + slot * 0.2,
            b - h,
            slot * 0.6,
            escape(cat),
            escape(&fmt(*v))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One line of a line chart; a missing value breaks the line.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// `s1` … `s4`: the line's colour and marker in app.css.
    pub class: &'static str,
    pub points: Vec<Option<f64>>,
}

/// Lines over categories with a value axis from 0 to `max` (or the data's maximum), a marker
/// with its value on every point, and a legend under the axis.
pub fn line_chart(
    c: &Chart,
    categories: &[String],
    series: &[Series],
    max: Option<f64>,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let (l, t, r, b) = PLOT;
    let data_max = series.iter().flat_map(|s| s.points.iter().flatten()).copied().fold(0.0, f64::max);
    let step = nice_step(max.unwrap_or(data_max), 4.0);
    let top = max.unwrap_or_else(|| axis_top(data_max, step));
    let legend_rows = series.len().div_ceil(2) as f64;
    let mut svg = open(c, "lines", b + 34.0 + 20.0 * legend_rows);
    axes(&mut svg, top, step, categories, fmt);
    let slot = (r - l) / categories.len().max(1) as f64;
    let xy = |i: usize, v: f64| (l + slot * (i as f64 + 0.5), b - (b - t) * v.clamp(0.0, top) / top);
    for s in series {
        let mut d = String::new();
        let mut pen_down = false;
        for (i, p) in s.points.iter().enumerate() {
            match p {
                Some(v) => {
                    let (x, y) = xy(i, *v);
                    let _ = write!(
                        d,
                        "{}{x:.1} {y:.1}",
                        if pen_down {
                            " L"
                        } else if d.is_empty() {
                            "M"
                        } else {
                            " M"
                        }
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let class = escape(s.class);
        let _ = write!(svg, r#"<g class="series {class}"><path class="line" d="{d}"/>"#);
        for (i, p) in s.points.iter().enumerate() {
            if let Some(v) = p {
                let (x, y) = xy(i, *v);
                let cat = categories.get(i).map(String::as_str).unwrap_or("");
                let _ = write!(
                    svg,
                    r#"<circle class="dot" cx="{x:.1}" cy="{y:.1}" r="4"><title>{} {}: {}</title></circle>"#,
                    escape(&s.name),
                    escape(cat),
                    escape(&fmt(*v))
                );
            }
        }
        svg.push_str("</g>");
    }
    for (i, s) in series.iter().enumerate() {
        let x = l + (i % 2) as f64 * 230.0;
        let y = b + 40.0 + 20.0 * (i / 2) as f64;
        let _ = write!(
            svg,
            r#"<g class="series {}"><line class="line" x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/><text x="{:.1}" y="{y:.1}">{}</text></g>"#,
            escape(s.class),
            y - 4.0,
            x + 22.0,
            y - 4.0,
            x + 28.0,
            escape(&s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The key of a shaded map: one swatch a class, each with its range.
pub fn legend(c: &Chart, steps: &[(String, String)]) -> String {
    let row = 22.0;
    let height = 8.0 + row * steps.len().max(1) as f64;
    let width = 12.0 + steps.iter().map(|(_, l)| text_width(l)).fold(0.0, f64::max) + 40.0;
    let id = escape(c.id);
    let mut svg = format!(
        r#"<svg class="legend" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="{id}-t {id}-d" font-size="{FONT:.0}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(c.title),
        escape(c.desc)
    );
    for (i, (colour, label)) in steps.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let _ = write!(
            svg,
            r##"<rect x="4" y="{y:.1}" width="24" height="16" fill="{}" stroke="#6b6b6b"/><text x="36" y="{:.1}">{}</text>"##,
            escape(colour),
            y + 13.0,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn pct(v: f64) -> String {
        format!("{v:.0}%")
    }

    /// A fixed chart against the file in `tests/golden/`: a change of format must be deliberate.
    /// `UPDATE_GOLDEN=1 cargo test -p chuishao-web --lib svg` writes the file anew.
    #[test]
    fn a_line_chart_matches_its_golden_file() {
        let months: Vec<String> =
            ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"].map(String::from).into();
        let series = [
            Series {
                name: "综合得分".into(),
                class: "s1",
                points: vec![Some(82.5), Some(85.0), None, Some(88.25), Some(90.0), Some(91.5)],
            },
            Series {
                name: "满意率 <测试>".into(),
                class: "s2",
                points: vec![Some(70.0), Some(75.5), Some(80.0), Some(79.0), Some(84.0), None],
            },
        ];
        let chart = Chart { id: "golden", title: "近六个月 & 三率", desc: "综合得分与满意率，按月" };
        let svg = line_chart(&chart, &months, &series, Some(100.0), &pct);
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/line_chart.svg");
        if std::env::var("UPDATE_GOLDEN").is_ok() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("{svg}\n")).unwrap();
        }
        let want = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 writes it)");
        assert_eq!(svg, want.trim_end(), "the line chart's SVG changed; if on purpose, UPDATE_GOLDEN=1");
    }

    #[test]
    fn text_is_escaped_and_charts_are_labelled_images() {
        let chart = Chart { id: "c1", title: "<script>", desc: "a \"b\" & c" };
        let bars = [("热线<12345>".to_string(), 3.0), ("网站".to_string(), 0.0)];
        for svg in [bar_chart(&chart, &bars, &|v| format!("{v}")), column_chart(&chart, &bars, &|v| format!("{v}"))] {
            assert!(svg.starts_with("<svg class=\"chart"));
            assert!(svg.contains(r#"role="img" aria-labelledby="c1-t c1-d""#));
            assert!(svg.contains("<title id=\"c1-t\">&lt;script&gt;</title>"));
            assert!(svg.contains("a &quot;b&quot; &amp; c"));
            assert!(svg.contains("热线&lt;12345&gt;"));
            assert!(!svg.contains("<script>") && !svg.contains("<12345>"));
            assert!(!svg.contains("http"), "no namespace or link: inline SVG in HTML needs none");
            assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
        // Nothing to draw still draws a labelled, empty chart.
        let empty = bar_chart(&chart, &[], &|v| format!("{v}"));
        assert!(empty.ends_with("</svg>") && !empty.contains("NaN"));
        let lines = line_chart(&chart, &[], &[], None, &|v| format!("{v}"));
        assert!(!lines.contains("NaN"));
    }

    #[test]
    fn value_axes_use_round_steps() {
        assert_eq!(nice_step(100.0, 4.0), 50.0);
        assert_eq!(nice_step(37.0, 4.0), 10.0);
        assert_eq!(nice_step(7.0, 4.0), 2.0);
        assert_eq!(nice_step(0.0, 4.0), 1.0);
        assert_eq!(axis_top(37.0, 10.0), 40.0);
        assert_eq!(axis_top(0.0, 1.0), 1.0);
    }

    #[test]
    fn a_legend_has_a_swatch_per_class() {
        let l = legend(
            &Chart { id: "k", title: "图例", desc: "每社区受理量" },
            &[("#fff".into(), "0".into()), ("#c00".into(), "1–5".into())],
        );
        assert_eq!(l.matches("<rect").count(), 2);
        assert!(l.contains(r##"fill="#c00""##));
    }
}
