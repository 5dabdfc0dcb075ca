//! `/api/v1/auth/token`, `/api/v1/me`, `/api/v1/accounts`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use yijia_kernel::paging::{PageQuery, Paged};
use yijia_kernel::{AppState, Error};
use yijia_web::{to_json, ApiJson, ClientAddr, CurrentActor, JsonBody, WebResult, Q};

use crate::commands::create_account::create_account;
use crate::commands::login::authenticate;
use crate::model::NewAccountInput;
use crate::permissions::MANAGE;
use crate::repo;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    username: String,
    password: String,
}

/// Exchanges a username and password for a personal bearer token.
pub async fn token(
    axum::extract::State(state): axum::extract::State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<TokenRequest>,
) -> WebResult<JsonBody> {
    let account_id = authenticate(&state, &req.username, &req.password, &addr).await?;
    let actor = yijia_kernel::session::load_actor(&state.db, account_id, yijia_kernel::actor::Via::PersonalToken)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let name = format!(
        "api {}",
        yijia_kernel::clock::format_local(state.now_ms(), "Asia/Shanghai")
    );
    let token = crate::commands::tokens::create_personal(&state, &actor, &name).await?;
    to_json(json!({ "token": token, "token_type": "Bearer" }))
}

pub async fn me(
    axum::extract::State(state): axum::extract::State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> WebResult<JsonBody> {
    let id = actor.account_id.ok_or(Error::NotFound)?;
    let account = repo::account_view(&state.db, id).await?.ok_or(Error::NotFound)?;
    let grants = repo::grants_of(&state.db, id, id).await?;
    to_json(json!({ "account": account, "grants": grants }))
}

pub async fn list(
    axum::extract::State(state): axum::extract::State<AppState>,
    CurrentActor(actor): CurrentActor,
    Q(q): Q<PageQuery>,
) -> WebResult<JsonBody> {
    if !MANAGE.held_by(&actor) {
        return Err(Error::Forbidden.into());
    }
    let rows = repo::list_accounts(&state.db, actor.account_id.unwrap_or(0), q.after(), q.limit() + 1).await?;
    let page = Paged::from_rows(rows, q.limit(), |a| a.account_id);
    to_json(page)
}

pub async fn create(
    axum::extract::State(state): axum::extract::State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<NewAccountInput>,
) -> WebResult<Response> {
    let parsed = input.parse()?;
    let created = create_account(&state, &actor, parsed).await?;
    let account = repo::account_view(&state.db, created.account_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "account": account, "generated_password": created.generated_password })),
    )
        .into_response())
}

pub fn openapi() -> Value {
    let err = json!({ "$ref": "#/components/responses/Error" });
    json!({
        "paths": {
            "/api/v1/auth/token": {
                "post": {
                    "tags": ["accounts"], "summary": "Exchange a username and password for a bearer token",
                    "security": [],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object", "required": ["username", "password"], "additionalProperties": false,
                        "properties": { "username": { "type": "string" }, "password": { "type": "string" } } } } } },
                    "responses": {
                        "200": { "description": "A token", "content": { "application/json": { "schema": {
                            "type": "object", "required": ["token"], "properties": { "token": { "type": "string" }, "token_type": { "type": "string" } } } } } },
                        "401": err, "422": err, "429": err
                    }
                }
            },
            "/api/v1/me": {
                "get": {
                    "tags": ["accounts"], "summary": "The signed-in account and its role grants",
                    "responses": { "200": { "description": "The account", "content": { "application/json": { "schema": {
                        "type": "object", "properties": { "account": { "$ref": "#/components/schemas/Account" }, "grants": { "type": "array", "items": { "$ref": "#/components/schemas/Grant" } } } } } } },
                        "401": err }
                }
            },
            "/api/v1/accounts": {
                "get": {
                    "tags": ["accounts"], "summary": "Accounts the caller may manage",
                    "parameters": [{ "$ref": "#/components/parameters/limit" }, { "$ref": "#/components/parameters/after" }],
                    "responses": { "200": { "description": "A page of accounts", "content": { "application/json": { "schema": {
                        "type": "object", "required": ["items"], "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Account" } }, "next": { "type": ["string", "null"] } } } } } },
                        "401": err, "403": err }
                },
                "post": {
                    "tags": ["accounts"], "summary": "Create an account with one role over one scope",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewAccount" } } } },
                    "responses": { "201": { "description": "Created; `generated_password` is shown once when no password was given" },
                        "401": err, "403": err, "409": err, "415": err, "422": err }
                }
            }
        },
        "components": { "schemas": {
            "Account": { "type": "object", "properties": {
                "account_id": { "type": "integer" }, "username": { "type": "string" }, "display_name": { "type": "string" },
                "phone": { "type": "string" }, "locale": { "type": "string" }, "status": { "type": "string" }, "created_at": { "type": "integer", "description": "epoch milliseconds" } } },
            "Grant": { "type": "object", "properties": {
                "role": { "type": "string" }, "scope_kind": { "type": "string" }, "scope_name": { "type": ["string", "null"] },
                "community_id": { "type": ["integer", "null"] }, "grid_id": { "type": ["integer", "null"] } } },
            "NewAccount": { "type": "object", "required": ["username", "display_name", "role"], "additionalProperties": false, "properties": {
                "username": { "type": "string", "minLength": 3, "maxLength": 32 }, "display_name": { "type": "string", "maxLength": 40 },
                "phone": { "type": "string" },
                "role": { "type": "string", "enum": ["platform_admin", "supervisor", "community_admin", "community_staff", "grid_worker", "party_member", "volunteer", "team_leader", "property_staff", "department_staff", "merchant", "resident"] },
                "district": { "type": "string" }, "subdistrict": { "type": "string" }, "community": { "type": "string", "description": "community code" },
                "grid": { "type": "string", "description": "grid code within the community" }, "password": { "type": "string", "minLength": 8 } } }
        } }
    })
}
