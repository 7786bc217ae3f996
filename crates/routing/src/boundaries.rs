//! Boundaries in and out of GeoJSON: a FeatureCollection whose features carry `code`, and
//! optionally `name`, `level` (street | community | grid), `parent` and `approximate`.

use crate::atlas::{Area, Level};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{json, Map, Value};

/// Why a file was refused; nothing of it is imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BoundaryError {
    #[error("not GeoJSON: {0}")]
    NotJson(String),
    #[error("the file must be a GeoJSON FeatureCollection")]
    NotFeatureCollection,
    #[error("feature {index}{}: {problem}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Feature { index: usize, code: Option<String>, problem: String },
}

fn text_property(props: &Map<String, Value>, key: &str) -> Option<String> {
    match props.get(key)? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn ring(value: &Value) -> Result<LineString<f64>, String> {
    let points = value.as_array().ok_or("a ring must be an array of positions")?;
    let mut coords = Vec::with_capacity(points.len());
    for p in points {
        let xy = p.as_array().filter(|a| a.len() >= 2).ok_or("a position must be [lon, lat]")?;
        let (x, y) =
            (xy[0].as_f64().ok_or("longitude is not a number")?, xy[1].as_f64().ok_or("latitude is not a number")?);
        if !(x.is_finite() && y.is_finite() && x.abs() <= 180.0 && y.abs() <= 90.0) {
            return Err(format!("position [{x}, {y}] is not a longitude and latitude"));
        }
        coords.push(Coord { x, y });
    }
    if coords.len() < 4 {
        return Err("a ring needs at least 4 positions".into());
    }
    if coords.first() != coords.last() {
        return Err("a ring must end where it starts".into());
    }
    Ok(LineString::new(coords))
}

fn polygon(value: &Value) -> Result<Polygon<f64>, String> {
    let rings = value.as_array().filter(|r| !r.is_empty()).ok_or("a polygon needs at least one ring")?;
    let mut it = rings.iter().map(ring);
    let exterior = it.next().ok_or("a polygon needs an outer ring")??;
    Ok(Polygon::new(exterior, it.collect::<Result<_, _>>()?))
}

/// A Polygon or MultiPolygon geometry object as a shape.
pub fn shape_from_geometry(geometry: &Value) -> Result<MultiPolygon<f64>, String> {
    let kind = geometry.get("type").and_then(Value::as_str).ok_or("the geometry has no type")?;
    let coords = geometry.get("coordinates").ok_or("the geometry has no coordinates")?;
    match kind {
        "Polygon" => Ok(MultiPolygon::new(vec![polygon(coords)?])),
        "MultiPolygon" => {
            let polys = coords.as_array().filter(|p| !p.is_empty()).ok_or("a MultiPolygon needs polygons")?;
            Ok(MultiPolygon::new(polys.iter().map(polygon).collect::<Result<_, _>>()?))
        }
        other => Err(format!("geometry must be a Polygon or MultiPolygon, not {other}")),
    }
}

/// A shape as a GeoJSON geometry object.
pub fn geometry_of(shape: &MultiPolygon<f64>) -> Value {
    let ring = |l: &LineString<f64>| -> Value { l.coords().map(|c| json!([c.x, c.y])).collect() };
    let polys: Vec<Value> = shape
        .iter()
        .map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect::<Vec<_>>().into())
        .collect();
    if polys.len() == 1 {
        json!({ "type": "Polygon", "coordinates": polys[0] })
    } else {
        json!({ "type": "MultiPolygon", "coordinates": polys })
    }
}

/// Parses a FeatureCollection into areas, all or nothing. A feature's level comes from its
/// `level`, or from its code: 9 digits a street, 12 a community; a grid cell names its `parent`
/// community. A community's parent street is its code's first 9 digits.
pub fn parse(text: &str) -> Result<Vec<Area>, BoundaryError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| BoundaryError::NotJson(e.to_string()))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(BoundaryError::NotFeatureCollection);
    }
    let features = doc.get("features").and_then(Value::as_array).ok_or(BoundaryError::NotFeatureCollection)?;
    let mut areas: Vec<Area> = Vec::with_capacity(features.len());
    for (index, f) in features.iter().enumerate() {
        // Features are numbered from 1, as a person counts them.
        let fail = |code: Option<&String>, problem: String| BoundaryError::Feature {
            index: index + 1,
            code: code.cloned(),
            problem,
        };
        let empty = Map::new();
        let props = f.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let code = text_property(props, "code");
        let Some(code_ref) = code.as_ref() else { return Err(fail(None, "the property `code` is missing".into())) };
        let digits = code_ref.bytes().all(|b| b.is_ascii_digit());
        let level = match text_property(props, "level") {
            Some(l) => Level::parse(&l).ok_or_else(|| fail(code.as_ref(), format!("unknown level `{l}`")))?,
            None if digits && code_ref.len() == 9 => Level::Street,
            None if digits && code_ref.len() == 12 => Level::Community,
            None if props.contains_key("parent") => Level::Grid,
            None => return Err(fail(code.as_ref(), "set `level`: the code is neither 9 nor 12 digits".into())),
        };
        let parent = match level {
            Level::Street => None,
            Level::Community if digits && code_ref.len() == 12 => Some(code_ref[..9].to_string()),
            Level::Community => return Err(fail(code.as_ref(), "a community's code has 12 digits".into())),
            Level::Grid => Some(
                text_property(props, "parent")
                    .ok_or_else(|| fail(code.as_ref(), "a grid cell names its `parent` community".into()))?,
            ),
        };
        if level == Level::Street && !(digits && code_ref.len() == 9) {
            return Err(fail(code.as_ref(), "a street's code has 9 digits".into()));
        }
        let geometry =
            f.get("geometry").filter(|g| !g.is_null()).ok_or_else(|| fail(code.as_ref(), "no geometry".into()))?;
        let shape = shape_from_geometry(geometry).map_err(|p| fail(code.as_ref(), p))?;
        if areas.iter().any(|a| a.level == level && a.code == *code_ref) {
            return Err(fail(code.as_ref(), "the code appears twice".into()));
        }
        areas.push(Area {
            level,
            name: text_property(props, "name").unwrap_or_else(|| code_ref.clone()),
            code: code_ref.clone(),
            parent,
            shape,
            approximate: props.get("approximate").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    Ok(areas)
}

/// Areas as a FeatureCollection (what `parse` reads back).
pub fn to_geojson(areas: &[Area]) -> Value {
    let features: Vec<Value> = areas
        .iter()
        .map(|a| {
            json!({
                "type": "Feature",
                "properties": {
                    "level": a.level.as_str(),
                    "code": a.code,
                    "name": a.name,
                    "parent": a.parent,
                    "approximate": a.approximate,
                },
                "geometry": geometry_of(&a.shape),
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = "[[[116.42,39.93],[116.43,39.93],[116.43,39.94],[116.42,39.94],[116.42,39.93]]]";

    fn feature(props: &str, coords: &str) -> String {
        format!(r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"Polygon","coordinates":{coords}}}}}"#)
    }

    fn collection(features: &[String]) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
    }

    #[test]
    fn levels_come_from_codes_and_round_trip() {
        let text = collection(&[
            feature(r#"{"code":"110101009","name":"东直门街道"}"#, SQUARE),
            feature(r#"{"code":110101009008,"name":"十字坡社区"}"#, SQUARE),
            feature(r#"{"code":"G-1","parent":"110101009008"}"#, SQUARE),
        ]);
        let areas = parse(&text).unwrap();
        assert_eq!(areas.iter().map(|a| a.level).collect::<Vec<_>>(), [Level::Street, Level::Community, Level::Grid]);
        assert_eq!(areas[1].parent.as_deref(), Some("110101009"));
        assert_eq!(areas[2].name, "G-1");
        let again = parse(&to_geojson(&areas).to_string()).unwrap();
        assert_eq!(again, areas);
    }

    #[test]
    fn bad_features_are_named_and_refuse_the_whole_file() {
        let open_ring = "[[[116.42,39.93],[116.43,39.93],[116.43,39.94],[116.42,39.94]]]";
        let cases = [
            (feature(r#"{"name":"无码"}"#, SQUARE), "feature 2: the property `code` is missing"),
            (
                feature(r#"{"code":"110101009008"}"#, open_ring),
                "feature 2 (110101009008): a ring must end where it starts",
            ),
            (feature(r#"{"code":"12345"}"#, SQUARE), "feature 2 (12345): set `level`"),
            (feature(r#"{"code":"110101009001","level":"county"}"#, SQUARE), "unknown level `county`"),
            (feature(r#"{"code":"110101009"}"#, SQUARE), "feature 2 (110101009): the code appears twice"),
            (
                feature(r#"{"code":"110101009008"}"#, "[[[200,39.93],[116.43,39.93],[116.43,39.94],[200,39.93]]]"),
                "is not a longitude",
            ),
        ];
        for (bad, expected) in cases {
            let text = collection(&[feature(r#"{"code":"110101009"}"#, SQUARE), bad]);
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.contains(expected), "{e} / {expected}");
        }
        assert_eq!(parse("[1,2]").unwrap_err(), BoundaryError::NotFeatureCollection);
        assert!(matches!(parse("{oops"), Err(BoundaryError::NotJson(_))));
        let point = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"110101009"},"geometry":{"type":"Point","coordinates":[116.4,39.9]}}]}"#;
        assert!(parse(point).unwrap_err().to_string().contains("not Point"));
    }
}
