//! Coordinates: WGS-84 (GPS, Open311) and GCJ-02 (the offset datum of 高德 and 腾讯 map SDKs,
//! mandated for maps published in mainland China), and distances on the ground.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// A point in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Self {
        LatLon { lat, lon }
    }

    /// Finite and on the globe.
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite() && self.lon.is_finite() && self.lat.abs() <= 90.0 && self.lon.abs() <= 180.0
    }
}

/// The datum a client's coordinates are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    #[default]
    Wgs84,
    Gcj02,
}

impl Crs {
    pub fn parse(s: &str) -> Option<Crs> {
        match s.trim().to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "wgs84" | "epsg4326" | "gps" => Some(Crs::Wgs84),
            "gcj02" | "gcj" | "mars" => Some(Crs::Gcj02),
            _ => None,
        }
    }

    /// The point in WGS-84, the datum boundaries are stored in.
    pub fn to_wgs84(self, p: LatLon) -> LatLon {
        match self {
            Crs::Wgs84 => p,
            Crs::Gcj02 => wgs84_from_gcj02(p),
        }
    }
}

// The Krasovsky 1940 ellipsoid the GCJ-02 offset is defined on.
const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// GCJ-02 applies only inside mainland China's rough bounding box; outside, the two agree.
pub fn in_china(p: LatLon) -> bool {
    (72.004..=137.8347).contains(&p.lon) && (0.8293..=55.8271).contains(&p.lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 point a WGS-84 point is shown at.
pub fn gcj02_from_wgs84(p: LatLon) -> LatLon {
    if !in_china(p) {
        return p;
    }
    let (x, y) = (p.lon - 105.0, p.lat - 35.0);
    let rad = p.lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = offset_lat(x, y) * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let d_lon = offset_lon(x, y) * 180.0 / (KRASOVSKY_A / sqrt_magic * rad.cos() * PI);
    LatLon { lat: p.lat + d_lat, lon: p.lon + d_lon }
}

/// The WGS-84 point behind a GCJ-02 one: the forward offset inverted by fixed-point iteration
/// (the offset varies slowly, so a few rounds reach far below a millimetre).
pub fn wgs84_from_gcj02(g: LatLon) -> LatLon {
    if !in_china(g) {
        return g;
    }
    let mut w = g;
    for _ in 0..30 {
        let f = gcj02_from_wgs84(w);
        let (dlat, dlon) = (f.lat - g.lat, f.lon - g.lon);
        w = LatLon { lat: w.lat - dlat, lon: w.lon - dlon };
        if dlat.abs() < 1e-11 && dlon.abs() < 1e-11 {
            break;
        }
    }
    w
}

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres.
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    let (la, lb) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lb - la;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la.cos() * lb.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// A flat projection around a reference latitude (equirectangular): metres east and north,
/// accurate to well under a metre across a city.
#[derive(Debug, Clone, Copy)]
pub struct LocalPlane {
    lat0: f64,
    lon0: f64,
    m_per_deg_lat: f64,
    m_per_deg_lon: f64,
}

impl LocalPlane {
    pub fn around(origin: LatLon) -> Self {
        let m_per_deg_lat = EARTH_RADIUS_M * PI / 180.0;
        LocalPlane {
            lat0: origin.lat,
            lon0: origin.lon,
            m_per_deg_lat,
            m_per_deg_lon: m_per_deg_lat * origin.lat.to_radians().cos(),
        }
    }

    pub fn to_xy(&self, p: LatLon) -> (f64, f64) {
        ((p.lon - self.lon0) * self.m_per_deg_lon, (p.lat - self.lat0) * self.m_per_deg_lat)
    }

    pub fn to_latlon(&self, (x, y): (f64, f64)) -> LatLon {
        LatLon { lat: self.lat0 + y / self.m_per_deg_lat, lon: self.lon0 + x / self.m_per_deg_lon }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_is_shifted_by_hundreds_of_metres_and_shifted_back_exactly() {
        // 天安门 in WGS-84; in GCJ-02 it is drawn roughly 500–600 m east-north-east.
        let w = LatLon::new(39.908_72, 116.397_50);
        let g = gcj02_from_wgs84(w);
        let shift = distance_m(w, g);
        assert!((400.0..800.0).contains(&shift), "{shift} m");
        assert!(g.lon - w.lon > 0.005 && g.lon - w.lon < 0.007, "{g:?}");
        assert!(g.lat - w.lat > 0.0005 && g.lat - w.lat < 0.002, "{g:?}");
        let back = wgs84_from_gcj02(g);
        assert!(distance_m(back, w) < 0.01, "{back:?}");
    }

    #[test]
    fn outside_china_nothing_moves() {
        let tokyo = LatLon::new(35.68, 139.76);
        assert_eq!(gcj02_from_wgs84(tokyo), tokyo);
        assert_eq!(wgs84_from_gcj02(tokyo), tokyo);
    }

    #[test]
    fn distances_and_the_local_plane_agree() {
        let a = LatLon::new(39.94, 116.43);
        let b = LatLon::new(39.95, 116.44);
        let d = distance_m(a, b);
        assert!((1398.0..1404.0).contains(&d), "{d}");
        let plane = LocalPlane::around(a);
        let (x, y) = plane.to_xy(b);
        assert!(((x * x + y * y).sqrt() - d).abs() < 2.0);
        let p = plane.to_latlon((x, y));
        assert!(distance_m(p, b) < 1e-6);
        assert_eq!(Crs::parse("GCJ-02"), Some(Crs::Gcj02));
        assert_eq!(Crs::parse("wgs84"), Some(Crs::Wgs84));
        assert_eq!(Crs::parse("bd09"), None);
    }
}
