//! Residents at scale for benchmarks (`yijia seed`): every seeded community's households are
//! filled with synthetic people until the community holds the requested number, sealed and
//! indexed like real records, in multi-row inserts, without auditing (a benchmark fixture).

use yijia_db::on_tx;
use yijia_kernel::module::SeedParams;
use yijia_kernel::{AppState, Result};

use crate::commands::{care_blind, field, plain, seal, today_in};
use crate::model::CareKind;
use crate::repo::{self, Bind};
use crate::synth::Synth;

pub async fn run(state: &AppState, params: SeedParams) -> Result<()> {
    for n in 1..=params.communities {
        let code = format!("SEED{n:04}");
        let Some(community) = yijia_kernel::community::by_code(&state.db, &code).await? else {
            continue;
        };
        let cid = community.community_id;
        let mut tx = state.db.begin_write().await?;
        let existing: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "select count(*) from registry_resident where community_id = $1"
        )
        .bind(cid)
        .fetch_one(&mut *c)
        .await?);
        let households: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "select household_id from household where community_id = $1 order by household_id"
        )
        .bind(cid)
        .fetch_all(&mut *c)
        .await?);
        tx.commit().await?;
        let wanted = i64::from(params.residents_per_community) - existing;
        if wanted <= 0 || households.is_empty() {
            continue;
        }
        let today = today_in(state, &community.time_zone);
        let mut synth = Synth::new(u64::from(n), today);
        let now = state.now_ms();
        let v = &state.vault;
        let mut rows: Vec<Vec<Bind>> = Vec::new();
        let mut made = 0;
        'fill: for round in 0.. {
            for hid in &households {
                for p in synth.household() {
                    if made >= wanted {
                        break 'fill;
                    }
                    rows.push(repo::resident_row(&plain(&p), &seal(v, &p, None), cid, *hid, now));
                    made += 1;
                }
            }
            if round > 100 {
                break;
            }
        }
        for chunk in rows.chunks(repo::INSERT_BATCH) {
            let mut tx = state.db.begin_write().await?;
            repo::insert_resident_rows(&mut tx, chunk.iter().map(Vec::as_slice)).await?;
            tx.commit().await?;
        }
        // One resident in ten aged 60+ gets a care-group tag, so filters by tag have work.
        let mut tx = state.db.begin_write().await?;
        let elders: Vec<i64> = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "select resident_id from registry_resident where community_id = $1 and birth_date <= $2 order by resident_id"
        )
        .bind(cid)
        .bind(format!("{}-12-31", today.year() - 60))
        .fetch_all(&mut *c)
        .await?
        });
        let kind_blind = care_blind(v, cid, &CareKind::ElderlyAlone.into());
        for rid in elders.iter().step_by(10) {
            let sealed = v.seal(field::CARE_KIND, CareKind::ElderlyAlone.as_str());
            repo::insert_tag(
                &mut tx,
                cid,
                *rid,
                &kind_blind,
                &sealed,
                None,
                &today.to_string(),
                None,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        tracing::info!(community.code = %code, residents = made, "seeded residents");
    }
    Ok(())
}
