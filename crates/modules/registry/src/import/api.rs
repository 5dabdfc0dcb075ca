//! The import API under `/api/v1`, for integrations: the file is the raw request body.

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use yijia_kernel::i18n::Tr;
use yijia_kernel::Error;
use yijia_web::{to_json, CurrentActor, JsonBody, PageCtx, WebResult, P, Q};

use super::commit::{self, community_for_bulk, ImportSummary};
use super::MAX_UPLOAD_BYTES;
use yijia_kernel::error::codes;

/// The body types an upload may declare.
const ACCEPTED_TYPES: &[&str] = &[
    "application/octet-stream",
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UploadQuery {
    pub community: Option<i64>,
    /// The file's name, for the list of imports; else the `Content-Disposition` filename.
    pub file_name: String,
    /// `residents` (the default) or `owners` (the owners' register).
    pub kind: String,
}

/// `{import_id, status, total_rows, accepted_rows, rejected_rows, …, rejected: [{row, column,
/// code, message}]}`, the errors of the first rejected rows in the caller's language.
pub fn summary_json(s: &ImportSummary, tr: &Tr) -> Value {
    let rejected: Vec<Value> = s
        .rejected
        .iter()
        .flat_map(|r| {
            r.errors.iter().map(move |e| {
                json!({
                    "row": r.row,
                    "column": e.column,
                    "code": e.code,
                    "message": e.message(tr),
                })
            })
        })
        .collect();
    let notes: Vec<Value> = s
        .noted
        .iter()
        .flat_map(|r| {
            r.errors
                .iter()
                .map(move |e| json!({ "row": r.row, "code": e.code, "message": e.message(tr) }))
        })
        .collect();
    let i = &s.import;
    json!({
        "import_id": i.import_id,
        "community_id": i.community_id,
        "file_name": i.file_name,
        "kind": i.kind,
        "status": i.status,
        "total_rows": i.total_rows,
        "accepted_rows": i.accepted_rows,
        "rejected_rows": i.rejected_rows(),
        "created_at": i.created_at,
        "committed_at": i.committed_at,
        "rejected": rejected,
        "notes": notes,
    })
}

/// `attachment; filename="x.csv"` → `x.csv`.
fn disposition_name(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_DISPOSITION)?.to_str().ok()?;
    v.split(';')
        .filter_map(|p| p.trim().strip_prefix("filename="))
        .map(|n| n.trim_matches('"').to_owned())
        .next()
}

/// Uploads a file (the raw body) and answers with its preview; nothing is written to the
/// registry until `POST …/commit`.
pub async fn upload(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    Q(q): Q<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> WebResult<Response> {
    if !ACCEPTED_TYPES.contains(&yijia_web::media_type(&headers).as_str()) {
        return Err(Error::rejected(415, codes::UNSUPPORTED_MEDIA_TYPE, "error.unsupported_media_type").into());
    }
    let community = q.community.ok_or_else(|| Error::field("community", "field.required"))?;
    let kind = super::ImportKind::parse(&q.kind).ok_or_else(|| Error::field("kind", "registry.bad_choice"))?;
    // Refuse before reading a large body.
    community_for_bulk(&ctx.state, &actor, community).await?;
    let bytes = axum::body::to_bytes(body, MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| Error::rejected(413, codes::PAYLOAD_TOO_LARGE, "error.payload_too_large"))?;
    let name = Some(q.file_name)
        .filter(|n| !n.trim().is_empty())
        .or_else(|| disposition_name(&headers))
        .unwrap_or_default();
    let s = commit::import_file(&ctx.state, &actor, community, kind, &name, bytes.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(summary_json(&s, &ctx.tr))).into_response())
}

pub async fn show(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let s = commit::summary(&ctx.state, &actor, id).await?;
    to_json(summary_json(&s, &ctx.tr))
}

/// Writes the accepted rows; `409` when committed before, cancelled, or changed since.
pub async fn commit(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let c = commit::commit(&ctx.state, &actor, id).await?;
    to_json(json!({
        "import_id": c.import_id,
        "status": "committed",
        "committed_rows": c.committed_rows,
    }))
}

pub async fn cancel(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    commit::cancel(&ctx.state, &actor, id).await?;
    to_json(json!({ "import_id": id, "status": "cancelled" }))
}

/// The import API's part of the OpenAPI document: `{"paths": …, "components": {"schemas": …}}`,
/// for the registry's document to merge.
pub fn openapi() -> Value {
    let err = json!({ "$ref": "#/components/responses/Error" });
    let id = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } });
    let summary = json!({ "description": "The import", "content": { "application/json": {
        "schema": { "$ref": "#/components/schemas/RegistryImport" } } } });
    let file_types: serde_json::Map<String, Value> = ACCEPTED_TYPES
        .iter()
        .map(|t| {
            (
                (*t).to_owned(),
                json!({ "schema": { "type": "string", "format": "binary" } }),
            )
        })
        .collect();
    json!({
        "paths": {
            "/api/v1/registry/imports": { "post": {
                "tags": ["registry"],
                "summary": "Upload a sheet (.xlsx, .xls or CSV in UTF-8 or GB18030) as the raw body; every row is checked and stored as a preview, nothing is written to the registry",
                "parameters": [
                    { "name": "community", "in": "query", "required": true, "schema": { "type": "integer" } },
                    { "name": "file_name", "in": "query", "required": false, "schema": { "type": "string" } },
                    { "name": "kind", "in": "query", "required": false, "schema": { "type": "string", "enum": ["residents", "owners"], "default": "residents" },
                      "description": "residents: one person a row; owners: the owners' register (业主名册), one unit a row with 楼栋, 单元, 房号, 建筑面积, 专有部分面积, 产权人, 证件号码, 产权证号, 面积来源, 备注" }
                ],
                "requestBody": { "required": true, "content": file_types },
                "responses": { "201": summary, "401": err, "403": err, "404": err, "413": err, "415": err, "422": err }
            } },
            "/api/v1/registry/imports/{id}": { "parameters": [id], "get": {
                "tags": ["registry"], "summary": "An import with the errors of its first 200 rejected rows",
                "responses": { "200": summary, "401": err, "404": err }
            } },
            "/api/v1/registry/imports/{id}/commit": { "parameters": [id], "post": {
                "tags": ["registry"],
                "summary": "Write the accepted rows, all or none; 409 when committed before, cancelled, or when rows no longer pass",
                "responses": { "200": { "description": "Committed", "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/RegistryImportCommitted" } } } },
                    "401": err, "404": err, "409": err }
            } },
            "/api/v1/registry/imports/{id}/cancel": { "parameters": [id], "post": {
                "tags": ["registry"], "summary": "Cancel a preview and delete its rows",
                "responses": { "200": { "description": "Cancelled" }, "401": err, "404": err, "409": err }
            } }
        },
        "components": { "schemas": {
            "RegistryImport": {
                "type": "object",
                "required": ["import_id", "status", "total_rows", "accepted_rows", "rejected_rows", "rejected"],
                "properties": {
                    "import_id": { "type": "integer" },
                    "community_id": { "type": "integer" },
                    "file_name": { "type": "string" },
                    "status": { "type": "string", "enum": ["previewed", "committed", "cancelled"] },
                    "total_rows": { "type": "integer" },
                    "accepted_rows": { "type": "integer" },
                    "rejected_rows": { "type": "integer" },
                    "created_at": { "type": "integer", "description": "Unix milliseconds" },
                    "committed_at": { "type": ["integer", "null"] },
                    "rejected": { "type": "array", "items": {
                        "type": "object",
                        "required": ["row", "column", "code", "message"],
                        "properties": {
                            "row": { "type": "integer", "description": "The row number a spreadsheet shows" },
                            "column": { "type": "string", "description": "The column's code, e.g. id_number" },
                            "code": { "type": "string", "description": "A stable message key, e.g. registry.id_checksum" },
                            "message": { "type": "string", "description": "In the caller's language" }
                        } } }
                } },
            "RegistryImportCommitted": {
                "type": "object",
                "required": ["import_id", "status", "committed_rows"],
                "properties": {
                    "import_id": { "type": "integer" },
                    "status": { "type": "string" },
                    "committed_rows": { "type": "integer" }
                } }
        } }
    })
}
