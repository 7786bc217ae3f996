//! Approximate boundaries for a demo: Voronoi cells around community centroids inside a convex
//! outline, streets as the union of their communities' cells, and square grid cells within.
//! Replaced by importing surveyed boundaries (`chuishao import boundaries`).

use crate::atlas::{polygon, Area, Level};
use crate::coords::{LatLon, LocalPlane};
use geo::MultiPolygon;

/// A community's centroid and where it belongs.
#[derive(Debug, Clone)]
pub struct Site {
    pub code: String,
    pub name: String,
    pub street: String,
    pub street_name: String,
    pub at: LatLon,
}

type Xy = (f64, f64);

/// Keeps the part of a convex polygon where `n·p <= c` (Sutherland–Hodgman on one edge).
fn clip(poly: &[Xy], n: Xy, c: f64) -> Vec<Xy> {
    let inside = |p: &Xy| n.0 * p.0 + n.1 * p.1 <= c;
    let mut out = Vec::with_capacity(poly.len() + 1);
    for (i, cur) in poly.iter().enumerate() {
        let prev = &poly[(i + poly.len() - 1) % poly.len()];
        let cross = |a: &Xy, b: &Xy| {
            let (da, db) = (n.0 * a.0 + n.1 * a.1 - c, n.0 * b.0 + n.1 * b.1 - c);
            let t = da / (da - db);
            (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
        };
        match (inside(prev), inside(cur)) {
            (true, true) => out.push(*cur),
            (true, false) => out.push(cross(prev, cur)),
            (false, true) => {
                out.push(cross(prev, cur));
                out.push(*cur);
            }
            (false, false) => {}
        }
    }
    out
}

/// Clips `poly` to the convex polygon `by` (counter-clockwise).
fn clip_to(poly: &[Xy], by: &[Xy]) -> Vec<Xy> {
    let mut out = poly.to_vec();
    for (i, a) in by.iter().enumerate() {
        let b = &by[(i + 1) % by.len()];
        // Inside is to the left of a→b: the outward normal is (dy, -dx).
        let n = (b.1 - a.1, -(b.0 - a.0));
        out = clip(&out, n, n.0 * a.0 + n.1 * a.1);
        if out.is_empty() {
            break;
        }
    }
    out
}

fn area(poly: &[Xy]) -> f64 {
    let mut s = 0.0;
    for (i, a) in poly.iter().enumerate() {
        let b = &poly[(i + 1) % poly.len()];
        s += a.0 * b.1 - b.0 * a.1;
    }
    s / 2.0
}

/// The convex hull, counter-clockwise (Andrew's monotone chain).
fn hull(points: &[Xy]) -> Vec<Xy> {
    let mut p = points.to_vec();
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let turn = |o: &Xy, a: &Xy, b: &Xy| (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
    let mut lower: Vec<Xy> = vec![];
    for q in &p {
        while lower.len() >= 2 && turn(&lower[lower.len() - 2], &lower[lower.len() - 1], q) <= 0.0 {
            lower.pop();
        }
        lower.push(*q);
    }
    let mut upper: Vec<Xy> = vec![];
    for q in p.iter().rev() {
        while upper.len() >= 2 && turn(&upper[upper.len() - 2], &upper[upper.len() - 1], q) <= 0.0 {
            upper.pop();
        }
        upper.push(*q);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

fn to_shape(plane: &LocalPlane, cells: &[Vec<Xy>]) -> MultiPolygon<f64> {
    MultiPolygon::new(
        cells.iter().map(|c| polygon(&c.iter().map(|p| plane.to_latlon(*p)).collect::<Vec<_>>())).collect(),
    )
}

/// Streets, communities and grid cells of `grid_m` metres for the sites, all marked approximate.
/// The outline is the sites' convex hull widened by `margin_m`.
pub fn demo_areas(sites: &[Site], margin_m: f64, grid_m: f64) -> Vec<Area> {
    if sites.is_empty() {
        return vec![];
    }
    let n = sites.len() as f64;
    let origin =
        LatLon::new(sites.iter().map(|s| s.at.lat).sum::<f64>() / n, sites.iter().map(|s| s.at.lon).sum::<f64>() / n);
    let plane = LocalPlane::around(origin);
    let xy: Vec<Xy> = sites.iter().map(|s| plane.to_xy(s.at)).collect();
    let centre = (xy.iter().map(|p| p.0).sum::<f64>() / n, xy.iter().map(|p| p.1).sum::<f64>() / n);
    let outline: Vec<Xy> = hull(&xy)
        .into_iter()
        .map(|v| {
            let (dx, dy) = (v.0 - centre.0, v.1 - centre.1);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            (v.0 + dx / len * margin_m, v.1 + dy / len * margin_m)
        })
        .collect();
    let outline = if outline.len() >= 3 {
        outline
    } else {
        let (x, y, m) = (centre.0, centre.1, margin_m.max(500.0));
        vec![(x - m, y - m), (x + m, y - m), (x + m, y + m), (x - m, y + m)]
    };
    // Each community's cell: the outline, cut by the bisector with every other centroid.
    let cells: Vec<Vec<Xy>> = xy
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut cell = outline.clone();
            for (j, b) in xy.iter().enumerate() {
                if i == j || cell.is_empty() {
                    continue;
                }
                let nrm = (b.0 - a.0, b.1 - a.1);
                let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
                cell = clip(&cell, nrm, nrm.0 * mid.0 + nrm.1 * mid.1);
            }
            cell
        })
        .collect();
    let mut areas = vec![];
    let mut streets: Vec<(&str, &str)> = vec![];
    for s in sites {
        if !streets.iter().any(|(c, _)| *c == s.street) {
            streets.push((&s.street, &s.street_name));
        }
    }
    for (code, name) in streets {
        let own: Vec<Vec<Xy>> = sites
            .iter()
            .zip(&cells)
            .filter(|(s, c)| s.street == code && c.len() >= 3)
            .map(|(_, c)| c.clone())
            .collect();
        areas.push(Area {
            level: Level::Street,
            code: code.to_string(),
            name: name.to_string(),
            parent: None,
            shape: to_shape(&plane, &own),
            approximate: true,
        });
    }
    for (s, cell) in sites.iter().zip(&cells).filter(|(_, c)| c.len() >= 3) {
        areas.push(Area {
            level: Level::Community,
            code: s.code.clone(),
            name: s.name.clone(),
            parent: Some(s.street.clone()),
            shape: to_shape(&plane, std::slice::from_ref(cell)),
            approximate: true,
        });
        // Grid cells: the squares of a city-wide lattice, cut to the community.
        let (lo_x, hi_x) = cell.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
        let (lo_y, hi_y) = cell.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        let mut n = 0;
        let mut gy = (lo_y / grid_m).floor() * grid_m;
        while gy < hi_y {
            let mut gx = (lo_x / grid_m).floor() * grid_m;
            while gx < hi_x {
                let square = [(gx, gy), (gx + grid_m, gy), (gx + grid_m, gy + grid_m), (gx, gy + grid_m)];
                let piece = clip_to(&square, cell);
                if piece.len() >= 3 && area(&piece) > grid_m * grid_m * 0.02 {
                    n += 1;
                    areas.push(Area {
                        level: Level::Grid,
                        code: format!("{}-{n:03}", s.code),
                        name: format!("{}第{n}网格", s.name),
                        parent: Some(s.code.clone()),
                        shape: to_shape(&plane, &[piece]),
                        approximate: true,
                    });
                }
                gx += grid_m;
            }
            gy += grid_m;
        }
    }
    areas
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atlas::Atlas;

    fn site(code: &str, street: &str, lat: f64, lon: f64) -> Site {
        Site {
            code: code.into(),
            name: code.into(),
            street: street.into(),
            street_name: street.into(),
            at: LatLon::new(lat, lon),
        }
    }

    #[test]
    fn every_centroid_lies_in_its_own_cell_and_grid_cells_tile_the_communities() {
        let sites = vec![
            site("110101009001", "110101009", 39.940, 116.425),
            site("110101009002", "110101009", 39.944, 116.432),
            site("110101006001", "110101006", 39.930, 116.415),
            site("110101006002", "110101006", 39.928, 116.422),
            site("110101007001", "110101007", 39.922, 116.430),
        ];
        let areas = demo_areas(&sites, 600.0, 250.0);
        let atlas = Atlas::new(areas);
        assert_eq!(atlas.count(Level::Street), 3);
        assert_eq!(atlas.count(Level::Community), 5);
        assert!(atlas.count(Level::Grid) > 20);
        for s in &sites {
            let at = atlas.locate(s.at);
            assert_eq!(at.community.as_ref().map(|c| c.code.as_str()), Some(s.code.as_str()));
            assert_eq!(at.street.as_ref().map(|c| c.code.as_str()), Some(s.street.as_str()));
            let grid = at.grid.expect("a grid cell");
            assert!(grid.code.starts_with(&s.code), "{} in {}", grid.code, s.code);
        }
        // The midpoint between two centroids is on their common edge: one of the two holds it.
        let mid = LatLon::new((39.940 + 39.944) / 2.0, (116.425 + 116.432) / 2.0);
        let c = atlas.locate(mid).community.unwrap().code;
        assert!(c == "110101009001" || c == "110101009002");
        // Far outside the outline: nowhere, but the nearest community is named.
        let far = LatLon::new(39.90, 116.40);
        assert!(atlas.locate(far).community.is_none());
        assert!(atlas.nearest_community(far, 10_000.0).is_some());
    }
}
