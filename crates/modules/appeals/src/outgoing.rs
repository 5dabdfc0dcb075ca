//! What the appeals tell the world outside, through the kernel's outbox in the step's own
//! transaction: every step to the community's webhook (an integration such as the district's
//! grid platform), and a party's work to its mailbox when it has one (a property company that
//! works from e-mail).

use serde_json::json;
use yijia_db::Tx;
use yijia_kernel::error::Message;
use yijia_kernel::outbox::{self, Channel, Outgoing};
use yijia_kernel::settings::{self, Kind, Setting};
use yijia_kernel::{AppState, Result};

use crate::model::{Action, Status};
use crate::repo::{self, AppealRow};

fn check_url(v: &str) -> std::result::Result<String, Message> {
    let v = v.trim();
    let parsed = url::Url::parse(v)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    match (v.is_empty(), parsed) {
        (true, _) => Ok(String::new()),
        (false, Some(u)) => Ok(u.to_string()),
        (false, None) => Err(Message::new("appeals.bad_url")),
    }
}

pub const WEBHOOK_URL: Setting = Setting {
    key: "appeals.webhook_url",
    label: "appeals.setting_webhook_url",
    hint: "appeals.setting_webhook_url_hint",
    kind: Kind::Checked {
        max: 500,
        check: check_url,
        show: yijia_kernel::settings::as_stored,
    },
    default: "",
};

pub const WEBHOOK_SECRET: Setting = Setting {
    key: "appeals.webhook_secret",
    label: "appeals.setting_webhook_secret",
    hint: "appeals.setting_webhook_secret_hint",
    kind: Kind::Secret { max: 200 },
    default: "",
};

/// What happened, for the outside: `appeal.dispatch`, `appeal.overdue`…, and in Chinese for mail.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub code: &'static str,
    pub zh: &'static str,
}

impl Event {
    pub fn of(action: Action) -> Event {
        Event {
            code: action.as_str(),
            zh: action.zh(),
        }
    }
}

/// Writes the outside messages of an event: to the webhook, and an e-mail to `party` (whose
/// members it concerns) if it has an address.
pub async fn send(
    tx: &mut Tx,
    state: &AppState,
    a: &AppealRow,
    event: Event,
    party: Option<i64>,
    now: i64,
) -> Result<()> {
    let url = settings::current(state, &mut *tx, a.community_id, &WEBHOOK_URL).await?;
    if !url.is_empty() {
        // What an integration needs to follow the case; never the requester's name or number,
        // nor the description, which residents write their names into.
        let body = json!({
            "event": format!("appeal.{}", event.code),
            "appeal_id": a.appeal_id,
            "community_id": a.community_id,
            "status": a.status,
            "category": a.category_name,
            "party_id": a.party_id,
            "grid_id": a.grid_id,
            "dispatch_due_at": a.dispatch_due_at,
            "reply_due_at": a.reply_due_at,
            "at": now,
            "url": link(state, a),
        });
        let out = Outgoing {
            community_id: Some(a.community_id),
            channel: Channel::Webhook,
            target: url,
            subject: format!("appeal.{}", event.code),
            body: body.to_string(),
            secret: settings::current(state, &mut *tx, a.community_id, &WEBHOOK_SECRET).await?,
        };
        outbox::put(tx, &out, now).await?;
    }
    let Some(p) = party else {
        return Ok(());
    };
    let Some(p) = repo::party(&mut *tx, p)
        .await?
        .filter(|p| !p.email.is_empty() && p.retired_at.is_none())
    else {
        return Ok(());
    };
    let status = Status::parse(&a.status).map_or(a.status.as_str(), |s| s.zh());
    let tz = yijia_kernel::community::by_id(&mut *tx, a.community_id)
        .await?
        .map_or_else(|| "Asia/Shanghai".to_owned(), |c| c.time_zone);
    let due = a.reply_due_at.map_or(String::new(), |d| {
        format!("\n办理时限：{}", yijia_kernel::clock::format_local(d, &tz))
    });
    let out = Outgoing {
        community_id: Some(a.community_id),
        channel: Channel::Email,
        target: p.email,
        subject: format!("【驿家】诉求 #{}（{}）：{}", a.appeal_id, a.category_name, event.zh),
        body: format!(
            "{}：\n\n诉求 #{}（{}）{}。\n当前状态：{}{}\n\n请登录驿家查看和办理：{}\n\n（本邮件由驿家自动发送，请勿直接回复。）\n",
            p.name,
            a.appeal_id,
            a.category_name,
            event.zh,
            status,
            due,
            link(state, a)
        ),
        secret: String::new(),
    };
    outbox::put(tx, &out, now).await
}

/// The appeal's page, as a full address when the operator says where Yijia is reached.
fn link(state: &AppState, a: &AppealRow) -> String {
    format!("{}/appeals/{}", state.config.public_url, a.appeal_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_address_is_a_web_address_or_nothing() {
        assert_eq!(check_url(" "), Ok(String::new()));
        assert_eq!(
            check_url("https://grid.example.cn/hook"),
            Ok("https://grid.example.cn/hook".to_owned())
        );
        for bad in ["ftp://x.cn/a", "javascript:alert(1)", "grid.example.cn", "https://"] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
