//! The service hours ledger other modules credit (`yijia_kernel::ports`): care credits a
//! volunteer who fulfilled a wish, without depending on this crate.

use yijia_db::Tx;
use yijia_kernel::ports::{ServiceCredit, ServiceHours};
use yijia_kernel::{BoxFut, Result};

use crate::ledger::{self, Movement};
use crate::model::{Holder, Ledger, TxnKind};
use crate::Volunteers;

impl ServiceHours for Volunteers {
    fn credit<'a>(&'a self, tx: &'a mut Tx, credit: ServiceCredit<'a>, now: i64) -> BoxFut<'a, Result<()>> {
        Box::pin(async move {
            let movement = Movement {
                community_id: credit.community_id,
                ledger: Ledger::Hours,
                kind: TxnKind::Service,
                memo: credit.memo,
                activity_id: None,
                signup_id: None,
                actor_account_id: credit.actor_account_id,
                from: Holder::Service,
                to: Holder::Volunteer(credit.volunteer_id),
                amount: credit.minutes,
            };
            ledger::post(tx, &movement, now).await.map(|_| ())
        })
    }
}
