//! The outbox: an appeal's steps reach the community's webhook, signed, and a party's mailbox,
//! through real clients (reqwest, lettre) to real listeners on this machine; a receiver that is
//! down gets the message later, and two instances delivering at once send each message once.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use yijia_kernel::outbox::{self, Senders};

use crate::appeals::{act, as_user, catalogue, leak};
use crate::{demo_app, PW};

/// What the webhook receiver saw: each call's status answered, headers and body.
type Calls = Arc<Mutex<Vec<(u16, HeaderMap, String)>>>;

/// A webhook receiver on a free port that answers 503 to its first `failures` calls.
async fn receiver(failures: usize) -> (String, Calls) {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let mut calls = seen.lock().unwrap();
                let status = if calls.len() < failures {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                };
                calls.push((status.as_u16(), headers, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), calls)
}

/// The messages a mail server took: each one's envelope recipients and data.
type Mails = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A mail server that takes every message (plain SMTP, as a local relay speaks it).
async fn mail_sink() -> (String, Mails) {
    let got: Mails = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let keep = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        w.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        keep.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    w.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (format!("smtp://{addr}"), got)
}

/// A resident's leak, accepted by the desk and sent to a party made for it with an e-mail
/// address (a property company that works from its mailbox); the appeal's id.
async fn dispatched_to_new_party(app: &yijia_testkit::TestApp, name: &str, email: &str) -> Value {
    let made = as_user(app, "xlg.admin")
        .await
        .post_json(
            "/api/v1/communities/1/appeal-parties",
            &json!({ "kind": "property", "name": name, "email": email }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text());
    let (mut resident, id) = leak(app).await;
    let (_, parties) = catalogue(&mut resident).await;
    let mut desk = as_user(app, "xlg.staff").await;
    assert_eq!(act(&mut desk, &id, json!({ "action": "accept" })).await.0, 200);
    let party = parties[name]["party_id"].clone();
    let sent = act(
        &mut desk,
        &id,
        json!({ "action": "dispatch", "party": party, "reason": "这个小区由它负责" }),
    )
    .await;
    assert_eq!(sent.0, 200, "{}", sent.1);
    id
}

#[tokio::test]
async fn steps_reach_the_webhook_signed_and_the_partys_mailbox_and_a_receiver_that_was_down_gets_them_later() {
    let app = demo_app().await;
    let (hook, calls) = receiver(1).await;
    let (smtp, mails) = mail_sink().await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let set = admin
        .post_form(
            "/structure/communities/1/settings",
            &[
                ("appeals.webhook_url", hook.as_str()),
                ("appeals.webhook_secret", "s3cret-西柳沟"),
            ],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.text());
    let logged: i64 = yijia_db::on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from audit_event where action = 'community.settings' \
         and after_json like '%(secret)%' and after_json not like '%s3cret%'"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(logged, 1, "the audit log says the secret was set, not what it is");
    let bad = admin
        .post_form(
            "/structure/communities/1/settings",
            &[("appeals.webhook_url", "ftp://x.cn/a")],
        )
        .await;
    assert_eq!(bad.status, 422);

    // A property company that works from its mailbox.
    let mut api_admin = as_user(&app, "xlg.admin").await;
    let bad_mail = api_admin
        .post_json(
            "/api/v1/communities/1/appeal-parties",
            &json!({ "kind": "property", "name": "海亮物业", "email": "not-an-address" }),
        )
        .await;
    assert_eq!(bad_mail.status, 422, "{}", bad_mail.text());
    let bad_mail = as_user(&app, "xlg.admin")
        .await
        .post_json(
            "/api/v1/communities/1/appeal-parties",
            &json!({ "kind": "property", "name": "海亮物业", "email": "not-an-address" }),
        )
        .await;
    assert_eq!(bad_mail.status, 422, "{}", bad_mail.text());
    let id = dispatched_to_new_party(&app, "海亮物业", "kefu@hailiang-wuye.example.cn").await;

    // Two instances deliver at once: every message goes once; the receiver's first answer is 503.
    // The receiver is on this machine: private addresses allowed, as YIJIA_WEBHOOK_PRIVATE=1 does.
    let senders = Senders::new(Some(&smtp), "驿家 <noreply@xlg.example.cn>", true).unwrap();
    let (x, y) = tokio::join!(
        outbox::deliver(&app.state, &senders),
        outbox::deliver(&app.state, &senders)
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!((x.sent + y.sent, x.retrying + y.retrying), (3, 1), "{x:?} {y:?}");
    assert_eq!(outbox::backlog(app.handle()).await.unwrap(), (1, 0));
    // Not yet due again; then, after the pause, delivered.
    assert_eq!(outbox::deliver(&app.state, &senders).await.unwrap().sent, 0);
    app.state.clock.advance_ms(outbox::pause_ms(0));
    assert_eq!(outbox::deliver(&app.state, &senders).await.unwrap().sent, 1);
    assert_eq!(outbox::backlog(app.handle()).await.unwrap(), (0, 0));
    // Delivered messages are kept a month, then cleaned up.
    assert_eq!(outbox::prune(app.handle(), app.state.now_ms()).await.unwrap(), 0);
    let later = app.state.now_ms() + outbox::KEEP_SENT_MS + 60_000;
    assert_eq!(outbox::prune(app.handle(), later).await.unwrap(), 4);

    let seen = calls.lock().unwrap().clone();
    let mut events: Vec<String> = seen
        .iter()
        .filter(|(status, _, _)| *status == 200)
        .map(|(_, headers, body)| {
            let event = headers["x-yijia-event"].to_str().unwrap().to_owned();
            assert_eq!(
                headers["x-yijia-signature"].to_str().unwrap(),
                outbox::sign("s3cret-西柳沟", body),
                "signed with the community's secret"
            );
            let v: Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["event"], event.as_str());
            assert_eq!(v["appeal_id"], id);
            assert!(
                !body.contains("13912345678") && !body.contains("顶棚"),
                "no personal data: {body}"
            );
            event
        })
        .collect();
    events.sort();
    assert_eq!(events, ["appeal.accept", "appeal.dispatch", "appeal.submit"]);
    assert_eq!(seen.len(), 4, "one failed call and three delivered, none twice");

    {
        let mails = mails.lock().unwrap();
        assert_eq!(mails.len(), 1, "the party hears of its dispatch");
        assert_eq!(mails[0].0, ["kefu@hailiang-wuye.example.cn"]);
        assert!(mails[0].1.contains("noreply@xlg.example.cn"));
    }

    // Its deadline missed, the deadline watch tells the integration and the party's mailbox too.
    app.state.clock.advance_ms(30 * 24 * 3_600_000);
    // (The demo's other open appeals are overdue by then too: the webhook hears of each.)
    assert!(yijia_appeals::sweep::sweep(&app.state).await.unwrap().overdue >= 1);
    assert!(outbox::deliver(&app.state, &senders).await.unwrap().sent >= 2);
    let ours = calls.lock().unwrap().iter().any(|(_, headers, body)| {
        let v: Value = serde_json::from_str(body).unwrap();
        headers["x-yijia-event"] == "appeal.overdue" && v["appeal_id"] == id
    });
    assert!(ours, "the integration hears it is overdue");
    assert_eq!(mails.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn mail_waits_for_a_relay_and_a_webhook_into_the_private_network_is_given_up_after_the_last_try() {
    let app = demo_app().await;
    let (hook, calls) = receiver(0).await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let set = admin
        .post_form(
            "/structure/communities/1/settings",
            &[("appeals.webhook_url", hook.as_str())],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.text());
    dispatched_to_new_party(&app, "区水务局", "shuiwu@example.cn").await;

    // An instance without a relay leaves the mail alone; the webhook (127.0.0.1, not allowed by
    // default) fails every try and is given up at the last one.
    let no_relay = Senders::new(None, "驿家 <noreply@xlg.example.cn>", false).unwrap();
    for attempt in 0..outbox::MAX_ATTEMPTS {
        let round = outbox::deliver(&app.state, &no_relay).await.unwrap();
        let last = attempt + 1 == outbox::MAX_ATTEMPTS;
        // Three webhook events: submitted, accepted, dispatched.
        let (retrying, given_up) = if last { (0, 3) } else { (3, 0) };
        assert_eq!((round.sent, round.retrying, round.given_up), (0, retrying, given_up));
        app.state.clock.advance_ms(outbox::pause_ms(attempt));
    }
    assert!(calls.lock().unwrap().is_empty(), "nothing reached the private address");
    assert_eq!(outbox::backlog(app.handle()).await.unwrap(), (1, 3), "the mail waits");
    let metrics = app.client().get("/metrics").await.text();
    assert!(
        metrics.contains("yijia_outbox_waiting 1") && metrics.contains("yijia_outbox_given_up 3"),
        "the operator sees it: {metrics}"
    );
    // A relay set up later sends the waiting mail.
    let (smtp, mails) = mail_sink().await;
    let relay = Senders::new(Some(&smtp), "驿家 <noreply@xlg.example.cn>", false).unwrap();
    assert_eq!(outbox::deliver(&app.state, &relay).await.unwrap().sent, 1);
    assert_eq!(mails.lock().unwrap()[0].0, ["shuiwu@example.cn"]);
}

/// A stop asked for while messages are on their way (SIGTERM during a round): those being sent
/// finish and are recorded, those taken but not started are given back at once as they were, and
/// the next round sends them: every message reaches the receiver once. Before, the sender was
/// dropped between the POST and its record, and the message went again when its lease ran out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_during_delivery_sends_nothing_twice_and_gives_back_what_was_not_started() {
    let app = crate::app().await;
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let first = Arc::new(tokio::sync::Notify::new());
    let (seen, arrived) = (got.clone(), first.clone());
    let slow = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let (seen, arrived) = (seen.clone(), arrived.clone());
            async move {
                seen.lock()
                    .unwrap()
                    .push(headers["x-yijia-delivery"].to_str().unwrap().to_owned());
                arrived.notify_one();
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, slow).await });

    const N: usize = 20;
    let mut tx = app.handle().begin_write().await.unwrap();
    for i in 0..N {
        let m = outbox::Outgoing {
            community_id: None,
            channel: outbox::Channel::Webhook,
            target: url.clone(),
            subject: "test.event".into(),
            body: json!({ "n": i }).to_string(),
            secret: String::new(),
        };
        outbox::put(&mut tx, &m, app.state.now_ms()).await.unwrap();
    }
    tx.commit().await.unwrap();

    let senders = Senders::new(None, "驿家 <noreply@xlg.example.cn>", true).unwrap();
    let (stop, stopping) = outbox::Stopping::new();
    let (round, ()) = tokio::join!(outbox::deliver_round(&app.state, &senders, &stopping), async {
        first.notified().await;
        stop.send(true).unwrap();
    });
    let round = round.unwrap();
    assert!(
        (1..N).contains(&round.sent),
        "some went before the stop, not all: {round:?}"
    );
    assert_eq!(round.retrying + round.given_up, 0, "{round:?}");
    let given_back: i64 = yijia_db::on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from outbox where sent_at is null and leased_until is null and attempts = 0"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(
        given_back as usize,
        N - round.sent,
        "the rest are free for the next round at once"
    );

    let next = outbox::deliver(&app.state, &senders).await.unwrap();
    assert_eq!(next.sent, N - round.sent);
    let mut ids = got.lock().unwrap().clone();
    assert_eq!(ids.len(), N, "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "no message went twice");
}
