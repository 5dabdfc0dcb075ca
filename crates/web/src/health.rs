use axum::extract::State;
use axum::http::StatusCode;
use yijia_db::Readiness;
use yijia_kernel::AppState;

/// The process is up. Does no I/O: it is the ceiling the benchmarks compare against.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and, after a write failed for want of space, writes again: a load
/// balancer sends nobody to an instance that cannot keep what they submit.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.readiness().await {
        Readiness::Ready => (StatusCode::OK, "ready"),
        Readiness::Unreachable => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
        Readiness::Full => (
            StatusCode::SERVICE_UNAVAILABLE,
            "storage full: the database cannot write",
        ),
    }
}
