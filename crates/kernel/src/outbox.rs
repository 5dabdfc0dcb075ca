//! The outbox: messages to the world outside — a community's webhook, a party's mailbox —
//! written in the transaction of the change they report (so nothing is sent that did not
//! happen, and nothing that happened is left unsent), then delivered by every serving instance
//! in turn: a message is leased before it is sent, so two instances never send it together,
//! and a lease that runs out (an instance killed mid-send) frees it for another. A channel that
//! is down gets the message again later, with growing pauses, until `MAX_ATTEMPTS`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::Sha256;
use yijia_db::{on_db, on_tx, Backend, Db, Tx};

use crate::config::Config;
use crate::{AppState, Error, Result};

/// How long a sender holds a message before another instance may try it.
const LEASE_MS: i64 = 60_000;
/// Messages taken per round.
const BATCH: i64 = 200;
/// Tries before a message is given up: the pauses between them add up to about two days, so a
/// receiver that is down over a weekend night still gets it.
pub const MAX_ATTEMPTS: i64 = 15;
/// A webhook's receiver must answer within this.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// An HTTP POST of a JSON body to the target URL.
    Webhook,
    /// An e-mail to the target address.
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub community_id: Option<i64>,
    pub channel: Channel,
    /// The URL or the e-mail address.
    pub target: String,
    /// The e-mail's subject; a webhook's event name (sent as `X-Yijia-Event`).
    pub subject: String,
    /// The e-mail's text; a webhook's JSON.
    pub body: String,
    /// A webhook's secret, to sign the body with (`X-Yijia-Signature: sha256=…`); empty: unsigned.
    pub secret: String,
}

/// Writes a message to the outbox in the caller's transaction.
pub async fn put(tx: &mut Tx, m: &Outgoing, now: i64) -> Result<()> {
    let signature = if m.secret.is_empty() {
        String::new()
    } else {
        sign(&m.secret, &m.body)
    };
    on_tx!(tx, |c| sqlx::query(
        "insert into outbox (community_id, channel, target, subject, body, signature, next_at, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $7)"
    )
    .bind(m.community_id)
    .bind(m.channel.as_str())
    .bind(&m.target)
    .bind(&m.subject)
    .bind(&m.body)
    .bind(&signature)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// `sha256=` and the hex HMAC-SHA256 of `body` keyed with `secret`, as receivers check it.
pub fn sign(secret: &str, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// How this instance sends: an HTTP client, and an SMTP relay if one is configured.
pub struct Senders {
    http: reqwest::Client,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    /// Whether webhooks may go to loopback, private or link-local addresses (a receiver on the
    /// same network). Off by default: a community administrator sets the webhook's address, and
    /// must not reach the servers' own network through it.
    private: bool,
}

impl Senders {
    /// `smtp_url` as lettre reads it (`smtps://user:pass@host`, `smtp://host:25?tls=required`,
    /// `smtp://127.0.0.1:2525` for a local relay without TLS); `from` the sender's address.
    pub fn new(smtp_url: Option<&str>, from: &str, private: bool) -> anyhow::Result<Senders> {
        let mut http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("yijia/", env!("CARGO_PKG_VERSION")));
        if !private {
            http = http.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        let http = http.build()?;
        let smtp = match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("YIJIA_SMTP_URL: {e}"))?
                    .timeout(Some(TIMEOUT))
                    .build();
                let from: Mailbox = from.parse().map_err(|e| anyhow::anyhow!("YIJIA_MAIL_FROM: {e}"))?;
                Some((transport, from))
            }
            None => None,
        };
        Ok(Senders { http, smtp, private })
    }

    /// As the settings say: `smtp_url` (empty: e-mails wait), `mail_from` and `webhook_private`.
    pub fn from_config(config: &Config) -> anyhow::Result<Senders> {
        Senders::new(Some(&config.smtp_url), &config.mail_from, config.webhook_private)
    }

    async fn send(&self, m: &Row) -> std::result::Result<(), String> {
        match m.channel.as_str() {
            "webhook" => {
                // A literal address skips the resolver: it is checked here.
                let host = reqwest::Url::parse(&m.target)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned));
                let literal = host
                    .as_deref()
                    .and_then(|h| h.trim_matches(['[', ']']).parse::<IpAddr>().ok());
                if !self.private && literal.is_some_and(|ip| !is_public(ip)) {
                    return Err("address not allowed (private network)".to_owned());
                }
                let mut req = self
                    .http
                    .post(&m.target)
                    .header("content-type", "application/json")
                    .header("x-yijia-event", &m.subject)
                    .header("x-yijia-delivery", m.outbox_id.to_string())
                    .body(m.body.clone());
                if !m.signature.is_empty() {
                    req = req.header("x-yijia-signature", &m.signature);
                }
                let res = req.send().await.map_err(|e| e.to_string())?;
                if res.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("HTTP {}", res.status()))
                }
            }
            "email" => {
                let Some((transport, from)) = &self.smtp else {
                    return Err("e-mail is not set up (YIJIA_SMTP_URL)".to_owned());
                };
                let to: Mailbox = m.target.parse().map_err(|e| format!("address: {e}"))?;
                let mail = lettre::Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(&m.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(m.body.clone())
                    .map_err(|e| e.to_string())?;
                transport.send(mail).await.map(|_| ()).map_err(|e| e.to_string())
            }
            other => Err(format!("unknown channel {other}")),
        }
    }
}

/// Whether a webhook may be sent to an address without `YIJIA_WEBHOOK_PRIVATE`: not loopback,
/// private, link-local (cloud metadata), shared, unspecified or multicast.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// A resolver that answers only public addresses, so a webhook's host name cannot lead into
/// the servers' own network.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err("address not allowed (private network)".into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    outbox_id: i64,
    channel: String,
    target: String,
    subject: String,
    body: String,
    signature: String,
    attempts: i64,
    next_at: i64,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Failed this time, to be tried again later.
    pub retrying: usize,
    /// Failed for the last time.
    pub given_up: usize,
    /// Whether the round found as many due messages as it takes: more may be waiting, and the
    /// next round should follow at once.
    pub full_batch: bool,
}

/// The pause before try `attempts + 1`: 30 s, 1 min, 2 min, … capped at 12 hours.
pub fn pause_ms(attempts: i64) -> i64 {
    let shift = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    (30_000_i64 << shift).min(12 * 3_600_000)
}

/// Tells delivery that the process is stopping: no message is started after that, and those
/// taken but not started are given back at once, for another instance (or the next start) to
/// send. A message already on its way finishes and is recorded, so that none goes twice.
#[derive(Clone, Debug)]
pub struct Stopping(tokio::sync::watch::Receiver<bool>);

impl Stopping {
    /// The flag and the handle that raises it.
    pub fn new() -> (tokio::sync::watch::Sender<bool>, Stopping) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (tx, Stopping(rx))
    }

    /// Delivery that never stops of itself (a test's, a command's).
    pub fn never() -> Stopping {
        Stopping::new().1
    }

    pub fn now(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until stopping is asked for.
    pub async fn wait(&mut self) {
        // An error means the handle is gone, which happens only when the process is ending.
        let _ = self.0.wait_for(|s| *s).await;
    }
}

/// Sends the messages that are due, each once whatever the number of instances. E-mails wait
/// untouched on an instance without a relay (another instance, or this one once configured,
/// sends them).
pub async fn deliver(state: &AppState, senders: &Senders) -> Result<Delivered> {
    deliver_round(state, senders, &Stopping::never()).await
}

/// One round: up to `BATCH` due messages taken in one transaction, sent `AT_ONCE` at a time
/// (`PER_HOST` to one receiver, over the client's kept-alive connections), and their outcomes
/// recorded in one transaction. Sent one by one, with two transactions each and a round every
/// few seconds, two instances delivered 11 to 14 webhooks a second.
pub async fn deliver_round(state: &AppState, senders: &Senders, stopping: &Stopping) -> Result<Delivered> {
    let db = &state.db;
    if stopping.now() {
        return Ok(Delivered::default());
    }
    let leased = lease(db, senders.smtp.is_some(), state.now_ms()).await?;
    let mut out = Delivered {
        full_batch: i64::try_from(leased.len()).unwrap_or(i64::MAX) >= BATCH,
        ..Delivered::default()
    };
    let hosts = Hosts::default();
    let tries: Vec<_> = leased.iter().map(|m| try_one(senders, &hosts, stopping, m)).collect();
    let results: Vec<_> = futures_util::stream::iter(tries).buffered(AT_ONCE).collect().await;
    let now = state.now_ms();
    let outcomes = leased.iter().zip(results).map(|(m, result)| {
        let outcome = match result {
            None => Outcome::NotStarted,
            Some(Ok(())) => {
                out.sent += 1;
                Outcome::Sent
            }
            Some(Err(e)) if m.attempts + 1 >= MAX_ATTEMPTS => {
                tracing::warn!(outbox_id = m.outbox_id, channel = %m.channel, error = %e, "giving up a message");
                out.given_up += 1;
                Outcome::GivenUp(e)
            }
            Some(Err(e)) => {
                tracing::info!(outbox_id = m.outbox_id, channel = %m.channel, error = %e, "message to retry");
                out.retrying += 1;
                Outcome::Retry(now + pause_ms(m.attempts), e)
            }
        };
        (m.outbox_id, outcome)
    });
    let outcomes: Vec<_> = outcomes.collect();
    finish(db, outcomes, now).await?;
    Ok(out)
}

/// Sends one message when its receiver's turn comes; `None` when the process began stopping
/// before that.
async fn try_one(
    senders: &Senders,
    hosts: &Hosts,
    stopping: &Stopping,
    m: &Row,
) -> Option<std::result::Result<(), String>> {
    let _turn = hosts.turn(&m.target).await;
    if stopping.now() {
        return None;
    }
    Some(senders.send(m).await)
}

/// Messages sent at once in a round.
const AT_ONCE: usize = 32;
/// Messages sent at once to one receiver: a community's small server is not flooded.
const PER_HOST: usize = 8;

/// A turn per receiving host, `PER_HOST` of them each.
#[derive(Default)]
struct Hosts(std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Semaphore>>>);

impl Hosts {
    async fn turn(&self, target: &str) -> Option<tokio::sync::OwnedSemaphorePermit> {
        // An e-mail's "host" is its domain: the relay is one, whatever the address.
        let host = reqwest::Url::parse(target)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let gate = {
            let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(host)
                .or_insert_with(|| std::sync::Arc::new(tokio::sync::Semaphore::new(PER_HOST)))
                .clone()
        };
        gate.acquire_owned().await.ok()
    }
}

/// Takes up to `BATCH` due messages for this instance, in one statement: on PostgreSQL the rows
/// another instance is taking at the same moment are skipped rather than waited for (two
/// instances listing the same messages and then queueing on each other's row locks delivered
/// half as fast as one); SQLite has one writer at a time anyway. E-mails are taken only by an
/// instance with a relay.
async fn lease(db: &Db, with_email: bool, now: i64) -> Result<Vec<Row>> {
    let channels = if with_email {
        "('webhook', 'email')"
    } else {
        "('webhook')"
    };
    let skip_locked = match db.backend() {
        Backend::Postgres => "for update skip locked",
        Backend::Sqlite => "",
    };
    // `channels` and `skip_locked` are constants above.
    let sql = format!(
        "update outbox set leased_until = $2, attempts = attempts + 1 where outbox_id in (\
             select outbox_id from outbox where sent_at is null and failed_at is null and next_at <= $1 \
             and (leased_until is null or leased_until <= $1) and channel in {channels} \
             order by next_at limit $3 {skip_locked}) \
         returning outbox_id, channel, target, subject, body, signature, attempts - 1 as attempts, next_at"
    );
    let mut tx = db.begin_write().await?;
    let mut rows: Vec<Row> = on_tx!(&mut tx, |c| sqlx::query_as(&sql)
        .bind(now)
        .bind(now + LEASE_MS)
        .bind(BATCH)
        .fetch_all(&mut *c)
        .await?);
    tx.commit().await?;
    // Oldest first, as they were listed: `returning` keeps no order.
    rows.sort_by_key(|r| (r.next_at, r.outbox_id));
    Ok(rows)
}

/// How a try ended.
enum Outcome {
    Sent,
    /// Failed; tried again at this instant.
    Retry(i64, String),
    GivenUp(String),
    /// Taken, but not sent because the process is stopping: given back as it was.
    NotStarted,
}

/// Records the tries' outcomes and frees their leases, in one transaction: the messages sent,
/// and those given back, a statement each kind; a failure a statement each (few, and each with
/// its own error and next time).
async fn finish(db: &Db, outcomes: Vec<(i64, Outcome)>, now: i64) -> Result<()> {
    let mut sent = Vec::new();
    let mut not_started = Vec::new();
    let mut failed = Vec::new();
    for (id, outcome) in outcomes {
        match outcome {
            Outcome::Sent => sent.push(id),
            Outcome::NotStarted => not_started.push(id),
            Outcome::Retry(next, e) => failed.push((id, None, Some(next), e)),
            Outcome::GivenUp(e) => failed.push((id, Some(now), None, e)),
        }
    }
    let mut tx = db.begin_write().await?;
    // Ids are bound, one placeholder each after the statement's own.
    let each = |ids: &[i64], first: usize| {
        (0..ids.len())
            .map(|i| format!("${}", first + i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for chunk in sent.chunks(ID_CHUNK) {
        let sql = format!(
            "update outbox set sent_at = $1, last_error = '', leased_until = null where outbox_id in ({})",
            each(chunk, 2)
        );
        on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(&sql).bind(now);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *c).await.map(|_| ())?
        });
    }
    for chunk in not_started.chunks(ID_CHUNK) {
        // As they were before this round took them: no try counted.
        let sql = format!(
            "update outbox set attempts = attempts - 1, leased_until = null where outbox_id in ({})",
            each(chunk, 1)
        );
        on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *c).await.map(|_| ())?
        });
    }
    for (id, failed_at, next, error) in failed {
        on_tx!(&mut tx, |c| sqlx::query(
            "update outbox set failed_at = $2, next_at = coalesce($3, next_at), last_error = $4, \
             leased_until = null where outbox_id = $1"
        )
        .bind(id)
        .bind(failed_at)
        .bind(next)
        .bind(error.chars().take(500).collect::<String>())
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    tx.commit().await.map_err(Error::from)
}

/// Ids per statement: far below both databases' limits on placeholders.
const ID_CHUNK: usize = 500;

/// How long a delivered message is kept (to answer "did it go?"); given-up ones stay.
pub const KEEP_SENT_MS: i64 = 30 * 24 * 3_600_000;

/// Deletes the messages delivered more than `KEEP_SENT_MS` ago; returns how many.
pub async fn prune(db: &Db, now: i64) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    let n = on_tx!(&mut tx, |c| sqlx::query("delete from outbox where sent_at < $1")
        .bind(now - KEEP_SENT_MS)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    tx.commit().await?;
    Ok(n)
}

/// Messages not yet sent and those given up, for `/metrics` and the operator.
pub async fn backlog(db: &Db) -> Result<(i64, i64)> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select cast(coalesce(sum(case when sent_at is null and failed_at is null then 1 else 0 end), 0) as bigint), \
         cast(coalesce(sum(case when failed_at is not null then 1 else 0 end), 0) as bigint) from outbox"
    )
    .fetch_one(p)
    .await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_and_stop_growing_at_twelve_hours() {
        assert_eq!(pause_ms(0), 30_000);
        assert_eq!(pause_ms(1), 60_000);
        assert_eq!(pause_ms(4), 480_000);
        assert_eq!(pause_ms(30), 12 * 3_600_000);
    }

    #[test]
    fn webhooks_go_to_public_addresses_only() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["36.110.1.1", "2400:3200::1", "8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn a_signature_is_the_hex_hmac_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
