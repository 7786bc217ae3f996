//! Where is it? Boundaries of streets, communities and grid cells, indexed by an R-tree of
//! their bounding boxes, each hit confirmed by an exact point-in-polygon test.

use crate::coords::{LatLon, LocalPlane};
use geo::{Contains, Coord, LineString, MultiPolygon, Polygon};
use rstar::{Envelope, PointDistance, RTree, RTreeObject, AABB};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Street,
    Community,
    Grid,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Street, Level::Community, Level::Grid];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Street => "street",
            Level::Community => "community",
            Level::Grid => "grid",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// One boundary: a street, a community or a grid cell, in WGS-84.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub level: Level,
    pub code: String,
    pub name: String,
    /// The enclosing area's code: a community's street, a grid cell's community.
    pub parent: Option<String>,
    pub shape: MultiPolygon<f64>,
    /// Generated for the demo, not surveyed.
    pub approximate: bool,
}

impl Area {
    /// The area's centroid (WGS-84); for an empty shape, (0, 0).
    pub fn centre(&self) -> LatLon {
        use geo::Centroid;
        self.shape.centroid().map_or(LatLon::new(0.0, 0.0), |p| LatLon::new(p.y(), p.x()))
    }
}

/// What a lookup answers about an area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub code: String,
    pub name: String,
    pub approximate: bool,
}

/// Where a point lies.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Location {
    pub street: Option<Found>,
    pub community: Option<Found>,
    pub grid: Option<Found>,
}

/// The community nearest to a point outside every community, and how far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    pub community: Found,
    pub street_code: Option<String>,
    pub distance_m: f64,
}

struct Entry {
    index: usize,
    envelope: AABB<[f64; 2]>,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

/// Distances to the bounding box: enough to find candidates, which are then tested exactly.
impl PointDistance for Entry {
    fn distance_2(&self, point: &[f64; 2]) -> f64 {
        self.envelope.distance_2(point)
    }
    fn contains_point(&self, point: &[f64; 2]) -> bool {
        self.envelope.contains_point(point)
    }
}

/// The boundaries of a district, ready for lookups.
pub struct Atlas {
    areas: Vec<Area>,
    trees: [RTree<Entry>; 3],
}

fn level_index(level: Level) -> usize {
    match level {
        Level::Street => 0,
        Level::Community => 1,
        Level::Grid => 2,
    }
}

fn envelope_of(shape: &MultiPolygon<f64>) -> Option<AABB<[f64; 2]>> {
    let mut coords = shape.iter().flat_map(|p| p.exterior().coords());
    let first = coords.next()?;
    let (mut lo, mut hi) = ([first.x, first.y], [first.x, first.y]);
    for c in coords {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    Some(AABB::from_corners(lo, hi))
}

impl Atlas {
    pub fn new(areas: Vec<Area>) -> Atlas {
        let mut per_level: [Vec<Entry>; 3] = [vec![], vec![], vec![]];
        for (index, a) in areas.iter().enumerate() {
            if let Some(envelope) = envelope_of(&a.shape) {
                per_level[level_index(a.level)].push(Entry { index, envelope });
            }
        }
        let [s, c, g] = per_level;
        Atlas { areas, trees: [RTree::bulk_load(s), RTree::bulk_load(c), RTree::bulk_load(g)] }
    }

    pub fn empty() -> Atlas {
        Atlas::new(vec![])
    }

    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    pub fn count(&self, level: Level) -> usize {
        self.trees[level_index(level)].size()
    }

    pub fn area(&self, level: Level, code: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.level == level && a.code == code)
    }

    fn found(a: &Area) -> Found {
        Found { code: a.code.clone(), name: a.name.clone(), approximate: a.approximate }
    }

    /// The area of a level containing the point (WGS-84), if any.
    pub fn containing(&self, level: Level, p: LatLon) -> Option<&Area> {
        let point = geo::Point::new(p.lon, p.lat);
        self.trees[level_index(level)]
            .locate_all_at_point(&[p.lon, p.lat])
            .map(|e| &self.areas[e.index])
            .find(|a| a.shape.contains(&point) || on_boundary(&a.shape, p))
    }

    /// The street, community and grid cell containing a point (WGS-84). The street is the
    /// community's when one is found, so the two never disagree.
    pub fn locate(&self, p: LatLon) -> Location {
        let community = self.containing(Level::Community, p);
        let street = match community.and_then(|c| c.parent.as_deref()) {
            Some(code) => self.area(Level::Street, code).or_else(|| self.containing(Level::Street, p)),
            None => self.containing(Level::Street, p),
        };
        Location {
            street: street.map(Atlas::found).or_else(|| {
                // A community whose street has no boundary of its own still names its street.
                community.and_then(|c| c.parent.clone()).map(|code| Found {
                    code,
                    name: String::new(),
                    approximate: true,
                })
            }),
            community: community.map(Atlas::found),
            grid: self.containing(Level::Grid, p).map(Atlas::found),
        }
    }

    /// The community closest to a point, by the distance to its boundary, within `max_m`.
    pub fn nearest_community(&self, p: LatLon, max_m: f64) -> Option<Nearest> {
        let tree = &self.trees[level_index(Level::Community)];
        let plane = LocalPlane::around(p);
        let mut best: Option<(f64, usize)> = None;
        // Candidates by bounding-box distance; a handful always includes the nearest polygon.
        for e in tree.nearest_neighbor_iter(&[p.lon, p.lat]).take(12) {
            let d = distance_to_shape(&self.areas[e.index].shape, &plane);
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, e.index));
            }
        }
        let (d, i) = best?;
        (d <= max_m).then(|| Nearest {
            community: Atlas::found(&self.areas[i]),
            street_code: self.areas[i].parent.clone(),
            distance_m: (d * 10.0).round() / 10.0,
        })
    }
}

fn on_boundary(shape: &MultiPolygon<f64>, p: LatLon) -> bool {
    let plane = LocalPlane::around(p);
    distance_to_shape(shape, &plane) < 0.01
}

/// Metres from the plane's origin to the nearest edge of a shape.
fn distance_to_shape(shape: &MultiPolygon<f64>, plane: &LocalPlane) -> f64 {
    let mut best = f64::INFINITY;
    for poly in shape {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for seg in ring.lines() {
                let a = plane.to_xy(LatLon::new(seg.start.y, seg.start.x));
                let b = plane.to_xy(LatLon::new(seg.end.y, seg.end.x));
                best = best.min(point_segment((0.0, 0.0), a, b));
            }
        }
    }
    best
}

fn point_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 { 0.0 } else { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

/// A polygon from a closed ring of (lat, lon) points.
pub fn polygon(ring: &[LatLon]) -> Polygon<f64> {
    let mut coords: Vec<Coord<f64>> = ring.iter().map(|p| Coord { x: p.lon, y: p.lat }).collect();
    if coords.first() != coords.last() {
        if let Some(f) = coords.first().copied() {
            coords.push(f);
        }
    }
    Polygon::new(LineString::new(coords), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, level: Level, parent: Option<&str>, lat: f64, lon: f64, size: f64) -> Area {
        let ring = [
            LatLon::new(lat, lon),
            LatLon::new(lat, lon + size),
            LatLon::new(lat + size, lon + size),
            LatLon::new(lat + size, lon),
        ];
        Area {
            level,
            code: code.into(),
            name: format!("{code}名"),
            parent: parent.map(String::from),
            shape: MultiPolygon::new(vec![polygon(&ring)]),
            approximate: false,
        }
    }

    #[test]
    fn a_point_is_located_exactly_and_outside_points_find_the_nearest_community() {
        let atlas = Atlas::new(vec![
            square("110101009", Level::Street, None, 39.93, 116.42, 0.02),
            square("110101009008", Level::Community, Some("110101009"), 39.93, 116.42, 0.01),
            square("110101009001", Level::Community, Some("110101009"), 39.94, 116.42, 0.01),
            square("110101009008-001", Level::Grid, Some("110101009008"), 39.93, 116.42, 0.001),
        ]);
        let at = atlas.locate(LatLon::new(39.9305, 116.4205));
        assert_eq!(at.street.unwrap().code, "110101009");
        assert_eq!(at.community.unwrap().code, "110101009008");
        assert_eq!(at.grid.unwrap().code, "110101009008-001");
        let north = atlas.locate(LatLon::new(39.945, 116.425));
        assert_eq!(north.community.unwrap().code, "110101009001");
        assert!(north.grid.is_none());
        // A point on the shared edge belongs to one of the two, not to none.
        assert!(atlas.locate(LatLon::new(39.94, 116.425)).community.is_some());
        let outside = LatLon::new(39.925, 116.425); // about 555 m south of the street
        assert!(atlas.locate(outside).community.is_none());
        let near = atlas.nearest_community(outside, 1000.0).unwrap();
        assert_eq!(near.community.code, "110101009008");
        assert!((540.0..570.0).contains(&near.distance_m), "{}", near.distance_m);
        assert!(atlas.nearest_community(outside, 100.0).is_none());
    }
}
