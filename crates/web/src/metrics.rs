//! `/metrics` in the Prometheus text format: requests by status class and their total duration,
//! and the handlers that panicked.
//! Counters are per process; Prometheus scrapes each instance and sums.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yijia_kernel::AppState;

static REQUESTS: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];
static MICROS: AtomicU64 = AtomicU64::new(0);
static IN_FLIGHT: AtomicU64 = AtomicU64::new(0);
static PANICS: AtomicU64 = AtomicU64::new(0);

/// Counts a handler that panicked. The client already got a 500 like any other internal error;
/// this counter is what tells a panic (a bug to fix) from a database that went away.
pub fn count_panic() {
    PANICS.fetch_add(1, Ordering::Relaxed);
}

pub async fn count(req: Request, next: Next) -> Response {
    let start = Instant::now();
    IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
    let res = next.run(req).await;
    IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    let class = usize::from(res.status().as_u16() / 100).clamp(1, 5) - 1;
    REQUESTS[class].fetch_add(1, Ordering::Relaxed);
    MICROS.fetch_add(
        u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    res
}

pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = String::from("# HELP yijia_http_requests_total HTTP requests answered, by status class.\n# TYPE yijia_http_requests_total counter\n");
    for (i, c) in REQUESTS.iter().enumerate() {
        out.push_str(&format!(
            "yijia_http_requests_total{{class=\"{}xx\"}} {}\n",
            i + 1,
            c.load(Ordering::Relaxed)
        ));
    }
    out.push_str("# HELP yijia_http_request_seconds_total Time spent answering HTTP requests.\n# TYPE yijia_http_request_seconds_total counter\n");
    out.push_str(&format!(
        "yijia_http_request_seconds_total {:.6}\n",
        MICROS.load(Ordering::Relaxed) as f64 / 1e6
    ));
    out.push_str("# HELP yijia_http_requests_in_flight Requests being answered now.\n# TYPE yijia_http_requests_in_flight gauge\n");
    out.push_str(&format!(
        "yijia_http_requests_in_flight {}\n",
        IN_FLIGHT.load(Ordering::Relaxed)
    ));
    out.push_str(
        "# HELP yijia_panics_total Handlers that panicked (answered 500).\n# TYPE yijia_panics_total counter\n",
    );
    out.push_str(&format!("yijia_panics_total {}\n", PANICS.load(Ordering::Relaxed)));
    out.push_str("# HELP yijia_database_up Whether the database answers.\n# TYPE yijia_database_up gauge\n");
    out.push_str(&format!("yijia_database_up {}\n", u8::from(state.db.ping().await)));
    // The outbox as the database holds it (the same on every instance): what waits, and what
    // was given up after the last try (an address or a relay to fix).
    if let Ok((waiting, given_up)) = yijia_kernel::outbox::backlog(&state.db).await {
        out.push_str("# HELP yijia_outbox_waiting Messages (webhooks, e-mails) not yet delivered.\n# TYPE yijia_outbox_waiting gauge\n");
        out.push_str(&format!("yijia_outbox_waiting {waiting}\n"));
        out.push_str(
            "# HELP yijia_outbox_given_up Messages given up after the last try.\n# TYPE yijia_outbox_given_up gauge\n",
        );
        out.push_str(&format!("yijia_outbox_given_up {given_up}\n"));
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    )
        .into_response()
}
