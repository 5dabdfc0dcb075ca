use axum::extract::State;
use axum::http::StatusCode;
use yijia_kernel::AppState;

/// The process is up. Does no I/O: it is the ceiling the benchmarks compare against.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}
