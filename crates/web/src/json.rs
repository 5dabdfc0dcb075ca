//! Answers of the JSON API that every module writes the same way.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use yijia_kernel::Error;

use crate::WebResult;

/// Any serialisable value as a JSON answer.
pub fn to_json<T: serde::Serialize>(v: T) -> WebResult<Json<Value>> {
    Ok(Json(serde_json::to_value(v).map_err(|e| Error::Internal(e.into()))?))
}

/// A `201 Created` answer with the created thing.
pub fn created<T: serde::Serialize>(v: T) -> WebResult<Response> {
    Ok((StatusCode::CREATED, to_json(v)?).into_response())
}
