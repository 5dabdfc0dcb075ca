//! What a map shows, as modules give it: layers of shapes (grids) and points (buildings,
//! appeals, care households, activities), each with its words and its link, already filtered to
//! what the reader may see; and the community's tile settings, which say what is drawn under
//! them. The web layer draws one map from every module's layers (`Module::map_layers`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Message;
use crate::geo::{Datum, Point};
use crate::settings::{Kind, Setting};

/// A shape or a place.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Shape {
    /// Rings of points: the first the outline, any others holes; several polygons for a grid in
    /// parts. Stored points (WGS-84) until drawn.
    Area {
        polygons: Vec<Vec<Vec<Point>>>,
    },
    Point {
        at: Point,
    },
}

/// One thing on a map.
#[derive(Clone, Debug, Serialize)]
pub struct Feature {
    pub shape: Shape,
    /// What it is, in the reader's language (a grid's name; an appeal's number and category).
    pub label: String,
    /// A second line: its state, when, who.
    pub detail: String,
    /// Its page, or empty.
    pub href: String,
    /// How it is drawn: a chip's tone (`new`, `progress`, `overdue`, `done`…) or the layer's.
    pub tone: &'static str,
}

/// A choice that narrows a layer (an appeal's category, status, month), sent as `name=value`
/// with the map's address, so the filtered map works without scripts.
#[derive(Clone, Debug, Serialize)]
pub struct Filter {
    pub name: &'static str,
    /// Already translated.
    pub label: String,
    /// `(value, words)`; the first is usually `("", 全部)`.
    pub options: Vec<(String, String)>,
    pub chosen: String,
}

/// A layer of a map, shown or hidden as a whole.
#[derive(Clone, Debug, Serialize)]
pub struct Layer {
    /// Unique across modules (`appeals`, `grids`).
    pub key: &'static str,
    /// Already translated.
    pub label: String,
    /// How its points are drawn (a CSS class of the design system: `building`, `care`…).
    pub style: &'static str,
    pub features: Vec<Feature>,
    pub filters: Vec<Filter>,
    /// Shown when the map opens; the reader can turn it on or off.
    pub shown: bool,
}

/// The map's query (filters by name) as modules read it.
pub type MapQuery = BTreeMap<String, String>;

/// The tiles drawn under a community's maps: 天地图 with a key, any XYZ or WMTS (key-value)
/// server by its URL template, or none, when the map is drawn on a plain background and works
/// without the internet.
pub const TILES: Setting = Setting {
    key: "map.tiles",
    label: "map.setting_tiles",
    hint: "map.setting_tiles_hint",
    kind: Kind::Checked {
        max: 400,
        check: check_tiles,
        show: crate::settings::as_stored,
    },
    default: "",
};

pub const TIANDITU_KEY: Setting = Setting {
    key: "map.tianditu_key",
    label: "map.setting_tianditu_key",
    hint: "map.setting_tianditu_key_hint",
    kind: Kind::Text { max: 64 },
    default: "",
};

/// The datum a custom server's tiles are drawn in; 天地图's are WGS-84 (CGCS2000).
pub const DATUM: Setting = Setting {
    key: "map.datum",
    label: "map.setting_datum",
    hint: "map.setting_datum_hint",
    kind: Kind::Checked {
        max: 10,
        check: check_datum,
        show: crate::settings::as_stored,
    },
    default: "wgs84",
};

pub const ATTRIBUTION: Setting = Setting {
    key: "map.attribution",
    label: "map.setting_attribution",
    hint: "map.setting_attribution_hint",
    kind: Kind::Text { max: 200 },
    default: "",
};

pub const SETTINGS: [Setting; 4] = [TILES, TIANDITU_KEY, DATUM, ATTRIBUTION];

/// `tianditu`, or an `http(s)://` template with `{z}`, `{x}` and `{y}` (`{s}` for subdomains),
/// or nothing.
fn check_tiles(v: &str) -> std::result::Result<String, Message> {
    let v = v.trim();
    if v.is_empty() || v == "tianditu" || v == "天地图" {
        return Ok(if v.is_empty() {
            String::new()
        } else {
            "tianditu".to_owned()
        });
    }
    let web = v.starts_with("https://") || v.starts_with("http://");
    let placed = ["{z}", "{x}", "{y}"].iter().all(|p| v.contains(p));
    if !web || !placed || v.contains(char::is_whitespace) || v.contains(['"', '<', '>']) {
        return Err(Message::new("map.bad_tiles"));
    }
    Ok(v.to_owned())
}

fn check_datum(v: &str) -> std::result::Result<String, Message> {
    Datum::parse(v)
        .map(|d| d.as_str().to_owned())
        .ok_or_else(|| Message::new("map.bad_datum"))
}

/// What the browser needs to draw the tiles.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Tiles {
    /// Layers drawn in order (天地图's map, then its labels); none for a plain background.
    pub urls: Vec<String>,
    pub subdomains: String,
    pub attribution: String,
    /// The origins the tiles come from, for the page's content security policy.
    #[serde(skip)]
    pub origins: Vec<String>,
    pub datum: Option<Datum>,
}

impl Tiles {
    /// The tiles from a community's settings (`map.*`, stored forms).
    pub fn from_settings(tiles: &str, key: &str, datum: &str, attribution: &str) -> Tiles {
        let (urls, subdomains, datum, attribution) = match tiles {
            "" => return Tiles::default(),
            "tianditu" if key.trim().is_empty() => return Tiles::default(),
            "tianditu" => {
                let layer = |l: &str| {
                    format!(
                        "https://t{{s}}.tianditu.gov.cn/{l}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0\
                         &LAYER={l}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}\
                         &TILECOL={{x}}&tk={}",
                        key.trim()
                    )
                };
                (
                    vec![layer("vec"), layer("cva")],
                    "01234567".to_owned(),
                    Datum::Wgs84,
                    "天地图".to_owned(),
                )
            }
            url => (
                vec![url.to_owned()],
                "abc".to_owned(),
                Datum::parse(datum).unwrap_or(Datum::Wgs84),
                attribution.to_owned(),
            ),
        };
        let origins = urls.iter().filter_map(|u| origin(u, &subdomains)).collect::<Vec<_>>();
        Tiles {
            urls,
            subdomains,
            attribution,
            origins: dedup(origins),
            datum: Some(datum),
        }
    }

    /// The datum points are drawn in: the tiles', or WGS-84 on a plain background.
    pub fn datum(&self) -> Datum {
        self.datum.unwrap_or(Datum::Wgs84)
    }
}

/// Where a community's maps open when they have nothing of their own to show: the middle of
/// its placed buildings, else of its first drawn grid.
pub async fn centre(state: &crate::AppState, community_id: i64) -> crate::Result<Option<Point>> {
    let mean: Option<(Option<f64>, Option<f64>)> = yijia_db::on_db!(&state.db, |p| sqlx::query_as(
        "select avg(cast(lat_e6 as double precision)), avg(cast(long_e6 as double precision)) from building \
         where community_id = $1 and retired_at is null and lat_e6 is not null"
    )
    .bind(community_id)
    .fetch_optional(p)
    .await?);
    if let Some((Some(lat), Some(long))) = mean {
        return Ok(Some(Point {
            lat: lat / 1e6,
            long: long / 1e6,
        }));
    }
    let first: Option<String> = yijia_db::on_db!(&state.db, |p| sqlx::query_scalar(
        "select boundary from grid where community_id = $1 and retired_at is null and boundary is not null \
         order by code limit 1"
    )
    .bind(community_id)
    .fetch_optional(p)
    .await?);
    Ok(first
        .and_then(|b| crate::geo::parse_area(&b).ok())
        .and_then(|a| crate::geo::middle(&a)))
}

/// `scheme://host[:port]` of a template, each subdomain written out (CSP takes no `{s}`).
fn origin(url: &str, subdomains: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?']).next()?;
    if host.contains("{s}") {
        let all: Vec<String> = subdomains
            .chars()
            .map(|s| format!("{scheme}://{}", host.replace("{s}", &s.to_string())))
            .collect();
        return Some(all.join(" "));
    }
    Some(format!("{scheme}://{host}"))
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_tianditu_a_template_or_none() {
        assert_eq!(check_tiles("").as_deref(), Ok(""));
        assert_eq!(check_tiles("天地图").as_deref(), Ok("tianditu"));
        assert!(check_tiles("https://tiles.example/{z}/{x}/{y}.png").is_ok());
        assert!(check_tiles("https://tiles.example/{z}/{x}.png").is_err(), "no {{y}}");
        assert!(check_tiles("ftp://tiles.example/{z}/{x}/{y}").is_err());
        assert!(check_tiles("https://x/{z}/{x}/{y}\" onerror=\"").is_err());
        assert_eq!(check_datum("GCJ-02").as_deref(), Ok("gcj02"));
        assert!(check_datum("bd09").is_err());
    }

    #[test]
    fn tianditu_needs_its_key_and_names_its_hosts() {
        assert!(Tiles::from_settings("tianditu", "", "", "").urls.is_empty());
        let t = Tiles::from_settings("tianditu", "abc123", "gcj02", "");
        assert_eq!(t.urls.len(), 2, "the map and its labels");
        assert!(t.urls[0].contains("tk=abc123") && t.urls[0].contains("TILEMATRIX={z}"));
        assert_eq!(
            t.datum(),
            Datum::Wgs84,
            "天地图 is CGCS2000 whatever the datum setting says"
        );
        assert!(t.origins[0].starts_with("https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn"));
        let own = Tiles::from_settings("http://127.0.0.1:8099/{z}/{x}/{y}.png", "", "gcj02", "测试");
        assert_eq!(own.origins, ["http://127.0.0.1:8099"]);
        assert_eq!(own.datum(), Datum::Gcj02);
        assert_eq!(Tiles::default().datum(), Datum::Wgs84);
    }
}
