//! The report pages' charts and the modules' figures, as their readers meet them: each chart's
//! table holds the figures of known test data, each chart leaves as an .xlsx of its own (an id
//! no chart has is not found), and a module's figures for the district's comparison hold the
//! same numbers, for those who may read that module's reports and no one else.

use yijia_care::commands::pairing::{self, PairInput};
use yijia_care::commands::visit::{self, VisitInput};
use yijia_care::model::VisitState;
use yijia_council::commands::ballot::{self, HandsInput};
use yijia_council::commands::topic::{self, TopicInput};
use yijia_council::commands::vote::{self, VoteInput};
use yijia_db::on_db;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Locale;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{months, Actor, Figure, Role};
use yijia_testkit::{TestApp, TestResponse};
use yijia_volunteers::commands::activity::{self, ActivityInput};
use yijia_volunteers::commands::profile::{self, ProfileInput};
use yijia_volunteers::commands::team::{self, TeamInput};
use yijia_volunteers::commands::{attendance, signup};

use crate::support::*;
use crate::{demo_app, PW};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// ---------------------------------------------------------------------------------------------
// Helpers

/// The rows of the table that follows `marker` on a page (a chart's `id="chart-…"`, a table's
/// `id="…"`): the heading row first, each row's cells as text, its label first.
fn table_after(html: &str, marker: &str) -> Vec<Vec<String>> {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} is not on the page"));
    let rest = &html[start..];
    let table = &rest[..rest.find("</table>").unwrap_or(rest.len())];
    table.split("<tr").skip(1).map(cells).collect()
}

/// The text of the `<th>` and `<td>` cells of one row.
fn cells(row: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = row;
    while let Some(i) = rest.find("<t") {
        let tag = &rest[i + 2..];
        rest = tag;
        if !(tag.starts_with("h ") || tag.starts_with("h>") || tag.starts_with("d ") || tag.starts_with("d>")) {
            continue;
        }
        let open = tag.find('>').unwrap();
        let close = tag.find("</t").unwrap();
        out.push(tag[open + 1..close].trim().to_owned());
        rest = &tag[close..];
    }
    out
}

/// A chart's table on a page.
fn chart(html: &str, id: &str) -> Vec<Vec<String>> {
    assert!(
        html.contains(&format!("<figure class=\"chart card\" id=\"chart-{id}\"")),
        "the page draws the chart {id}"
    );
    table_after(html, &format!("id=\"chart-{id}\""))
}

/// The cell of a table in the row labelled `row` and the column headed `col`.
#[track_caller]
fn cell(table: &[Vec<String>], row: &str, col: &str) -> String {
    let head = &table[0];
    let j = head
        .iter()
        .position(|h| h == col)
        .unwrap_or_else(|| panic!("no column {col} in {head:?}"));
    let r = table
        .iter()
        .skip(1)
        .find(|r| r[0] == row)
        .unwrap_or_else(|| panic!("no row {row} in {table:?}"));
    r[j].clone()
}

/// The first sheet of a workbook, as text.
fn sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .collect()
}

/// A chart exported from its page: the workbook's first sheet.
#[track_caller]
fn exported(res: &TestResponse, stem: &str, id: &str) -> Vec<Vec<String>> {
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type").as_deref(), Some(XLSX));
    let name = res.header("content-disposition").unwrap_or_default();
    assert!(
        name.contains(stem) && name.ends_with(&format!("-{id}.xlsx\"")),
        "{name}"
    );
    sheet(&res.body)
}

/// A module's figures for a community, as the district page asks for them.
async fn figures(
    app: &TestApp,
    module: &str,
    actor: &Actor,
    c: &CommunityAt,
    asked: &[jiff::civil::Date],
) -> Vec<Figure> {
    let m = app.state.modules.iter().find(|m| m.name() == module).unwrap();
    let tr = app.state.tr(Locale::ZhCn);
    m.figures(&app.state, actor, c, asked, &tr).await.unwrap()
}

#[track_caller]
fn figure<'a>(list: &'a [Figure], key: &str) -> &'a Figure {
    list.iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no figure {key}"))
}

fn month(s: &str) -> jiff::civil::Date {
    months::parse(s).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Volunteers

#[tokio::test]
async fn the_volunteer_report_charts_a_teams_hours_by_month_and_the_figures_count_them() {
    let app = demo_app().await;
    let c = xlg(&app).await;
    let staff = demo_user(&app, "xlg.staff").await;
    let admin = demo_user(&app, "xlg.admin").await;
    let team_id = team::create(
        &app.state,
        &staff,
        &TeamInput {
            name: "图表测试队".into(),
            ..TeamInput::default()
        },
    )
    .await
    .unwrap();
    let me = person(&app, "vol.chart", Role::Volunteer).await;
    let input = ProfileInput {
        name: "图表志愿者".into(),
        birth_date: "1990-01-01".into(),
        ..ProfileInput::default()
    };
    profile::register(&app.state, &me, &input).await.unwrap();
    let plan = ActivityInput {
        team: team_id.to_string(),
        title: "图表测试活动".into(),
        kind: "culture".into(),
        place: "西柳沟社区驿站".into(),
        starts: "2026-12-05T09:00".into(),
        ends: "2026-12-05T10:30".into(),
        points_per_hour: "10".into(),
        ..ActivityInput::default()
    };
    let a = activity::create(&app.state, &staff, &plan).await.unwrap();
    let shift = yijia_volunteers::repo::shifts(app.handle(), a).await.unwrap()[0].shift_id;
    let (signup_id, _) = signup::sign_up(&app.state, &me, a, shift).await.unwrap();
    clock_to(&app, at("2026-12-06T12:00"));
    let asked = months::ending(month("2026-12"), 2);
    let before = figures(&app, "volunteers", &admin, &c, &asked).await;
    attendance::record(&app.state, &staff, signup_id, "90", "补录")
        .await
        .unwrap();
    let after = figures(&app, "volunteers", &admin, &c, &asked).await;

    // December gains the hour and a half and one more volunteer; November is as it was.
    let hours = |f: &[Figure]| figure(f, "volunteers.service_hours").values.clone();
    let people = |f: &[Figure]| figure(f, "volunteers.active_volunteers").values.clone();
    assert_eq!(hours(&after)[0], hours(&before)[0]);
    assert!((hours(&after)[1].unwrap() - hours(&before)[1].unwrap() - 1.5).abs() < 1e-9);
    assert_eq!(people(&after)[1].unwrap() - people(&before)[1].unwrap(), 1.0);
    let f = figure(&after, "volunteers.service_hours");
    assert_eq!((f.unit.as_str(), f.higher_is_better), ("小时", true));
    assert_eq!(f.href, format!("/volunteers/reports?community={}", c.community_id));
    // December's figure is the month's report.
    let december = yijia_volunteers::reports::build(&app.state, &c, 2026, Some(12))
        .await
        .unwrap();
    assert_eq!(
        hours(&after)[1],
        Some(yijia_volunteers::reports::hours(december.total.total))
    );

    let mut page = app.signed_in("xlg.admin", PW).await;
    let res = page.get("/volunteers/reports?year=2026").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let html = res.text();
    let by_team = chart(&html, "hours_by_team");
    assert_eq!(by_team.len(), 13, "a heading and twelve months");
    assert_eq!(cell(&by_team, "12月", "图表测试队（小时）"), "1.5");
    assert_eq!(cell(&by_team, "11月", "图表测试队（小时）"), "0.0");
    let held = chart(&html, "held");
    assert_eq!(held[0], ["月份", "开展活动（场）"]);
    for id in ["hours_by_grid", "people"] {
        chart(&html, id);
    }
    // The period's totals stay beside the charts, the team's among them.
    let totals = table_after(&html, "<h2>按队伍</h2>");
    assert_eq!(cell(&totals, "图表测试队", "服务时长（小时）"), "1.5");
    assert!(html.contains("data-testid=\"total-hours\""));

    // A chart as a workbook: its months down, its teams across.
    let book = exported(
        &page.get("/volunteers/reports?year=2026&export=hours_by_team").await,
        "volunteer-hours-XLG-2026",
        "hours_by_team",
    );
    assert_eq!(cell(&book, "12月", "图表测试队（小时）"), "1.5");
    assert_eq!(page.get("/volunteers/reports?year=2026&export=nope").await.status, 404);
    // The report's own workbook is still there, and one month's page charts that month.
    let xlsx = page.get("/volunteers/reports.xlsx?year=2026").await;
    assert_eq!((xlsx.status, xlsx.header("content-type").as_deref()), (200, Some(XLSX)));
    let one = page.get("/volunteers/reports?year=2026&month=12").await.text();
    assert_eq!(cell(&chart(&one, "hours_by_team"), "12月", "图表测试队（小时）"), "1.5");

    // Who does not read the reports has no figures.
    let volunteer = demo_user(&app, "volunteer1").await;
    assert!(figures(&app, "volunteers", &volunteer, &c, &asked).await.is_empty());
    assert!(figures(&app, "volunteers", &me, &c, &asked).await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Care

/// The demo at 2026-12-20, with (`with_pairing`) a waiting household paired on 2026-11-27 for a
/// weekly visit, visited on time on 12-03 and not since: one visit due in December on time
/// (12-04), one late (12-10).
async fn care_demo(with_pairing: bool) -> TestApp {
    let app = demo_app().await;
    if with_pairing {
        let staff = demo_user(&app, "xlg.staff").await;
        let party = demo_user(&app, "party1").await;
        let c = xlg(&app).await;
        let cov = yijia_care::view::coverage(&app.state, &staff, &c, "zh-CN")
            .await
            .unwrap();
        let h = cov.households.iter().find(|h| h.state == VisitState::Unpaired).unwrap();
        let pair = PairInput {
            household: h.household_id.to_string(),
            carer: party.account_id.unwrap().to_string(),
            interval_days: "7".into(),
            ..PairInput::default()
        };
        let id = pairing::pair(&app.state, &staff, &pair).await.unwrap();
        clock_to(&app, at("2026-12-03T12:00"));
        let met = VisitInput {
            outcome: "met".into(),
            ..VisitInput::default()
        };
        visit::log(&app.state, &party, id, &met).await.unwrap();
    }
    clock_to(&app, at("2026-12-20T12:00"));
    app
}

#[tokio::test]
async fn the_care_report_charts_coverage_and_visits_on_time_and_the_figures_follow_each_visit_due() {
    let without = care_demo(false).await;
    let app = care_demo(true).await;
    let c = xlg(&app).await;
    let admin = demo_user(&app, "xlg.admin").await;
    let asked = months::ending(month("2026-12"), 2);
    let base = yijia_care::trend::months(&without.state, &c, &CommunityReach::All, &asked)
        .await
        .unwrap();
    let year = yijia_care::trend::months(&app.state, &c, &CommunityReach::All, &asked)
        .await
        .unwrap();
    assert_eq!((year[1].due - base[1].due, year[1].on_time - base[1].on_time), (2, 1));
    assert_eq!((year[0].due, year[0].on_time), (base[0].due, base[0].on_time));
    for (m, b) in year.iter().zip(&base) {
        assert_eq!(m.paired.unwrap() - b.paired.unwrap(), 1, "paired since 11-27");
    }

    let f = figures(&app, "care", &admin, &c, &asked).await;
    let on_time = figure(&f, "care.visits_on_time");
    assert_eq!(on_time.unit, "%");
    assert_eq!(
        on_time.values,
        year.iter().map(|m| m.on_time_rate()).collect::<Vec<_>>()
    );
    assert!(on_time.values[1].is_some());
    let paired = figure(&f, "care.paired_households");
    assert_eq!(paired.values[1], year[1].paired.map(|n| n as f64));

    let mut staff = app.signed_in("xlg.staff", PW).await;
    let res = staff.get("/care/reports").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let html = res.text();
    let trend = chart(&html, "on_time_trend");
    assert_eq!(trend.len(), 13);
    assert_eq!(
        cell(&trend, "2026-12", "按时走访率（%）"),
        format!("{:.1}", on_time.values[1].unwrap())
    );
    let pairs = chart(&html, "paired_trend");
    assert_eq!(
        cell(&pairs, "2026-12", "结对户数（户）"),
        year[1].paired.unwrap().to_string()
    );
    // Each grid's households, in three parts, add up to the table's count of them.
    let by_grid = chart(&html, "coverage_by_grid");
    let table = table_after(&html, "id=\"by-grid\"");
    let grid = "第一网格（海亮小区北）";
    let parts: i64 = ["按时走访（户）", "已结对未按时走访（户）", "未结对（户）"]
        .iter()
        .map(|col| cell(&by_grid, grid, col).parse::<i64>().unwrap())
        .sum();
    assert_eq!(parts.to_string(), cell(&table, grid, "困难群体户"));
    assert_eq!(cell(&by_grid, grid, "按时走访（户）"), cell(&table, grid, "按时走访"));
    chart(&html, "coverage_by_group");

    let book = exported(
        &staff.get("/care/reports?export=on_time_trend").await,
        "care-XLG",
        "on_time_trend",
    );
    assert_eq!(book.len(), 13);
    assert_eq!(staff.get("/care/reports?export=nope").await.status, 404);
    assert_eq!(staff.get("/care/reports.xlsx").await.status, 200);

    // A grid worker reads the reports of their grids only, so has no figures of the community;
    // a resident none at all.
    for who in ["grid1", "resident1"] {
        let a = demo_user(&app, who).await;
        assert!(figures(&app, "care", &a, &c, &asked).await.is_empty(), "{who}");
    }
}

// ---------------------------------------------------------------------------------------------
// Council

#[tokio::test]
async fn the_council_report_charts_a_months_topics_and_turnout_for_staff_only() {
    let app = demo_app().await;
    let c = xlg(&app).await;
    let staff = demo_user(&app, "xlg.staff").await;
    let admin = demo_user(&app, "xlg.admin").await;
    // February 2027, a month the demo has nothing in: one topic raised, one show of hands with
    // two of its three electors present.
    clock_to(&app, at("2027-02-10T10:00"));
    let resident = demo_user(&app, "resident1").await;
    let raised = TopicInput {
        community: "1".into(),
        scope_kind: "community".into(),
        scope: String::new(),
        title: "小区路灯不亮".into(),
        body: "东门到三号楼之间的路灯坏了一周，晚上走路看不见。".into(),
    };
    topic::raise(&app.state, &resident, &raised, &[]).await.unwrap();
    let (b, dwellings) = crate::council::building(&app, "CH1", &[9_000, 9_000, 9_000]).await;
    let now = app.state.now_ms();
    for (i, h) in dwellings.iter().enumerate() {
        on_db!(app.handle(), |p| sqlx::query(
            "insert into registry_resident (community_id, household_id, name, gender, birth_date, id_type, relation, \
             residence, created_at, updated_at) values (1, $1, $2, 'male', '1970-01-01', 'none', 'head', \
             'registered_living', $3, $3)"
        )
        .bind(*h)
        .bind(format!("图表居民{i}"))
        .bind(now)
        .execute(p)
        .await
        .map(|_| ())
        .unwrap());
    }
    let input = VoteInput {
        community: "1".into(),
        title: "楼道堆物清理公约".into(),
        kind: "residents".into(),
        scope_kind: "building".into(),
        scope: b.to_string(),
        method: "hands".into(),
        closes_at: "2027-03-01T12:00".into(),
        ..VoteInput::default()
    };
    let id = vote::create(&app.state, &staff, &input).await.unwrap();
    vote::open(&app.state, &staff, id).await.unwrap();
    let hands = HandsInput {
        present: "2".into(),
        approve: "2".into(),
        oppose: "0".into(),
        abstain: "0".into(),
    };
    ballot::hands(&app.state, &staff, id, &hands).await.unwrap();
    ballot::hands(&app.state, &admin, id, &hands).await.unwrap();
    vote::close(&app.state, &staff, id).await.unwrap();

    let asked = months::ending(month("2027-02"), 3);
    let f = figures(&app, "council", &admin, &c, &asked).await;
    let turnout = figure(&f, "council.turnout");
    assert_eq!(turnout.unit, "%");
    assert_eq!(turnout.values[2], Some(200.0 / 3.0));
    assert_eq!(turnout.values[1], None, "no vote closed in January");
    assert_eq!(figure(&f, "council.topics_raised").values[2], Some(1.0));
    let sup = demo_user(&app, "xigu.supervisor").await;
    assert_eq!(figures(&app, "council", &sup, &c, &asked).await.len(), 2);

    let mut page = app.signed_in("xlg.admin", PW).await;
    let home = page.get("/council").await.text();
    assert!(
        home.contains("href=\"/council/report\""),
        "staff find the report in the menu"
    );
    let res = page.get("/council/report?month=2027-02").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let html = res.text();
    let t = chart(&html, "turnout");
    assert_eq!(t.len(), 13);
    assert_eq!(cell(&t, "2027-02", "参与率（%）"), "66.7");
    assert_eq!(cell(&t, "2027-01", "参与率（%）"), "—");
    assert_eq!(cell(&chart(&html, "topics"), "2027-02", "居民说事"), "1");
    let votes = chart(&html, "votes");
    assert_eq!(
        ["结束的表决", "选民", "参与表决"].map(|col| cell(&votes, "2027-02", col)),
        ["1", "3", "2"]
    );
    chart(&html, "meetings");
    let book = exported(
        &page.get("/council/report?month=2027-02&export=turnout").await,
        "council-XLG-2027-02",
        "turnout",
    );
    assert_eq!(
        cell(&book, "2027-02", "参与率（%）").parse::<f64>().unwrap(),
        200.0 / 3.0
    );
    assert_eq!(page.get("/council/report?month=2027-02&export=nope").await.status, 404);
    assert_eq!(page.get("/council/report?month=2027-13").await.status, 422);

    // Residents take part; they do not read the report.
    let mut yang = app.signed_in("resident1", PW).await;
    assert!(!yang.get("/council").await.text().contains("href=\"/council/report\""));
    assert_eq!(yang.get("/council/report").await.status, 404);
    assert!(figures(&app, "council", &resident, &c, &asked).await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Registry

#[tokio::test]
async fn the_registry_numbers_chart_ages_care_groups_and_visits_and_the_figures_count_households_visited() {
    let app = demo_app().await;
    let c = xlg(&app).await;
    let admin = demo_user(&app, "xlg.admin").await;
    let mut page = app.signed_in("xlg.admin", PW).await;
    let band =
        |html: &str, label: &str| -> i64 { cell(&chart(html, "age_bands"), label, "居民（人）").parse().unwrap() };
    let visits = |html: &str, col: &str| -> i64 { cell(&chart(html, "visits"), "2026-11", col).parse().unwrap() };
    let before = page.get("/registry/numbers").await.text();
    let asked = months::ending(month("2026-11"), 2);
    let figures_before = figures(&app, "registry", &admin, &c, &asked).await;

    // Two new dwellings of the first grid: a couple over eighty and a child of six in one, and
    // three visits to them in November.
    let (_, dwellings) = crate::council::building(&app, "CH2", &[0, 0]).await;
    let now = app.state.now_ms();
    for (h, name, born) in [
        (dwellings[0], "图表老人甲", "1940-03-01"),
        (dwellings[0], "图表老人乙", "1942-07-15"),
        (dwellings[1], "图表儿童", "2020-06-01"),
    ] {
        on_db!(app.handle(), |p| sqlx::query(
            "insert into registry_resident (community_id, household_id, name, gender, birth_date, id_type, relation, \
             residence, created_at, updated_at) values (1, $1, $2, 'female', $3, 'none', 'head', \
             'registered_living', $4, $4)"
        )
        .bind(h)
        .bind(name)
        .bind(born)
        .bind(now)
        .execute(p)
        .await
        .map(|_| ())
        .unwrap());
    }
    for h in [dwellings[0], dwellings[0], dwellings[1]] {
        on_db!(app.handle(), |p| sqlx::query(
            "insert into registry_visit (community_id, grid_id, household_id, visitor_label, visited_at, created_at) \
             select community_id, grid_id, household_id, '网格员', $2, $2 from household where household_id = $1"
        )
        .bind(h)
        .bind(now)
        .execute(p)
        .await
        .map(|_| ())
        .unwrap());
    }

    let res = page.get("/registry/numbers").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let after = res.text();
    assert_eq!(band(&after, "80岁及以上") - band(&before, "80岁及以上"), 2);
    assert_eq!(band(&after, "0–6岁") - band(&before, "0–6岁"), 1);
    assert_eq!(band(&after, "60–79岁"), band(&before, "60–79岁"));
    // The bands hold every resident living in the community, once.
    let ages = chart(&after, "age_bands");
    let counted: i64 = ages.iter().skip(1).map(|r| r[1].parse::<i64>().unwrap()).sum();
    let living: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from registry_resident r join household h on h.household_id = r.household_id \
         where h.community_id = 1 and h.retired_at is null and r.left_at is null"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(counted, living);
    assert_eq!(visits(&after, "走访次数") - visits(&before, "走访次数"), 3);
    assert_eq!(visits(&after, "走访户数") - visits(&before, "走访户数"), 2);
    // The care groups of each grid are the numbers' own.
    let numbers = app
        .client()
        .with_bearer(&app.token("xlg.admin", PW).await)
        .get("/api/v1/registry/numbers")
        .await
        .json();
    let care = chart(&after, "care_by_grid");
    for g in numbers["grids"].as_array().unwrap() {
        let total: i64 = g["care"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_i64().unwrap())
            .sum();
        let row = care.iter().find(|r| r[0] == g["name"].as_str().unwrap()).unwrap();
        let charted: i64 = row[1..].iter().map(|v| v.parse::<i64>().unwrap()).sum();
        assert_eq!(charted, total, "{}", g["name"]);
    }

    let book = exported(
        &page.get("/registry/numbers?export=age_bands").await,
        "registry-numbers-XLG",
        "age_bands",
    );
    assert_eq!(book[0], ["年龄", "居民（人）"]);
    assert_eq!(page.get("/registry/numbers?export=nope").await.status, 404);

    let f = figures(&app, "registry", &admin, &c, &asked).await;
    let visited = |f: &[Figure]| figure(f, "registry.households_visited").values[1].unwrap();
    assert_eq!(visited(&f) - visited(&figures_before), 2.0);
    assert_eq!(visited(&f), visits(&after, "走访户数") as f64);
    let households: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from household where community_id = 1 and retired_at is null"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let coverage = figure(&f, "registry.visit_coverage");
    assert_eq!(coverage.values[1], Some(visited(&f) * 100.0 / households as f64));
    // A grid worker sees the numbers of their own grids, not the community's figures; a
    // supervisor sees both.
    let grid1 = demo_user(&app, "grid1").await;
    assert!(figures(&app, "registry", &grid1, &c, &asked).await.is_empty());
    let sup = demo_user(&app, "xigu.supervisor").await;
    assert_eq!(figures(&app, "registry", &sup, &c, &asked).await.len(), 2);
}
