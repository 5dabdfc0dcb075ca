//! Serving HTTP: connections accepted, read within time limits, and closed in good order at
//! shutdown.
//!
//! axum's own `serve` sets no timer for hyper, so hyper's limit on reading a request's headers
//! never applied: a client sending its headers a byte at a time held a connection open as long
//! as it liked, and a shutdown waited for it for ever. Here each connection is served by hyper
//! with a timer and that limit, and a shutdown stops accepting, lets the requests under way
//! finish for a grace period, and then closes whatever is left.

use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The limits a connection is served under.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a client may take over a request's headers.
    pub headers: Duration,
    /// After shutdown is asked for, how long requests under way may take to finish.
    pub grace: Duration,
}

/// Serves `app` on `listener` until `stop` completes, then shuts down in good order: no new
/// connection, requests under way finish within the grace period, and the rest are closed.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, stop: impl Future<Output = ()>) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.headers);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors, mostly: wait for some to come back rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let app = app.clone();
        let service = TowerToHyperService::new(tower::service_fn(move |mut req: hyper::Request<Incoming>| {
            // Who is asking, for the extractors that read the peer (`ClientAddr`).
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        }));
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client that hangs up or breaks the protocol ends its own connection; nothing
            // to tell anyone.
            let _ = conn.await;
        });
    }
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(connections = open, "letting the requests under way finish");
    }
    if tokio::time::timeout(limits.grace, graceful.shutdown()).await.is_err() {
        tracing::warn!(
            grace_secs = limits.grace.as_secs(),
            "requests were still under way at the end of the grace period; their connections are closed"
        );
    }
}
