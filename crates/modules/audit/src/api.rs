use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use yijia_kernel::{AppState, Error};
use yijia_web::{CurrentActor, WebResult, Q};

use crate::pages::dates;
use crate::permissions::READ;
use crate::repo::{self, Filter};

pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Q(filter): Q<Filter>,
) -> WebResult<Json<Value>> {
    if !READ.held_by(&actor) {
        return Err(Error::Forbidden.into());
    }
    let (from, to) = dates(&filter)?;
    let events = repo::events(&state.db, actor.account_id.unwrap_or(0), &filter, from, to).await?;
    let limit = usize::try_from(filter.limit.unwrap_or(100).clamp(1, 500)).unwrap_or(100);
    let next = if events.len() == limit {
        events.last().map(|e| e.audit_event_id.to_string())
    } else {
        None
    };
    Ok(Json(json!({ "items": events, "next": next })))
}

pub fn openapi() -> Value {
    let q = |name: &str, t: &str| json!({ "name": name, "in": "query", "required": false, "schema": { "type": t } });
    json!({ "paths": { "/api/v1/audit": { "get": {
        "tags": ["audit"], "summary": "Audit entries the caller may read, newest first; pass `next` as `before`",
        "parameters": [q("actor", "string"), q("entity", "string"), q("entity_id", "string"), q("from", "string"), q("to", "string"), q("before", "integer"), q("limit", "integer")],
        "responses": { "200": { "description": "A page of entries" }, "400": { "$ref": "#/components/responses/Error" },
            "401": { "$ref": "#/components/responses/Error" }, "403": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" } }
    } } } })
}
