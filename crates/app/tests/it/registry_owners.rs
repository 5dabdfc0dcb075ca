//! What an office's files really hold (issue 20): full-width digits, the names people give an
//! identity document, residence permits of Hong Kong, Macao and Taiwan residents, rows repeated
//! by a copy and paste; and the owners' register (业主名册), from which an owners' vote on a
//! building is prepared in one upload.

use serde_json::Value;
use yijia_council::commands::vote::{self, VoteInput};
use yijia_db::on_db;
use yijia_kernel::i18n::Locale;
use yijia_testkit::{Client, TestApp};

use crate::registry_import::{api, bad_checksum as bad_check, community, id, problems as unsorted};
use crate::support::demo_user;

/// ASCII digits and letters as a Chinese input method writes them in full width.
fn wide(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(u32::from(c) + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

/// Lines as a CSV file with CRLF line ends, as Excel writes it.
fn csv(lines: &[&str]) -> Vec<u8> {
    crate::registry_import::csv(lines).into_bytes()
}

/// Uploads a file of a kind and expects its preview.
async fn preview(c: &mut Client, community: i64, kind: &str, bytes: &[u8]) -> Value {
    let res = c
        .post_raw(
            &format!("/api/v1/registry/imports?community={community}&file_name=t.csv&kind={kind}"),
            "text/csv",
            bytes,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

async fn commit(c: &mut Client, preview: &Value) -> Value {
    let res = c
        .post_raw(
            &format!("/api/v1/registry/imports/{}/commit", preview["import_id"]),
            "application/json",
            b"",
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

/// `(row, column, code)` of a preview's refusals, in order.
fn problems(v: &Value) -> Vec<(i64, String, String)> {
    let mut got = unsorted(v);
    got.sort();
    got
}

fn rows(want: &[(i64, &str, &str)]) -> Vec<(i64, String, String)> {
    let mut want: Vec<(i64, String, String)> = want.iter().map(|(r, c, k)| (*r, (*c).into(), (*k).into())).collect();
    want.sort();
    want
}

/// `(name, id_type, id_masked, phone_masked)` of the residents with these names.
async fn residents(app: &TestApp, names: &[&str]) -> Vec<(String, String, String, String)> {
    let list: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    let sql = format!(
        "select name, id_type, id_masked, phone_masked from registry_resident where name in ({}) order by name",
        list.join(", ")
    );
    on_db!(app.handle(), |p| sqlx::query_as(&sql).fetch_all(p).await.unwrap())
}

const HEADER: &str = "楼栋编号,单元编号,房号,姓名,证件类型,证件号码,联系电话,与户主关系";

#[tokio::test]
async fn an_office_sheet_with_full_width_digits_document_names_permits_and_a_repeated_row_imports() {
    let app = crate::demo_app().await;
    let cid = community(&app).await;
    let mut c = api(&app, "xlg.staff").await;
    let citizen = id("62010219800101003");
    let hong_kong = id("81000019900101002");
    let taiwan = id("83000019851231001");
    let repeated = format!("B04,U1,102,重复者,身份证,{},,", id("62010219700303005"));
    let file = csv(&[
        HEADER,
        // Excel with a Chinese input method: every digit and letter in full width.
        &format!(
            "{},{},{},全角者,{},{},{},",
            wide("B04"),
            wide("U1"),
            wide("101"),
            "身份证",
            wide(&citizen),
            wide("13912345678")
        ),
        &format!("B04,U1,101,港人,港澳居民居住证,{hong_kong},,"),
        &format!("B04,U1,101,台胞,台湾居民居住证,{taiwan},,"),
        &repeated,
        &repeated,
        &format!("B04,U1,102,冒名者,港澳居民居住证,{},,", id("62010219800101011")),
        &format!("B04,U1,102,校验错,港澳居民居住证,{},,", bad_check("81000019900101003")),
        "B04,U1,102,关系错,,,,朋友",
    ]);
    let p = preview(&mut c, cid, "residents", &file).await;
    assert_eq!(
        problems(&p),
        rows(&[
            (7, "id_number", "registry.id_not_permit"),
            (8, "id_number", "registry.id_checksum"),
            (9, "relation", "registry.choose_from"),
        ])
    );
    // The copy-and-paste repeat is one person kept once, with a note on the second row.
    assert_eq!(p["total_rows"].as_i64(), Some(8));
    assert_eq!(p["accepted_rows"].as_i64(), Some(5));
    let notes = p["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["row"].as_i64(), Some(6));
    assert_eq!(
        notes[0]["message"].as_str().unwrap(),
        app.state
            .tr(Locale::ZhCn)
            .tf("registry_import.same_as_row", &[("row", "5".into())])
    );
    // A wrong choice names what the list holds.
    let relation = p["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["row"] == 9)
        .unwrap();
    let said = relation["message"].as_str().unwrap();
    assert!(said.contains("户主") && said.contains("配偶"), "{said}");

    // Four people written: the repeated row is one of them, once.
    assert_eq!(commit(&mut c, &p).await["committed_rows"].as_i64(), Some(4));
    let got = residents(&app, &["全角者", "港人", "台胞", "重复者"]).await;
    assert_eq!(got.len(), 4, "{got:?}");
    let of = |n: &str| got.iter().find(|r| r.0 == n).unwrap().clone();
    assert_eq!(of("全角者").1, "citizen");
    assert_eq!(of("全角者").2, format!("620102********{}", &citizen[14..]));
    assert_eq!(of("全角者").3, "139****5678");
    assert_eq!(of("港人").1, "hmt_permit");
    assert_eq!(of("台胞").1, "hmt_permit");
    assert!(of("台胞").2.starts_with("830000"));
}

const REGISTER: &str = "楼栋,单元,房号,建筑面积,专有部分面积,产权人,证件号码,产权证号,面积来源,备注";

/// `(holder_name, resident_id, area_centi_m2, area_source)` as stored.
type HoldingRow = (String, Option<i64>, Option<i64>, Option<String>);

/// `(holder_name, resident_id is set, area_centi_m2, area_source)` of a dwelling's owners.
async fn owners_of(app: &TestApp, household: i64) -> Vec<(String, bool, Option<i64>, Option<String>)> {
    let rows: Vec<HoldingRow> = on_db!(app.handle(), |p| sqlx::query_as(
        "select holder_name, resident_id, area_centi_m2, area_source from registry_holding \
         where household_id = $1 and kind = 'owner' order by holder_name"
    )
    .bind(household)
    .fetch_all(p)
    .await
    .unwrap());
    rows.into_iter().map(|(n, r, a, s)| (n, r.is_some(), a, s)).collect()
}

async fn count_residents(app: &TestApp) -> i64 {
    on_db!(app.handle(), |p| sqlx::query_scalar::<_, i64>(
        "select count(*) from registry_resident"
    )
    .fetch_one(p)
    .await
    .unwrap())
}

#[tokio::test]
async fn an_owners_register_prepares_a_building_vote_with_chained_co_owners_counted_apart() {
    let app = crate::demo_app().await;
    let cid = community(&app).await;
    // Four dwellings, 101–104, with no owner on record yet.
    let (building, homes) = crate::council::building(&app, "R7", &[0, 0, 0, 0]).await;
    // The property company's file, uploaded by the community's staff.
    let mut c = api(&app, "xlg.staff").await;
    let (jia, yi, bing) = (
        id("62010219600101001"),
        id("62010219610202002"),
        id("62010219620303003"),
    );
    let before = count_residents(&app).await;
    let register = csv(&[
        "西柳沟测试院业主名册",
        REGISTER,
        // 甲+乙 own 101, 乙+丙 own 102, 丁 owns 103 (no ID on the register), 104 from a survey.
        &format!("R7,U1,101,95.12,89.56,甲、乙,{jia}、{yi},甘(2019)兰州市不动产权第0001号,,"),
        &format!("R7,U1,102,100,90.1,乙，丙,{yi}，{bing},,测绘,"),
        "R7,U1,103,80,,丁,,,合同,",
        &format!("{},{},{},,７５．５,戊,,,,", wide("R7"), wide("U1"), wide("104")),
    ]);
    let p = preview(&mut c, cid, "owners", &register).await;
    assert_eq!(problems(&p), rows(&[]));
    assert_eq!(
        (p["kind"].as_str(), p["accepted_rows"].as_i64()),
        (Some("owners"), Some(4))
    );
    commit(&mut c, &p).await;

    assert_eq!(
        owners_of(&app, homes[0]).await,
        vec![
            ("乙".to_owned(), true, Some(8956), Some("register".to_owned())),
            ("甲".to_owned(), true, Some(8956), Some("register".to_owned())),
        ]
    );
    assert_eq!(
        owners_of(&app, homes[1]).await,
        vec![
            ("丙".to_owned(), true, Some(9010), Some("survey".to_owned())),
            ("乙".to_owned(), true, Some(9010), Some("survey".to_owned())),
        ]
    );
    // Without an exclusive area the building area is the register's figure for the unit.
    assert_eq!(
        owners_of(&app, homes[2]).await,
        vec![("丁".to_owned(), false, Some(8000), Some("contract".to_owned()))]
    );
    assert_eq!(owners_of(&app, homes[3]).await[0].2, Some(7550));
    // 甲, 乙 and 丙 are registered once each, in their unit's household; 丁 and 戊 are names only.
    assert_eq!(count_residents(&app).await, before + 3);

    // The vote on the building opens from the register alone: four units, four owners (the
    // chain 甲+乙 / 乙+丙 is two different sets of buyers, SPC 法释〔2009〕7号 art. 9).
    let staff = demo_user(&app, "xlg.staff").await;
    let input = VoteInput {
        community: cid.to_string(),
        title: "R7 更换单元门禁".into(),
        kind: "owners".into(),
        matter: "use_fund".into(),
        scope_kind: "building".into(),
        scope: building.to_string(),
        closes_at: "2026-12-20T18:00".into(),
        ..VoteInput::default()
    };
    let vote_id = vote::create(&app.state, &staff, &input)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    vote::open(&app.state, &staff, vote_id)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let units = yijia_council::repo::vote_units(app.handle(), vote_id).await.unwrap();
    let mut owner_numbers: Vec<i64> = units.iter().map(|u| u.1).collect();
    owner_numbers.sort_unstable();
    owner_numbers.dedup();
    assert_eq!((units.len(), owner_numbers.len()), (4, 4));

    // The register again after a sale: 103 is 己's now; the other units stay as they were and
    // nobody is registered twice.
    let again = csv(&[
        REGISTER,
        &format!("R7,U1,101,95.12,89.56,甲、乙,{jia}、{yi},,,"),
        &format!("R7,U1,103,80,79.5,己,{},,,", id("62010219900505005")),
    ]);
    let p = preview(&mut c, cid, "owners", &again).await;
    commit(&mut c, &p).await;
    assert_eq!(
        owners_of(&app, homes[2]).await,
        vec![("己".to_owned(), true, Some(7950), Some("register".to_owned()))]
    );
    assert_eq!(owners_of(&app, homes[0]).await.len(), 2);
    assert_eq!(owners_of(&app, homes[1]).await.len(), 2);
    assert_eq!(count_residents(&app).await, before + 4);
}

#[tokio::test]
async fn a_register_row_problem_is_named_on_its_row_and_a_unit_on_two_rows_refuses_both() {
    let app = crate::demo_app().await;
    let cid = community(&app).await;
    let (_, homes) = crate::council::building(&app, "R8", &[0, 0, 0]).await;
    let mut c = api(&app, "xlg.staff").await;
    let register = csv(&[
        REGISTER,
        "R8,U1,101,八十,,张三,,,,",
        &format!("R8,U1,102,90,,张三、李四,{},,,", id("62010219600101001")),
        "R8,U1,103,90,,,,,,",
        "R8,U1,103,90,,王五,,,估算,",
        &format!("R8,U1,999,90,,赵六,{},,,", bad_check("62010219600101002")),
        "R8,U1,102,,,孙七,,,,",
    ]);
    let p = preview(&mut c, cid, "owners", &register).await;
    assert_eq!(
        problems(&p),
        rows(&[
            (2, "area", "registry_import.bad_area"),
            (3, "room", "registry_import.same_unit"),
            (3, "owner_ids", "registry_import.owner_id_count"),
            (4, "owners", "field.required"),
            (4, "room", "registry_import.same_unit"),
            (5, "area_source", "registry.choose_from"),
            (5, "room", "registry_import.same_unit"),
            (6, "room", "registry_import.unknown_room"),
            (6, "owner_ids", "registry.id_checksum"),
            (7, "exclusive_area", "registry_import.area_needed"),
            (7, "room", "registry_import.same_unit"),
        ])
    );
    assert_eq!(p["accepted_rows"].as_i64(), Some(0));
    let msg = |row: i64, code: &str| {
        p["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["row"] == row && e["code"] == code)
            .map(|e| e["message"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert!(msg(2, "registry_import.bad_area").contains("八十"));
    assert!(msg(5, "registry.choose_from").contains("测绘"));
    assert!(msg(3, "registry_import.same_unit").contains('7'));
    // Nothing to commit: the import refuses and writes nothing.
    let res = c
        .post_raw(
            &format!("/api/v1/registry/imports/{}/commit", p["import_id"]),
            "application/json",
            b"",
        )
        .await;
    assert!(res.status >= 400 && res.status < 500, "{}", res.status);
    for h in homes {
        assert!(owners_of(&app, h).await.is_empty());
    }
}
