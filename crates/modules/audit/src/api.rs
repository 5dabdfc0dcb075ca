use axum::extract::State;
use serde_json::{json, Value};
use yijia_kernel::{AppState, Error};
use yijia_web::{to_json, CurrentActor, JsonBody, WebResult, Q};

use crate::pages::dates;
use crate::permissions::READ;
use crate::repo::{self, Filter};

pub async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Q(filter): Q<Filter>,
) -> WebResult<JsonBody> {
    if !READ.held_by(&actor) {
        return Err(Error::Forbidden.into());
    }
    let (from, to) = dates(&filter)?;
    let page = repo::events(&state.db, actor.account_id.unwrap_or(0), &filter, from, to).await?;
    to_json(json!({ "items": page.items, "next": page.next }))
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
