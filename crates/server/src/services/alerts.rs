//! Alerts of opinion monitoring (舆情预警): raised once per family of items and level (a
//! repost at the same level is not raised again, a louder one is), shown to the publicity
//! staff as notifications in the newsroom, and sent to the channels staff set up: e-mail
//! (lettre, through the hospital's SMTP server) and 企业微信 / 钉钉 group robots. A channel's
//! quiet hours hold all but red alerts until they end; failed sends are retried with
//! back-off and their error shown on the alert.

use std::time::Duration;

use serde::Deserialize;
use yuanxun_core::clock;
use yuanxun_monitor::alert::{worth_sending, QuietHours};
use yuanxun_monitor::{AlertLevel, Category};
use yuanxun_store::incidents::{self as store, Channel, ChannelFields};
use yuanxun_store::AnyConnection;

use super::{audit, line};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// The kinds of channel, as forms name them.
pub const KINDS: [(&str, &str); 3] = [("email", "电子邮件"), ("wecom", "企业微信群机器人"), ("dingtalk", "钉钉群机器人")];
/// Tries of one delivery before it is left failed.
pub const MAX_ATTEMPTS: i64 = 5;

fn require_staff(actor: &Actor) -> ServiceResult<()> {
    super::require_publicity_staff(actor, "管理舆情预警")
}

/// An item that reached an alert level, as `raise` needs it.
pub struct Raised<'a> {
    pub item_id: i64,
    /// The first item of its family (itself when it is not a copy).
    pub family_id: i64,
    pub level: AlertLevel,
    pub reason: &'a str,
    pub title: &'a str,
    pub source_name: &'a str,
}

/// Raises an alert for `r` unless its family was already alerted at this level or louder:
/// notifications for the publicity staff, a delivery for every enabled channel that takes
/// the level (due at once, or when the channel's quiet hours end). The alert's id, if raised.
pub async fn raise(c: &mut AnyConnection, site: i64, r: &Raised<'_>, now: i64) -> ServiceResult<Option<i64>> {
    let loudest = store::family_levels(c, site, r.family_id).await?.iter().filter_map(|l| AlertLevel::from_key(l)).min();
    if !worth_sending(loudest, r.level) {
        return Ok(None);
    }
    let id = store::insert_alert(c, site, r.family_id, r.item_id, r.level.key(), r.reason, now).await?;
    let short: String = r.title.chars().take(60).collect();
    let title = format!("【{}预警】{short}", r.level.label());
    let body = format!("来源：{}。{}", r.source_name, r.reason);
    let link = format!("/admin/monitor/items/{}", r.item_id);
    for u in yuanxun_store::users::list(c, site).await? {
        if u.active && matches!(u.role, yuanxun_core::Role::Editor | yuanxun_core::Role::ChiefEditor) {
            yuanxun_store::notifications::notify(c, site, u.id, "alert", &title, &body, &link, now).await?;
        }
    }
    for ch in store::list_channels(c, site).await?.into_iter().filter(|ch| ch.enabled) {
        let min = AlertLevel::from_key(&ch.min_level).unwrap_or(AlertLevel::Blue);
        if r.level > min {
            continue;
        }
        store::insert_delivery(c, id, ch.id, quiet_of(&ch).map_or(now, |q| q.release(r.level, now))).await?;
    }
    Ok(Some(id))
}

fn quiet_of(ch: &Channel) -> Option<QuietHours> {
    match (ch.quiet_from, ch.quiet_to) {
        (Some(from), Some(to)) => Some(QuietHours { from: from as u16, to: to as u16 }),
        _ => None,
    }
}

/// A channel as the form submits it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChannelInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub name: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub kind: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub target: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub secret: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub min_level: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub quiet: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub enabled: String,
}

struct CheckedChannel {
    name: String,
    kind: &'static str,
    target: String,
    secret: String,
    min_level: AlertLevel,
    quiet: Option<QuietHours>,
    enabled: bool,
}

fn checked(input: &ChannelInput, outbound: &yuanxun_net::Outbound) -> ServiceResult<CheckedChannel> {
    let name = line(&input.name, "名称", true, 60)?;
    let kind = KINDS.iter().find(|(k, _)| *k == input.kind.trim()).map(|(k, _)| *k).ok_or_else(|| ServiceError::Invalid("请选择发送方式：电子邮件、企业微信或钉钉".into()))?;
    let target = input.target.trim().to_string();
    if target.is_empty() {
        return Err(ServiceError::Invalid(if kind == "email" { "请填写收件地址（每行一个）".into() } else { "请填写群机器人的 Webhook 地址".into() }));
    }
    if kind == "email" {
        for a in addresses(&target) {
            if a.parse::<lettre::Address>().is_err() {
                return Err(ServiceError::Invalid(format!("“{a}”不是有效的电子邮件地址")));
            }
        }
    } else if !(target.starts_with("https://") || target.starts_with("http://")) || target.contains(char::is_whitespace) {
        return Err(ServiceError::Invalid("Webhook 地址应以 https:// 开头：请从群机器人的设置中复制完整地址".into()));
    } else if outbound.check(&target) == Err(yuanxun_net::UrlProblem::Refused) {
        return Err(ServiceError::Invalid(format!("{}：群机器人的地址应是企业微信或钉钉的公网地址", yuanxun_net::REFUSED)));
    }
    let secret = line(&input.secret, "加签密钥", false, 200)?;
    let min_level = AlertLevel::from_key(input.min_level.trim()).unwrap_or(AlertLevel::Blue);
    let quiet = QuietHours::parse(&input.quiet).map_err(ServiceError::Invalid)?;
    Ok(CheckedChannel { name, kind, target, secret, min_level, quiet, enabled: matches!(input.enabled.as_str(), "on" | "true" | "1") })
}

fn addresses(target: &str) -> impl Iterator<Item = &str> {
    target.split(['\n', ',', '，', ';', '；']).map(str::trim).filter(|a| !a.is_empty())
}

/// Adds a channel (`id` none) or changes one.
pub async fn save_channel(state: &AppState, actor: &Actor, id: Option<i64>, input: &ChannelInput) -> ServiceResult<i64> {
    require_staff(actor)?;
    let ch = checked(input, &state.config.outbound)?;
    let f = ChannelFields { name: &ch.name, kind: ch.kind, target: &ch.target, secret: &ch.secret, min_level: ch.min_level.key(), quiet: ch.quiet.map(|q| (i64::from(q.from), i64::from(q.to))), enabled: ch.enabled };
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let id = match id {
        Some(id) => {
            store::update_channel(tx.conn(), site, id, &f).await?;
            id
        }
        None => store::create_channel(tx.conn(), site, &f, clock::now()).await?,
    };
    audit(tx.conn(), site, actor, "monitor_channel_save", "monitor_channel", id, format!("{}（{}）", ch.name, ch.kind)).await?;
    tx.commit().await?;
    Ok(id)
}

/// A channel with its quiet hours as text, for the page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChannelView {
    #[serde(flatten)]
    pub channel: Channel,
    pub quiet: String,
    pub kind_label: &'static str,
    pub level_label: &'static str,
}

pub async fn channels(state: &AppState, actor: &Actor) -> ServiceResult<Vec<ChannelView>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(store::list_channels(&mut c, state.site_id())
        .await?
        .into_iter()
        .map(|ch| ChannelView {
            quiet: quiet_of(&ch).map(|q| q.label()).unwrap_or_default(),
            kind_label: KINDS.iter().find(|(k, _)| *k == ch.kind).map_or("", |(_, l)| l),
            level_label: AlertLevel::from_key(&ch.min_level).map_or("", |l| l.label()),
            channel: ch,
        })
        .collect())
}

/// Sends a test message through a channel now; what the channel answered.
pub async fn test_channel(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<Result<(), String>> {
    require_staff(actor)?;
    let ch = {
        let mut c = state.store.conn().await?;
        store::get_channel(&mut c, state.site_id(), id).await?
    };
    let msg = Message { title: "【测试】院讯舆情预警通道".into(), lines: vec![format!("这是一条测试消息，由{}发送。收到即表示“{}”可以接收预警。", actor.user.display_name, ch.name)] };
    Ok(send(state, &http_client(state), &ch, &msg).await)
}

/// Alerts for the list page.
pub async fn alerts(state: &AppState, actor: &Actor, open_only: bool) -> ServiceResult<Vec<store::Alert>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(store::list_alerts(&mut c, state.site_id(), open_only, 300).await?)
}

/// How each alert of an item went out, for the item's page.
pub async fn deliveries(state: &AppState, actor: &Actor, alert_id: i64) -> ServiceResult<Vec<store::DeliveryLine>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    store::get_alert(&mut c, state.site_id(), alert_id).await?;
    Ok(store::deliveries_of(&mut c, alert_id).await?)
}

/// Marks an alert as seen and taken in hand (已知悉).
pub async fn ack(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<()> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let a = store::get_alert(tx.conn(), site, id).await?;
    if store::ack_alert(tx.conn(), site, id, actor.user.id, clock::now()).await? {
        audit(tx.conn(), site, actor, "monitor_alert_ack", "monitor_alert", id, format!("已知悉：{}", a.title)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a channel is sent: a title and a few lines.
#[derive(Debug, Clone)]
pub struct Message {
    pub title: String,
    pub lines: Vec<String>,
}

fn message_of(state: &AppState, a: &store::Alert, body: &str) -> Message {
    let level = AlertLevel::from_key(&a.level).map_or("", |l| l.label());
    let category = Category::from_key(&a.category).filter(|c| *c != Category::Other).map(|c| format!("，{}", c.label())).unwrap_or_default();
    let excerpt: String = body.chars().take(120).collect();
    let mut lines = vec![
        format!("来源：{}", a.source_name),
        format!("情感：{:.2}{category}", a.sentiment as f32 / 1000.0),
        format!("依据：{}", a.reason),
    ];
    if !excerpt.is_empty() {
        lines.push(format!("摘要：{excerpt}{}", if body.chars().count() > 120 { "……" } else { "" }));
    }
    if !a.url.is_empty() {
        lines.push(format!("原文：{}", a.url));
    }
    let base = state.config.public_url.as_deref().unwrap_or("").trim_end_matches('/');
    lines.push(format!("处置：{base}/admin/monitor/items/{}", a.item_id));
    Message { title: format!("【{level}预警】{}", a.title), lines }
}

/// The robots' client: the outbound policy, no redirects, ten seconds.
fn http_client(state: &AppState) -> reqwest::Client {
    let opts = yuanxun_net::ClientOptions {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(10),
        max_redirects: 0,
        user_agent: concat!("Yuanxun-alerts/", env!("CARGO_PKG_VERSION")).into(),
    };
    state.config.outbound.client(&opts)
}

/// Sends `msg` through `ch`; the error in words when it did not go.
pub async fn send(state: &AppState, client: &reqwest::Client, ch: &Channel, msg: &Message) -> Result<(), String> {
    match ch.kind.as_str() {
        "email" => send_email(state, ch, msg).await,
        "wecom" => {
            let content = format!("**{}**\n{}", msg.title, msg.lines.iter().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n"));
            post_robot(client, &state.config.outbound, &ch.target, &serde_json::json!({ "msgtype": "markdown", "markdown": { "content": content } })).await
        }
        "dingtalk" => {
            let text = format!("### {}\n\n{}", msg.title, msg.lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n"));
            let url = if ch.secret.is_empty() { ch.target.clone() } else { dingtalk_signed(&ch.target, &ch.secret, clock::now() * 1000) };
            post_robot(client, &state.config.outbound, &url, &serde_json::json!({ "msgtype": "markdown", "markdown": { "title": msg.title, "text": text } })).await
        }
        other => Err(format!("未知的发送方式 {other}")),
    }
}

/// 钉钉's signed webhook: `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret,
/// "timestamp\nsecret")), URL-encoded, appended to the robot's address.
pub fn dingtalk_signed(url: &str, secret: &str, timestamp_ms: i64) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let sign: String = form_urlencoded::byte_serialize(sign.as_bytes()).collect();
    format!("{url}{}timestamp={timestamp_ms}&sign={sign}", if url.contains('?') { '&' } else { '?' })
}

/// Posts to a group robot; both robots answer `{"errcode": 0}` when the message was taken.
async fn post_robot(client: &reqwest::Client, outbound: &yuanxun_net::Outbound, url: &str, body: &serde_json::Value) -> Result<(), String> {
    outbound.check(url).map_err(|e| e.to_string())?;
    let resp = client.post(url).json(body).send().await.map_err(|e| {
        if yuanxun_net::is_refused(&e) {
            yuanxun_net::REFUSED.to_string()
        } else if e.is_timeout() {
            "群机器人 10 秒内没有应答".to_string()
        } else if e.is_connect() {
            "连不上群机器人的地址：请检查网络或地址".to_string()
        } else {
            format!("发送失败：{e}")
        }
    })?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("群机器人答复 HTTP {}", status.as_u16()));
    }
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|_| "群机器人的答复看不懂（不是 JSON）".to_string())?;
    match v.get("errcode").and_then(|c| c.as_i64()) {
        Some(0) => Ok(()),
        Some(code) => Err(format!("群机器人拒收：{} {}", code, v.get("errmsg").and_then(|m| m.as_str()).unwrap_or(""))),
        None => Err("群机器人的答复中没有 errcode".into()),
    }
}

async fn send_email(state: &AppState, ch: &Channel, msg: &Message) -> Result<(), String> {
    use lettre::message::header::ContentType;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let Some(url) = state.config.smtp_url.as_deref() else {
        return Err("没有配置发信服务器：请系统管理员设置 YUANXUN_SMTP_URL（如 smtps://用户名:密码@smtp.example.com）".into());
    };
    let from: lettre::message::Mailbox = state.config.smtp_from.parse().map_err(|_| format!("发信地址 {} 无效（YUANXUN_SMTP_FROM）", state.config.smtp_from))?;
    let mut builder = lettre::Message::builder().from(from).subject(&msg.title).header(ContentType::TEXT_PLAIN);
    for a in addresses(&ch.target) {
        builder = builder.to(a.parse().map_err(|_| format!("“{a}”不是有效的电子邮件地址"))?);
    }
    let mail = builder.body(format!("{}\n\n{}\n\n—— 院讯舆情监测", msg.title, msg.lines.join("\n"))).map_err(|e| format!("邮件生成失败：{e}"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("发信服务器地址无效：{e}"))?.timeout(Some(Duration::from_secs(15))).build();
    transport.send(mail).await.map(|_| ()).map_err(|e| format!("发信服务器拒绝或无法连接：{e}"))
}

/// Sends the deliveries whose time has come; how many went out.
pub async fn deliver_due(state: &AppState) -> ServiceResult<usize> {
    let now = clock::now();
    let due = {
        let mut c = state.store.conn().await?;
        store::due_deliveries(&mut c, state.site_id(), now, MAX_ATTEMPTS, 50).await?
    };
    if due.is_empty() {
        return Ok(0);
    }
    let client = http_client(state);
    let mut sent = 0;
    for d in due {
        let msg = message_of(state, &d.alert, &d.body);
        let result = send(state, &client, &d.channel, &msg).await;
        let mut tx = state.store.begin().await?;
        match &result {
            Ok(()) => {
                store::delivered(tx.conn(), d.id, clock::now()).await?;
                sent += 1;
            }
            Err(e) => {
                // One minute, then 2, 4, 8: a robot down for a quarter of an hour still gets it.
                let next = clock::now() + 60 * (1 << d.attempts.clamp(0, 6));
                tracing::warn!("alert {} to channel {}: {e}", d.alert.id, d.channel.id);
                store::delivery_failed(tx.conn(), d.id, e, next).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_signature_matches_the_documented_recipe() {
        // Computed independently with Python's hmac/hashlib/base64/urllib for this key and time.
        let url = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=abc", "SEC123", 1_700_000_000_000);
        assert!(url.starts_with("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign="), "{url}");
        assert_eq!(url.rsplit("sign=").next().unwrap(), EXPECTED_SIGN);
    }

    const EXPECTED_SIGN: &str = "lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ%3D";
}
