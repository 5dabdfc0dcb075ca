//! The demo registry of 西柳沟社区: every household of the demo structure gets its members
//! (synthetic, checksum-valid), some care-group tags, owners with their areas, and a few door
//! visits; the demo resident account (杨奶奶) is linked to her own record. Idempotent: a
//! community that already has residents is left alone.

use yijia_db::on_tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Result};

use crate::commands::{care_blind, field, plain, seal, today_in};
use crate::model::{CareKind, Gender, Relation};
use crate::repo::{self, NewHolding};
use crate::synth::Synth;

const COMMUNITY: &str = "XLG";

/// The name of the demo resident account's own record (the account calls her 杨奶奶).
pub const DEMO_RESIDENT_NAME: &str = "杨秀兰";

pub async fn load(state: &AppState) -> Result<()> {
    let Some(community) = yijia_kernel::community::by_code(&state.db, COMMUNITY).await? else {
        return Ok(());
    };
    let cid = community.community_id;
    let today = today_in(state, &community.time_zone);
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, cid).await?;
    let existing: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select count(*) from registry_resident where community_id = $1"
    )
    .bind(cid)
    .fetch_one(&mut *c)
    .await?);
    if existing > 0 {
        return Ok(());
    }
    let households: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select household_id from household where community_id = $1 and retired_at is null order by household_id"
    )
    .bind(cid)
    .fetch_all(&mut *c)
    .await?);
    let mut synth = Synth::new(2026, today);
    let now = state.now_ms();
    let cli = Actor::cli();
    let v = &state.vault;
    let mut count = 0;
    let mut first_elder: Option<i64> = None;
    for (i, hid) in households.iter().enumerate() {
        let Some(at) = repo::household(&mut tx, *hid).await? else {
            continue;
        };
        // About one dwelling in twelve stands empty.
        if i % 12 == 11 {
            continue;
        }
        let mut people = synth.household();
        let alone = people.len() == 1;
        // The demo resident account is 杨奶奶: the first woman of 60 or more living alone takes
        // her name before she is written, so her record and her holding carry it, and her sex
        // and age are the ones her ID number states.
        let is_her = |p: &crate::model::ResidentValues| {
            let age = p.birth_date.map_or(0, |b| crate::model::age_on(b, today));
            alone && age >= 60 && p.gender == Gender::Female
        };
        let her = first_elder.is_none() && people.first().is_some_and(is_her);
        if her {
            if let Some(p) = people.first_mut() {
                p.name = DEMO_RESIDENT_NAME.to_owned();
            }
        }
        let head_name = people[0].name.clone();
        for p in &people {
            let rid = repo::insert_resident(&mut tx, cid, *hid, &plain(p), &seal(v, p, None), now).await?;
            count += 1;
            let age = p.birth_date.map_or(0, |b| crate::model::age_on(b, today));
            let tag = |kind: CareKind| (kind, today.to_string());
            let mut kinds = Vec::new();
            if alone && age >= 60 {
                kinds.push(tag(CareKind::ElderlyAlone));
            }
            if her {
                first_elder = Some(rid);
            }
            if p.ethnicity == "03" {
                kinds.push(tag(CareKind::Minority));
            }
            if p.veteran {
                kinds.push(tag(CareKind::Veteran));
            }
            if synth.chance(0.03) {
                kinds.push(tag(CareKind::Disabled));
            }
            if synth.chance(0.025) {
                kinds.push(tag(CareKind::Dibao));
            }
            if p.relation == Relation::Child && age < 16 && synth.chance(0.05) {
                kinds.push(tag(CareKind::LeftBehindChild));
            }
            for (kind, starts) in kinds {
                repo::insert_tag(
                    &mut tx,
                    cid,
                    rid,
                    &care_blind(v, cid, &kind.into()),
                    &v.seal(field::CARE_KIND, kind.as_str()),
                    None,
                    &starts,
                    None,
                    now,
                )
                .await?;
            }
        }
        let owner = NewHolding {
            resident_id: None,
            holder_name: head_name,
            kind: "owner",
            area_centi_m2: Some(i64::from(6_000 + synth.below(6_000))),
            area_source: Some("register"),
            developer: false,
            starts_on: None,
        };
        repo::insert_holding(&mut tx, &at, &owner, now).await?;
        if i % 5 == 0 {
            let findings = v.seal(field::FINDINGS, "身体状况良好，无特殊需求。");
            let ago = i64::from(synth.below(40)) * 86_400_000;
            repo::insert_visit(&mut tx, &at, &cli, now - ago, "户主", Some(&findings), None, now).await?;
        }
    }
    // Link the demo resident account (杨奶奶) to her record.
    let account: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select account_id from account where username = 'resident1'"
    )
    .fetch_optional(&mut *c)
    .await?);
    if let (Some(account), Some(rid)) = (account, first_elder) {
        on_tx!(&mut tx, |c| sqlx::query(
            "update registry_resident set account_id = $1 where resident_id = $2"
        )
        .bind(account)
        .bind(rid)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    let entry = Entry::new("registry.demo", "community", cid)
        .community(Some(cid))
        .after(Some(&serde_json::json!({ "residents": count })));
    audit::record(&mut tx, state.vault.audit_key(), now, &cli, entry).await?;
    tx.commit().await?;
    tracing::info!(
        community.code = COMMUNITY,
        residents = count,
        "loaded the demo registry"
    );
    Ok(())
}
