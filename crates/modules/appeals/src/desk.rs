//! The appeal desk other modules use (`yijia_kernel::ports`): care raises the needs a door
//! visit finds through it, without depending on this crate.

use yijia_kernel::ports::{AppealDesk, RaisedAppeal};
use yijia_kernel::{Actor, AppState, BoxFut, Result};

use crate::commands::submit::{submit, AppealInput};
use crate::{repo, Appeals};

impl AppealDesk for Appeals {
    fn open_categories<'a>(&'a self, state: &'a AppState, community_id: i64) -> BoxFut<'a, Result<Vec<(i64, String)>>> {
        Box::pin(async move {
            Ok(repo::categories(&state.db, community_id)
                .await?
                .into_iter()
                .filter(|c| c.retired_at.is_none())
                .map(|c| (c.category_id, c.name))
                .collect())
        })
    }

    fn raise<'a>(&'a self, state: &'a AppState, actor: &'a Actor, appeal: RaisedAppeal<'a>) -> BoxFut<'a, Result<i64>> {
        Box::pin(async move {
            let input = AppealInput {
                community: appeal.community_id.to_string(),
                category: appeal.category.to_owned(),
                description: appeal.description.to_owned(),
                building: appeal.building_id.to_string(),
                unit: appeal.unit_id.to_string(),
                ..Default::default()
            };
            submit(state, actor, &input).await
        })
    }
}
