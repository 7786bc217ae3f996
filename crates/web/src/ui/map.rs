//! The district's communities as an inline SVG map, drawn on the server from the stored
//! boundaries (the router's atlas, so an import of new boundaries shows at once).

use super::svg::escape;
use chuishao_routing::{Area, Level, Router};
use std::fmt::Write;
use std::sync::{Arc, Mutex, Weak};

/// Drawing width in SVG units; about 8 m a unit for a district the size of 东城区.
pub(super) const WIDTH: f64 = 1000.0;

/// A drawn map: the `<svg>` markup (names escaped) and whether the boundaries are approximate.
#[derive(Debug)]
pub struct MapSvg {
    pub svg: String,
    pub approximate: bool,
    pub communities: usize,
}

/// Drawings kept per router (and a key, e.g. a street): the atlas only changes when the router
/// is rebuilt. The weak handle keeps the old router's allocation, so a new router can never be
/// taken for the old one.
pub(super) type Drawings<K, T> = Mutex<Vec<((Weak<Router>, K), Arc<T>)>>;

/// The drawing of `router` under `key`, made by `draw` the first time.
pub(super) fn drawn_once<K: PartialEq, T>(
    cache: &Drawings<K, T>,
    router: &Arc<Router>,
    key: K,
    draw: impl FnOnce(&[Area]) -> T,
) -> Arc<T> {
    let me = Arc::downgrade(router);
    let mut drawn = cache.lock().unwrap_or_else(|e| e.into_inner());
    drawn.retain(|((w, _), _)| w.strong_count() > 0);
    if let Some((_, d)) = drawn.iter().find(|((w, k), _)| Weak::ptr_eq(w, &me) && *k == key) {
        return d.clone();
    }
    let d = Arc::new(draw(router.atlas.areas()));
    drawn.push(((me, key), d.clone()));
    d
}

static DRAWN: Drawings<(), MapSvg> = Mutex::new(Vec::new());

pub fn community_map(router: &Arc<Router>) -> Arc<MapSvg> {
    drawn_once(&DRAWN, router, (), draw)
}

/// Longitude/latitude to drawing units: equirectangular, x shrunk by the cosine of the
/// latitude — true enough for a district.
pub(super) struct Projection {
    pub lon0: f64,
    pub lat0: f64,
    pub kx: f64,
    pub ky: f64,
    /// The drawing's height for a width of `WIDTH`.
    pub height: f64,
}

impl Projection {
    /// The projection fitting the outer rings of `areas` into `WIDTH`; none if they hold no
    /// extent.
    pub fn fit<'a>(areas: impl IntoIterator<Item = &'a Area>) -> Option<Projection> {
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for a in areas {
            for poly in &a.shape.0 {
                for c in poly.exterior().0.iter() {
                    (min_x, max_x, min_y, max_y) = (min_x.min(c.x), max_x.max(c.x), min_y.min(c.y), max_y.max(c.y));
                }
            }
        }
        if max_x <= min_x || max_y <= min_y {
            return None;
        }
        let kx = WIDTH / (max_x - min_x);
        let ky = kx / ((min_y + max_y) / 2.0).to_radians().cos();
        Some(Projection { lon0: min_x, lat0: max_y, kx, ky, height: (max_y - min_y) * ky })
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        ((lon - self.lon0) * self.kx, (self.lat0 - lat) * self.ky)
    }

    /// An area's rings as SVG path data, to a tenth of a unit.
    pub fn path(&self, area: &Area) -> String {
        let mut d = String::new();
        for poly in &area.shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors().iter()) {
                let mut first = true;
                for c in ring.0.iter() {
                    let (x, y) = self.xy(c.x, c.y);
                    let _ = write!(d, "{}{:.1} {:.1}", if first { "M" } else { " " }, x, y);
                    first = false;
                }
                if !first {
                    d.push('Z');
                }
            }
        }
        d
    }
}

pub fn draw(areas: &[Area]) -> MapSvg {
    let communities: Vec<&Area> = areas.iter().filter(|a| a.level == Level::Community).collect();
    let streets: Vec<&Area> = areas.iter().filter(|a| a.level == Level::Street).collect();
    let fitted =
        if communities.is_empty() { None } else { Projection::fit(communities.iter().chain(&streets).copied()) };
    let Some(p) = fitted else {
        return MapSvg { svg: String::new(), approximate: false, communities: 0 };
    };
    let mut svg = String::with_capacity(64 * 1024);
    // The map is a pointing aid: the community list beside it is the accessible way to choose.
    let _ = write!(
        svg,
        r#"<svg class="map" viewBox="0 0 {WIDTH:.0} {:.0}" data-lon0="{}" data-lat0="{}" data-kx="{}" data-ky="{}" aria-hidden="true" focusable="false">"#,
        p.height, p.lon0, p.lat0, p.kx, p.ky
    );
    for a in &communities {
        let _ = write!(
            svg,
            r#"<path class="community" data-code="{}" data-name="{}" d="{}"><title>{}</title></path>"#,
            escape(&a.code),
            escape(&a.name),
            p.path(a),
            escape(&a.name)
        );
    }
    for a in &streets {
        let _ = write!(svg, r#"<path class="street" d="{}"/>"#, p.path(a));
    }
    svg.push_str(r#"<circle class="pin" cx="-40" cy="-40" r="12"/></svg>"#);
    MapSvg { svg, approximate: communities.iter().any(|a| a.approximate), communities: communities.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chuishao_routing::boundaries;

    #[test]
    fn communities_are_drawn_as_paths_with_names_escaped() {
        let geojson = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"110101009008","name":"十字坡<社区>"},
           "geometry":{"type":"Polygon","coordinates":[[[116.44,39.94],[116.45,39.94],[116.45,39.95],[116.44,39.94]]]}},
          {"type":"Feature","properties":{"code":"110101009","name":"东直门街道"},
           "geometry":{"type":"Polygon","coordinates":[[[116.43,39.93],[116.46,39.93],[116.46,39.96],[116.43,39.93]]]}}]}"#;
        let areas = boundaries::parse(geojson).expect("parses");
        let m = draw(&areas);
        assert_eq!(m.communities, 1);
        assert!(m.svg.starts_with("<svg"));
        assert!(m.svg.contains(r#"data-code="110101009008""#));
        assert!(m.svg.contains("十字坡&lt;社区&gt;"));
        assert!(!m.svg.contains("<社区>"));
        assert!(m.svg.contains(r#"class="street""#));
        assert!(!m.svg.contains("http"), "no namespace URL or link in inline SVG");
    }

    #[test]
    fn no_boundaries_no_map() {
        assert!(draw(&[]).svg.is_empty());
    }
}
