//! Points on the earth: what Yijia stores and what a map's tiles need.
//!
//! Yijia stores WGS-84 (what a phone's GPS and Open311 clients give, and what 天地图's
//! CGCS2000 tiles match to within a metre or so). Most commercial Chinese tiles (高德, 腾讯) are
//! drawn in GCJ-02, the WGS-84 position shifted by a published, deliberately irregular function,
//! some hundreds of metres in China and nothing outside it. A map over such tiles shows stored
//! points shifted into GCJ-02 and turns a point picked on it back into WGS-84 before it is kept.

use serde::{Deserialize, Serialize};

/// A point, in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub lat: f64,
    pub long: f64,
}

impl Point {
    /// Degrees × 10⁶ as stored (`lat_e6`, `long_e6`), about 0.1 m.
    pub fn from_e6(lat_e6: i64, long_e6: i64) -> Point {
        Point {
            lat: lat_e6 as f64 / 1e6,
            long: long_e6 as f64 / 1e6,
        }
    }

    pub fn to_e6(self) -> (i64, i64) {
        ((self.lat * 1e6).round() as i64, (self.long * 1e6).round() as i64)
    }

    /// Whether it is a place on the earth at all.
    pub fn is_valid(self) -> bool {
        self.lat.is_finite() && self.long.is_finite() && self.lat.abs() <= 90.0 && self.long.abs() <= 180.0
    }
}

/// A point as a form sends it, in the fields `lat` and `long`: degrees, typed (WGS-84, Western or
/// full-width digits) or written by a map, which names its tiles' datum in `datum` so that the
/// point is turned back into WGS-84 here. `None` when both are empty or either is wrong, with
/// the reason added to `errs`.
pub fn point_from_form(errs: &mut crate::FieldErrors, lat: &str, long: &str, datum: &str) -> Option<Point> {
    let read = |errs: &mut crate::FieldErrors, field: &str, v: &str, limit: f64| -> Option<f64> {
        let v = crate::text::fold_width(v.trim()).into_owned();
        if v.is_empty() {
            return None;
        }
        match v.parse::<f64>() {
            Ok(d) if d.is_finite() && d.abs() <= limit => Some(d),
            _ => {
                errs.add(field, crate::error::Message::new("map.bad_coordinate"));
                None
            }
        }
    };
    let (la, lo) = (read(errs, "lat", lat, 90.0), read(errs, "long", long, 180.0));
    match (la, lo) {
        (Some(lat), Some(long)) => Some(Datum::parse(datum).unwrap_or(Datum::Wgs84).stored(Point { lat, long })),
        (None, None) => None,
        (a, _) => {
            if errs.get("lat").is_none() && errs.get("long").is_none() {
                let field = if a.is_none() { "lat" } else { "long" };
                errs.add(field, crate::error::Message::new("map.point_incomplete"));
            }
            None
        }
    }
}

/// A point moved a few metres (at most about 15 m), the same way every time for the same `key`:
/// for things placed only by their building (appeals, care households), which would otherwise
/// all sit on one point and could not be told apart or tapped. What is stored is not moved.
pub fn spread(at: Point, key: i64) -> Point {
    let step = |k: i64| (key.wrapping_mul(k).rem_euclid(21) - 10) as f64 * 1.4e-5;
    Point {
        lat: at.lat + step(7_919),
        long: at.long + step(104_729),
    }
}

/// The datum a map's tiles are drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datum {
    Wgs84,
    Gcj02,
}

impl Datum {
    pub fn parse(s: &str) -> Option<Datum> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "cgcs2000" => Some(Datum::Wgs84),
            "gcj02" | "gcj-02" => Some(Datum::Gcj02),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Datum::Wgs84 => "wgs84",
            Datum::Gcj02 => "gcj02",
        }
    }

    /// A stored (WGS-84) point as drawn on tiles of this datum.
    pub fn shown(self, p: Point) -> Point {
        match self {
            Datum::Wgs84 => p,
            Datum::Gcj02 => wgs84_to_gcj02(p),
        }
    }

    /// A point picked on tiles of this datum, as stored (WGS-84).
    pub fn stored(self, p: Point) -> Point {
        match self {
            Datum::Wgs84 => p,
            Datum::Gcj02 => gcj02_to_wgs84(p),
        }
    }
}

/// An area: polygons, each an outline ring and any holes, each ring closed (first point last).
pub type Polygons = Vec<Vec<Vec<Point>>>;

/// The most points an area may have: a hand-drawn grid has tens, a surveyed one some hundreds.
pub const MAX_AREA_POINTS: usize = 5_000;

/// A GeoJSON area as given: a Polygon or MultiPolygon geometry, or a Feature (or a collection
/// of one) holding one. Positions are `[longitude, latitude]` in WGS-84, as GeoJSON (RFC 7946)
/// says; an open ring is closed; a ring of fewer than three distinct points is refused.
pub fn parse_area(json: &str) -> std::result::Result<Polygons, crate::error::Message> {
    let bad = || crate::error::Message::new("map.bad_geojson");
    let v: serde_json::Value = serde_json::from_str(json.trim()).map_err(|_| bad())?;
    let geometry = match v.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => match v.get("features").and_then(|f| f.as_array()).map(Vec::as_slice) {
            Some([one]) => one.get("geometry").cloned().ok_or_else(bad)?,
            _ => return Err(crate::error::Message::new("map.one_feature")),
        },
        Some("Feature") => v.get("geometry").cloned().ok_or_else(bad)?,
        _ => v,
    };
    area_of(&geometry).ok_or_else(bad).and_then(|a| {
        let n: usize = a.iter().flatten().map(Vec::len).sum();
        if n > MAX_AREA_POINTS {
            Err(crate::error::Message::new("map.too_many_points").arg("max", MAX_AREA_POINTS))
        } else {
            Ok(a)
        }
    })
}

/// The areas of a GeoJSON FeatureCollection (or one Feature), each with its `properties`, for
/// an import that matches features to grids by code or name; features that are not areas are
/// left out.
pub fn parse_features(json: &str) -> std::result::Result<Vec<(serde_json::Value, Polygons)>, crate::error::Message> {
    let bad = || crate::error::Message::new("map.bad_geojson");
    let v: serde_json::Value = serde_json::from_str(json.trim()).map_err(|_| bad())?;
    let features = match v.get("type").and_then(|t| t.as_str()) {
        Some("FeatureCollection") => v.get("features").and_then(|f| f.as_array()).cloned().ok_or_else(bad)?,
        Some("Feature") => vec![v],
        _ => return Err(bad()),
    };
    Ok(features
        .iter()
        .filter_map(|f| {
            let area = area_of(f.get("geometry")?)?;
            Some((f.get("properties").cloned().unwrap_or_default(), area))
        })
        .collect())
}

fn area_of(g: &serde_json::Value) -> Option<Polygons> {
    let coords = g.get("coordinates")?.as_array()?;
    let polygons: Vec<&Vec<serde_json::Value>> = match g.get("type")?.as_str()? {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords.iter().map(|p| p.as_array()).collect::<Option<_>>()?,
        _ => return None,
    };
    if polygons.is_empty() {
        return None;
    }
    polygons
        .into_iter()
        .map(|rings| rings.iter().map(ring).collect::<Option<Vec<_>>>())
        .collect()
}

fn ring(r: &serde_json::Value) -> Option<Vec<Point>> {
    let mut points: Vec<Point> = r
        .as_array()?
        .iter()
        .map(|p| {
            let p = p.as_array()?;
            let point = Point {
                long: p.first()?.as_f64()?,
                lat: p.get(1)?.as_f64()?,
            };
            point.is_valid().then_some(point)
        })
        .collect::<Option<_>>()?;
    if points.first() != points.last() {
        points.push(*points.first()?);
    }
    let mut distinct = points.clone();
    distinct.dedup();
    (distinct.len() >= 4).then_some(points)
}

/// An area as a GeoJSON geometry (a MultiPolygon), as stored.
pub fn area_json(area: &Polygons) -> String {
    let coords: Vec<Vec<Vec<[f64; 2]>>> = area
        .iter()
        .map(|p| {
            p.iter()
                .map(|r| r.iter().map(|pt| [round6(pt.long), round6(pt.lat)]).collect())
                .collect()
        })
        .collect();
    serde_json::json!({ "type": "MultiPolygon", "coordinates": coords }).to_string()
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The middle of an area's outlines (the mean of their points): where a grid's label or an
/// activity placed only by its grid is drawn.
pub fn middle(area: &Polygons) -> Option<Point> {
    let outline: Vec<&Point> = area
        .iter()
        .filter_map(|p| p.first())
        .flat_map(|r| r.iter().skip(1))
        .collect();
    if outline.is_empty() {
        return None;
    }
    let n = outline.len() as f64;
    Some(Point {
        lat: outline.iter().map(|p| p.lat).sum::<f64>() / n,
        long: outline.iter().map(|p| p.long).sum::<f64>() / n,
    })
}

/// An area moved point by point (into a map's datum, or back).
pub fn map_area(area: &Polygons, f: impl Fn(Point) -> Point) -> Polygons {
    area.iter()
        .map(|p| p.iter().map(|r| r.iter().map(|pt| f(*pt)).collect()).collect())
        .collect()
}

// The reference ellipsoid GCJ-02 is defined on (Krasovsky 1940).
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// GCJ-02 shifts only points in China (its rough bounding box); elsewhere it is WGS-84.
fn in_china(p: Point) -> bool {
    (72.004..=137.8347).contains(&p.long) && (0.8293..=55.8271).contains(&p.lat)
}

fn shift_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_long(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 position of a WGS-84 point.
pub fn wgs84_to_gcj02(p: Point) -> Point {
    if !in_china(p) {
        return p;
    }
    let (x, y) = (p.long - 105.0, p.lat - 35.0);
    let rad = p.lat.to_radians();
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = shift_lat(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * std::f64::consts::PI);
    let d_long = shift_long(x, y) * 180.0 / (A / sqrt_magic * rad.cos() * std::f64::consts::PI);
    Point {
        lat: p.lat + d_lat,
        long: p.long + d_long,
    }
}

/// The WGS-84 point whose GCJ-02 position is `p`: the shift has no closed inverse, so it is
/// found by correcting a guess until it moves less than a millimetre.
pub fn gcj02_to_wgs84(p: Point) -> Point {
    if !in_china(p) {
        return p;
    }
    let mut guess = p;
    for _ in 0..30 {
        let there = wgs84_to_gcj02(guess);
        let (d_lat, d_long) = (there.lat - p.lat, there.long - p.long);
        guess = Point {
            lat: guess.lat - d_lat,
            long: guess.long - d_long,
        };
        if d_lat.abs() < 1e-9 && d_long.abs() < 1e-9 {
            break;
        }
    }
    guess
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point, degrees: f64) -> bool {
        (a.lat - b.lat).abs() < degrees && (a.long - b.long).abs() < degrees
    }

    /// Pairs published with independent implementations of the shift (googollee/eviltransform's
    /// Shanghai, Shenzhen and Beijing points): WGS-84, then GCJ-02.
    const PUBLISHED: [(f64, f64, f64, f64); 3] = [
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    ];

    #[test]
    fn the_shift_matches_published_reference_points() {
        for (wl, wg, gl, gg) in PUBLISHED {
            let wgs = Point { lat: wl, long: wg };
            let gcj = Point { lat: gl, long: gg };
            assert!(
                close(wgs84_to_gcj02(wgs), gcj, 1e-9),
                "{wgs:?} → {:?}",
                wgs84_to_gcj02(wgs)
            );
            // back to within a centimetre (1e-7° is about 1 cm)
            assert!(
                close(gcj02_to_wgs84(gcj), wgs, 1e-7),
                "{gcj:?} → {:?}",
                gcj02_to_wgs84(gcj)
            );
        }
        // gcoord's GCJ-02 → WGS-84 of 45°N 123°E
        let back = gcj02_to_wgs84(Point { lat: 45.0, long: 123.0 });
        assert!(
            close(
                back,
                Point {
                    lat: 44.99804071,
                    long: 122.99395597
                },
                1e-6
            ),
            "{back:?}"
        );
    }

    #[test]
    fn lanzhou_moves_some_hundreds_of_metres_and_london_not_at_all() {
        let lanzhou = Point {
            lat: 36.0611,
            long: 103.8343,
        };
        let shifted = wgs84_to_gcj02(lanzhou);
        let metres = ((shifted.lat - lanzhou.lat) * 111_000.0).hypot((shifted.long - lanzhou.long) * 90_000.0);
        assert!((100.0..1000.0).contains(&metres), "{metres} m");
        let london = Point { lat: 51.5, long: -0.12 };
        assert_eq!(wgs84_to_gcj02(london), london);
        assert_eq!(Datum::Gcj02.stored(Datum::Gcj02.shown(london)), london);
    }

    #[test]
    fn an_area_is_read_from_what_gis_tools_write() {
        let square = r#"{"type":"Polygon","coordinates":[[[103.8,36.0],[103.81,36.0],[103.81,36.01],[103.8,36.01]]]}"#;
        let a = parse_area(square).unwrap();
        assert_eq!(a[0][0].len(), 5, "the open ring is closed");
        let feature = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"G1"}},"geometry":{square}}}]}}"#
        );
        assert_eq!(parse_area(&feature).unwrap(), a);
        let stored = area_json(&a);
        assert_eq!(parse_area(&stored).unwrap(), a, "what is stored reads back");
        let m = middle(&a).unwrap();
        assert!((m.lat - 36.005).abs() < 1e-9 && (m.long - 103.805).abs() < 1e-9);
        assert_eq!(parse_features(&feature).unwrap()[0].0["code"], "G1");
        for bad in [
            "",
            "not json",
            r#"{"type":"Point","coordinates":[103.8,36.0]}"#,
            r#"{"type":"Polygon","coordinates":[[[103.8,36.0],[103.81,36.0],[103.8,36.0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[103.8,96.0],[103.81,36.0],[103.81,36.01],[103.8,36.01]]]}"#,
            r#"{"type":"Polygon","coordinates":[[["a",36.0],[103.81,36.0],[103.81,36.01],[103.8,36.01]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[]}"#,
        ] {
            assert!(parse_area(bad).is_err(), "{bad}");
        }
        let two = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null},{"type":"Feature","geometry":null}]}"#;
        assert_eq!(parse_area(two).unwrap_err().key, "map.one_feature");
    }

    #[test]
    fn points_keep_their_tenth_of_a_metre() {
        let p = Point::from_e6(36_061_100, 103_834_300);
        assert_eq!(p.to_e6(), (36_061_100, 103_834_300));
        assert!(p.is_valid() && !Point { lat: 91.0, long: 0.0 }.is_valid());
        assert!(!Point {
            lat: f64::NAN,
            long: 0.0
        }
        .is_valid());
        assert_eq!(Datum::parse("GCJ-02"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("mars"), None);
    }
}
