//! Answers of the JSON API that every module writes the same way.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use yijia_kernel::Error;

use crate::WebResult;

/// A JSON answer's body, serialised once.
pub struct JsonBody(Vec<u8>);

impl IntoResponse for JsonBody {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, "application/json")], self.0).into_response()
    }
}

/// Any serialisable value as a JSON answer, written straight into the body: no
/// `serde_json::Value` on the way, whose maps cost more than the rows they hold (a staff list
/// of fifty appeals spent a fifth of its time building and dropping them, issue 22).
pub fn to_json<T: serde::Serialize>(v: T) -> WebResult<JsonBody> {
    Ok(JsonBody(serde_json::to_vec(&v).map_err(|e| Error::Internal(e.into()))?))
}

/// A `201 Created` answer with the created thing.
pub fn created<T: serde::Serialize>(v: T) -> WebResult<Response> {
    answer(StatusCode::CREATED, &v)
}

/// A JSON answer with another status than `200 OK`.
pub fn answer<T: serde::Serialize>(status: StatusCode, v: &T) -> WebResult<Response> {
    Ok((status, to_json(v)?).into_response())
}

/// Reads a body whose fields are all strings in the form, accepting numbers and booleans for
/// them as JSON clients send them.
pub(crate) fn lenient<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, Error> {
    let Value::Object(map) = body else {
        return Err(Error::field("body", "error.not_an_object"));
    };
    let map = map
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Number(n) => Value::String(n.to_string()),
                Value::Bool(b) => Value::String(if b { "1" } else { "0" }.to_owned()),
                Value::Null => Value::String(String::new()),
                other => other,
            };
            (k, v)
        })
        .collect();
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
        // The field at fault when serde can say (a list where text belongs, an unknown field).
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." {
            "body".to_owned()
        } else {
            path
        };
        let mut f = yijia_kernel::FieldErrors::default();
        f.add(
            &field,
            yijia_kernel::error::Message::new("field.invalid").arg("detail", e.into_inner()),
        );
        Error::Validation(f)
    })
}
