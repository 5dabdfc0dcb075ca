//! Maps, charts and the district page, read as their users read them: what a page's map and
//! charts hold (the `data-map` and `data-chart` the browser draws), who sees which layer, and
//! what a boundary, a place or a file of boundaries does when it is right and when it is not.

use serde_json::{json, Value};
use yijia_kernel::geo::{wgs84_to_gcj02, Point};
use yijia_testkit::{Client, TestApp};

use crate::appeals::{as_user, catalogue, raise, unit_in};
use crate::{demo_app, grid_id, PW};

/// An attribute's value as the browser reads it (askama escapes it).
fn attribute(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("{name}=\""))? + name.len() + 2;
    let end = start + html[start..].find('"')?;
    Some(unescape(&html[start..end]))
}

/// Text as it was before HTML escaped it (named and numeric entities).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find(';') else { break };
        let entity = &rest[at + 1..at + end];
        let ch = match entity {
            "quot" => Some('"'),
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[at + end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The map a page draws.
fn map_of(html: &str) -> Value {
    serde_json::from_str(&attribute(html, "data-map").unwrap()).unwrap()
}

/// How many features the layer `key` of a map holds (`None`: no such layer).
fn count(map: &Value, key: &str) -> Option<usize> {
    map["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == key)
        .map(|l| l["features"].as_array().unwrap().len())
}

fn says(app: &TestApp, key: &str) -> String {
    app.state.tr(yijia_kernel::i18n::Locale::ZhCn).t(key)
}

/// What a page's textarea holds.
fn textarea(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap();
    let start = at + html[at..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</textarea>").unwrap();
    unescape(&html[start..end])
}

async fn page(c: &mut Client, path: &str) -> String {
    let res = c.get(path).await;
    assert_eq!(res.status, 200, "{path}: {}", res.text());
    res.text()
}

#[tokio::test]
async fn the_community_map_shows_grids_buildings_and_appeals_to_each_within_their_reach() {
    let app = demo_app().await;
    let mut staff = app.signed_in("xlg.staff", PW).await;
    let map = map_of(&page(&mut staff, "/map?community=1").await);
    assert_eq!(count(&map, "grids"), Some(4), "the demo's four grids are drawn");
    assert_eq!(count(&map, "buildings"), Some(14));
    let appeals = count(&map, "appeals").unwrap();
    assert!(appeals > 0, "this month's appeals are pinned at their buildings");
    assert!(
        map["tiles"]["urls"].as_array().unwrap().is_empty(),
        "no tiles set: a plain background"
    );

    // The grid worker of G01 sees their own grid and what is in it, nothing of the others.
    let mut worker = app.signed_in("grid1", PW).await;
    let theirs = map_of(&page(&mut worker, "/map").await);
    assert_eq!(count(&theirs, "grids"), Some(1));
    assert_eq!(count(&theirs, "buildings"), Some(4));
    assert!(count(&theirs, "appeals").unwrap() < appeals);

    // Care households: staff see all of them, hidden until asked for; the grid worker theirs.
    let care = count(&map, "care").unwrap();
    assert!(care > 0, "the demo's paired households");
    let care_layer = map["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "care")
        .unwrap();
    assert_eq!(care_layer["shown"], false);
    assert!(care_layer["features"][0]["href"]
        .as_str()
        .unwrap()
        .starts_with("/care/pairings/"));
    assert!(count(&theirs, "care").unwrap() < care);
    assert!(count(&map, "activities").is_some(), "the month's volunteer activities");

    // A resident sees the activities she may sign up to, and nothing of the structure, of
    // other people's appeals or of anyone's care.
    let mut resident = app.signed_in("resident1", PW).await;
    let hers = map_of(&page(&mut resident, "/map").await);
    let keys: Vec<&str> = hers["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["activities"]);
}

#[tokio::test]
async fn the_appeals_layer_narrows_by_category_state_and_month() {
    let app = demo_app().await;
    let mut desk = as_user(&app, "xlg.staff").await;
    let (cats, _) = catalogue(&mut desk).await;
    let unit = unit_in(&app, "G02").await;
    // A lamp placed by the phone's own point, on GCJ-02 tiles: kept as WGS-84.
    let here = Point {
        lat: 36.1031,
        long: 103.6301,
    };
    let shown = wgs84_to_gcj02(here);
    let lamp = raise(
        &mut desk,
        &cats["sanitation"],
        unit,
        json!({ "lat": format!("{:.7}", shown.lat), "long": format!("{:.7}", shown.long), "datum": "gcj02", "channel": "phone" }),
    )
    .await;
    let kept = app.state.db.clone();
    let id = lamp["appeal_id"].as_i64().unwrap();
    let (lat, long): (i64, i64) = yijia_db::on_db!(&kept, |p| sqlx::query_as(
        "select lat_e6, long_e6 from appeal where appeal_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await
    .unwrap());
    assert!(
        (lat - 36_103_100).abs() <= 1 && (long - 103_630_100).abs() <= 1,
        "{lat}, {long}"
    );

    let mut staff = app.signed_in("xlg.staff", PW).await;
    let all = count(&map_of(&page(&mut staff, "/map?community=1").await), "appeals").unwrap();
    let cat = cats["sanitation"]["category_id"].as_i64().unwrap();
    let lamps = map_of(&page(&mut staff, &format!("/map?community=1&category={cat}")).await);
    let lamp_pins = lamps["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "appeals")
        .unwrap()["features"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!lamp_pins.is_empty() && lamp_pins.len() < all);
    assert!(lamp_pins.iter().any(|f| f["href"] == format!("/appeals/{id}")));
    // With no tiles the map is drawn in WGS-84: the lamp's own point, unmoved.
    let pin = lamp_pins
        .iter()
        .find(|f| f["href"] == format!("/appeals/{id}"))
        .unwrap();
    assert!((pin["shape"]["at"]["lat"].as_f64().unwrap() - here.lat).abs() < 1e-6);
    let finished = count(
        &map_of(&page(&mut staff, "/map?community=1&state=finished").await),
        "appeals",
    )
    .unwrap();
    let open = count(
        &map_of(&page(&mut staff, "/map?community=1&state=open").await),
        "appeals",
    )
    .unwrap();
    assert_eq!(finished + open, all, "every appeal is finished or not");
    let long_ago = map_of(&page(&mut staff, "/map?community=1&month=2020-01").await);
    assert_eq!(count(&long_ago, "appeals"), Some(0));
    // A made-up filter is ignored, not an error.
    let odd = map_of(&page(&mut staff, "/map?community=1&category=abc&state=%3Cx%3E").await);
    assert_eq!(count(&odd, "appeals"), Some(all));
}

#[tokio::test]
async fn an_administrator_draws_a_grids_boundary_and_a_bad_one_changes_nothing() {
    let app = demo_app().await;
    let g = grid_id(&app, "G03").await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let before = attribute(&page(&mut admin, &format!("/structure/grids/{g}")).await, "data-map").unwrap();

    // Drawn on GCJ-02 tiles: the map names the datum, and the stored outline is WGS-84.
    let corners = [
        (103.6300, 36.1050),
        (103.6330, 36.1050),
        (103.6330, 36.1070),
        (103.6300, 36.1070),
    ];
    let gcj: Vec<[f64; 2]> = corners
        .iter()
        .map(|(long, lat)| {
            let p = wgs84_to_gcj02(Point { lat: *lat, long: *long });
            [p.long, p.lat]
        })
        .collect();
    let drawn = json!({ "type": "Polygon", "coordinates": [gcj] }).to_string();
    let saved = admin
        .post_form(
            &format!("/structure/grids/{g}/boundary"),
            &[("area", &drawn), ("datum", "gcj02")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let html = page(&mut admin, &format!("/structure/grids/{g}")).await;
    assert!(
        html.contains(&says(&app, "structure.boundary_saved")),
        "the page says what was done"
    );
    let stored: Value = serde_json::from_str(&textarea(&html, "boundary-area")).unwrap();
    let first = &stored["coordinates"][0][0][0];
    assert!((first[0].as_f64().unwrap() - 103.6300).abs() < 1e-6, "{first}");
    assert!((first[1].as_f64().unwrap() - 36.1050).abs() < 1e-6, "{first}");

    for (bad, why) in [
        ("{\"type\":\"Point\",\"coordinates\":[103.6,36.1]}", "map.bad_geojson"),
        ("not json at all", "map.bad_geojson"),
        (
            "{\"type\":\"Polygon\",\"coordinates\":[[[103.6,36.1],[103.7,36.1],[103.6,36.1]]]}",
            "map.bad_geojson",
        ),
    ] {
        let refused = admin
            .post_form(&format!("/structure/grids/{g}/boundary"), &[("area", bad)])
            .await;
        assert_eq!(refused.status, 422, "{bad}");
        assert!(refused.text().contains(&says(&app, why)), "{bad}");
    }
    let after = page(&mut admin, &format!("/structure/grids/{g}")).await;
    assert!(after.contains("36.105"), "the refused outlines left the saved one");
    assert_ne!(before, attribute(&after, "data-map").unwrap());

    // A grid worker reads the grid's map but cannot redraw it.
    let mut worker = app.signed_in("grid1", PW).await;
    let g1 = grid_id(&app, "G01").await;
    let theirs = map_of(&page(&mut worker, &format!("/structure/grids/{g1}")).await);
    assert!(theirs["edit"].is_null());
    let denied = worker
        .post_form(&format!("/structure/grids/{g1}/boundary"), &[("area", "")])
        .await;
    assert!(denied.status == 403 || denied.status == 404, "{}", denied.status);
}

#[tokio::test]
async fn a_buildings_place_is_typed_or_picked_and_half_a_point_is_refused() {
    let app = demo_app().await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let mut api = as_user(&app, "xlg.admin").await;
    let g = grid_id(&app, "G04").await;
    let b = api.get(&format!("/api/v1/grids/{g}/buildings")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    // Typed on a Chinese keyboard: full-width digits.
    let typed = admin
        .post_form(
            &format!("/structure/buildings/{b}/place"),
            &[("lat", "３６.１０３"), ("long", "１０３.６３２")],
        )
        .await;
    assert_eq!(typed.status, 303, "{}", typed.text());
    let map = map_of(&page(&mut admin, &format!("/structure/buildings/{b}")).await);
    assert!((map["pick"]["at"]["lat"].as_f64().unwrap() - 36.103).abs() < 1e-9);
    let half = admin
        .post_form(
            &format!("/structure/buildings/{b}/place"),
            &[("lat", "36.2"), ("long", "")],
        )
        .await;
    assert_eq!(half.status, 422);
    assert!(half.text().contains(&says(&app, "map.point_incomplete")));
    let far = admin
        .post_form(
            &format!("/structure/buildings/{b}/place"),
            &[("lat", "136.2"), ("long", "103")],
        )
        .await;
    assert_eq!(far.status, 422);
    assert!(far.text().contains(&says(&app, "map.bad_coordinate")));
    let map = map_of(&page(&mut admin, &format!("/structure/buildings/{b}")).await);
    assert!(
        (map["pick"]["at"]["lat"].as_f64().unwrap() - 36.103).abs() < 1e-9,
        "unchanged"
    );
}

#[tokio::test]
async fn a_file_of_boundaries_fills_the_grids_it_names_and_a_file_naming_none_is_refused() {
    let app = demo_app().await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let square = |west: f64| json!({ "type": "Polygon", "coordinates": [[[west, 36.2], [west + 0.01, 36.2], [west + 0.01, 36.21], [west, 36.21], [west, 36.2]]] });
    let file = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "网格编码": "G01" }, "geometry": square(103.60) },
        { "type": "Feature", "properties": { "name": "第二网格（海亮小区南）" }, "geometry": square(103.62) },
        { "type": "Feature", "properties": { "name": "别的社区的网格" }, "geometry": square(103.64) },
        { "type": "Feature", "properties": { "name": "一个点" }, "geometry": { "type": "Point", "coordinates": [103.6, 36.2] } },
    ]});
    let bytes = format!("\u{feff}{file}");
    let done = admin
        .post_file(
            "/structure/communities/1/boundaries",
            "file",
            "网格.geojson",
            bytes.as_bytes(),
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text());
    let html = page(&mut admin, "/structure/communities/1").await;
    assert!(
        html.contains("第一网格（海亮小区北）、第二网格（海亮小区南）"),
        "the flash names the grids"
    );
    assert!(html.contains("别的社区的网格"), "and the feature that named none");
    let g1 = grid_id(&app, "G01").await;
    assert!(page(&mut admin, &format!("/structure/grids/{g1}"))
        .await
        .contains("103.6"));

    let none = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "code": "X99" }, "geometry": square(103.0) } ]});
    let refused = admin
        .post_file(
            "/structure/communities/1/boundaries",
            "file",
            "x.geojson",
            none.to_string().as_bytes(),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text().contains(&says(&app, "structure.no_grid_matched")));
    let garbage = admin
        .post_file(
            "/structure/communities/1/boundaries",
            "file",
            "x.geojson",
            &[0xff, 0xfe, 0x00],
        )
        .await;
    assert_eq!(garbage.status, 422);
    let mut staff = app.signed_in("xlg.staff", PW).await;
    let denied = staff
        .post_file(
            "/structure/communities/1/boundaries",
            "file",
            "网格.geojson",
            file.to_string().as_bytes(),
        )
        .await;
    assert!(denied.status == 403 || denied.status == 404, "{}", denied.status);
}

#[tokio::test]
async fn tiles_from_a_setting_reach_the_map_and_the_pages_policy() {
    let app = demo_app().await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let bad = admin
        .post_form(
            "/structure/communities/1/settings",
            &[("map.tiles", "https://tiles.example/{z}/{x}.png")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains(&says(&app, "map.bad_tiles").replace('"', "&quot;")) || bad.text().contains("{z}"));
    let saved = admin
        .post_form(
            "/structure/communities/1/settings",
            &[
                ("map.tiles", "http://127.0.0.1:8099/{z}/{x}/{y}.png"),
                ("map.datum", "GCJ-02"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let res = admin.get("/map?community=1").await;
    let csp = res.header("content-security-policy").unwrap();
    assert!(
        csp.contains("img-src 'self' data: blob: http://127.0.0.1:8099"),
        "{csp}"
    );
    let map = map_of(&res.text());
    assert_eq!(map["tiles"]["urls"][0], "http://127.0.0.1:8099/{z}/{x}/{y}.png");
    assert_eq!(map["tiles"]["datum"], "gcj02");
    // Points are sent in the tiles' datum: a building moves some hundreds of metres.
    let building = map["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "buildings")
        .unwrap()["features"][0]["shape"]["at"]
        .clone();
    let lat = building["lat"].as_f64().unwrap();
    assert!((lat - 36.10325).abs() > 1e-4, "shifted into GCJ-02: {lat}");
    // Other pages keep the strict policy.
    let home = admin.get("/").await;
    assert!(!home.header("content-security-policy").unwrap().contains("8099"));
}

#[tokio::test]
async fn the_rates_page_charts_a_year_and_exports_each_chart() {
    let app = demo_app().await;
    let mut staff = app.signed_in("xlg.staff", PW).await;
    let html = page(&mut staff, "/appeals/rates?community=1").await;
    let chart: Value = serde_json::from_str(&attribute(&html, "data-chart").unwrap()).unwrap();
    assert_eq!(chart["id"], "trend");
    assert_eq!(chart["labels"].as_array().unwrap().len(), 12, "a year of months");
    assert_eq!(chart["series"].as_array().unwrap().len(), 4, "the four rates");
    assert!(
        html.contains("<table class=\"cards\">"),
        "the figures as a table beside the chart"
    );
    let xlsx = staff.get("/appeals/rates?community=1&export=by_category").await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.header("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(xlsx.body.starts_with(b"PK"), "a zip, as .xlsx is");
    assert_eq!(staff.get("/appeals/rates?community=1&export=nothing").await.status, 404);
}

#[tokio::test]
async fn a_supervisor_compares_the_districts_communities_and_a_resident_cannot() {
    let app = demo_app().await;
    let mut supervisor = app.signed_in("xigu.supervisor", PW).await;
    let html = unescape(&page(&mut supervisor, "/district?figure=appeals.count").await);
    assert!(html.contains("西柳沟社区"));
    assert!(
        html.contains("href=\"/appeals/rates?community=1\""),
        "a figure leads to its report"
    );
    assert!(html.contains("class=\"spark\""), "each community has its trend");
    let ranked = page(&mut supervisor, "/district?figure=appeals.satisfaction&month=2026-11").await;
    assert!(ranked.contains("<option value=\"appeals.satisfaction\" selected>"));
    let xlsx = supervisor.get("/district?figure=appeals.count&export=ranking").await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(supervisor.get("/district?month=2026-13").await.status, 422);
    let mut resident = app.signed_in("resident1", PW).await;
    assert_eq!(resident.get("/district").await.status, 404);
    let mut staff = app.signed_in("xlg.staff", PW).await;
    assert_eq!(
        staff.get("/district").await.status,
        404,
        "a community's staff compares nothing"
    );
}
