//! The register of outlets (阵地) and the distribution of articles to them: the website
//! automatically on publish; WeChat and the hospital's other outlets with date and link;
//! submissions to outside media (上报) with level and whether they were adopted (录用).
//! Every change is audited; only the publicity department's staff (`Role::runs_outlets`)
//! may see or change any of it.

use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_core::outlet::{parse_date, review_state, Adoption, MediaLevel, OutletKind, OutletStatus, ReviewState};
use yuanxun_store::outlets::{self, Distribution, DistributionFields, Outlet, OutletFields};
use yuanxun_store::{articles, users, AnyConnection};

use super::{audit, date_or_today, line, loose_text, optional_department, optional_id};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

fn require_staff(actor: &Actor) -> ServiceResult<()> {
    super::require_publicity_staff(actor, "管理宣传阵地和稿件分发")
}

/// An outlet as forms and the API submit it (every field as text, as typed).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutletInput {
    #[serde(default, deserialize_with = "loose_text")]
    pub kind: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub name: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub url: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub department_id: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub owner_id: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub owner_name: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub level: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub status: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub review_every_days: String,
}

/// An outlet with its labels and review state, as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct OutletView {
    #[serde(flatten)]
    pub outlet: Outlet,
    pub kind_label: &'static str,
    pub level_label: &'static str,
    pub status_label: &'static str,
    pub review: ReviewState,
    pub review_text: String,
    pub needs_review: bool,
    pub distributions: i64,
}

fn view(o: Outlet, today: time::Date, distributions: i64) -> OutletView {
    let kind = OutletKind::parse(&o.kind).unwrap_or(OutletKind::Website);
    let level = MediaLevel::parse(&o.level).unwrap_or(MediaLevel::Internal);
    let status = OutletStatus::parse(&o.status).unwrap_or(OutletStatus::Active);
    let last = o.last_reviewed_on.as_deref().and_then(parse_date);
    let review = review_state(status, last, o.review_every_days, today);
    OutletView { kind_label: kind.label(), level_label: level.label(), status_label: status.label(), review_text: review.describe(), needs_review: review.needs_attention(), review, distributions, outlet: o }
}

/// A link: empty, or an http(s) address.
fn link(s: &str) -> ServiceResult<String> {
    let s = line(s, "链接", false, 500)?;
    if !(s.is_empty() || s.starts_with("https://") || s.starts_with("http://")) {
        return Err(ServiceError::Invalid("链接须以 http:// 或 https:// 开头，例如 https://mp.weixin.qq.com/s/…".into()));
    }
    Ok(s)
}

/// An outlet's fields, checked.
struct Checked {
    kind: OutletKind,
    name: String,
    url: String,
    department_id: Option<i64>,
    owner_id: Option<i64>,
    owner_name: String,
    level: MediaLevel,
    status: OutletStatus,
    every: i64,
}

/// Checks an outlet's fields and fills in what may be left out.
async fn fields(c: &mut AnyConnection, site: i64, input: &OutletInput) -> ServiceResult<Checked> {
    let kind = OutletKind::parse(&input.kind).ok_or_else(|| ServiceError::Invalid("请选择阵地类型（网站、微信公众号、微博、抖音/视频号、LED屏、候诊区电视、院报/印刷品或外部媒体）".into()))?;
    let name = line(&input.name, "阵地名称", true, 60)?;
    let url = link(&input.url)?;
    let department_id = optional_department(c, site, &input.department_id, "主管科室").await?;
    let owner_id = optional_id(&input.owner_id, "负责人")?;
    let mut owner_name = line(&input.owner_name, "负责人姓名", false, 40)?;
    if let Some(u) = owner_id {
        let user = users::get(c, site, u).await.map_err(|_| ServiceError::Invalid("负责人不存在，请从列表中选择".into()))?;
        if owner_name.is_empty() {
            owner_name = user.display_name;
        }
    }
    if owner_name.is_empty() {
        return Err(ServiceError::Invalid("请填写负责人：谁建立谁负责，每个阵地都要有人负责".into()));
    }
    let level = match input.level.trim() {
        "" if kind.is_own() => MediaLevel::Internal,
        "" => return Err(ServiceError::Invalid("外部媒体请选择媒体级别（国家级、省级、市级、县级）".into())),
        s => MediaLevel::parse(s).ok_or_else(|| ServiceError::Invalid("媒体级别无效，请从列表中选择".into()))?,
    };
    let status = match input.status.trim() {
        "" => OutletStatus::Active,
        s => OutletStatus::parse(s).ok_or_else(|| ServiceError::Invalid("状态无效，请从列表中选择".into()))?,
    };
    let every = match input.review_every_days.trim() {
        "" => 90,
        s => s.parse::<i64>().ok().filter(|d| (7..=366).contains(d)).ok_or_else(|| ServiceError::Invalid("检查周期须为 7 到 366 天".into()))?,
    };
    Ok(Checked { kind, name, url, department_id, owner_id, owner_name, level, status, every })
}

/// Registers an outlet, or changes one.
pub async fn save(state: &AppState, actor: &Actor, id: Option<i64>, input: &OutletInput) -> ServiceResult<OutletView> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let Checked { kind, name, url, department_id, owner_id, owner_name, level, status, every } = fields(tx.conn(), site, input).await?;
    let f = OutletFields { kind: kind.code(), name: &name, url: &url, department_id, owner_id, owner_name: &owner_name, level: level.code(), status: status.code(), review_every_days: every };
    let action = if id.is_some() { "outlet_update" } else { "outlet_create" };
    let id = match id {
        Some(id) => {
            outlets::update(tx.conn(), site, id, &f).await.map_err(duplicate_name)?;
            id
        }
        None => outlets::create(tx.conn(), site, &f, clock::now()).await.map_err(duplicate_name)?,
    };
    let detail = format!("{}「{name}」，负责人 {owner_name}，{}，每 {every} 天检查", kind.label(), status.label());
    audit(tx.conn(), site, actor, action, "outlet", id, detail).await?;
    let o = outlets::get(tx.conn(), site, id).await?;
    tx.commit().await?;
    Ok(view(o, clock::date(clock::now()), 0))
}

fn duplicate_name(e: yuanxun_store::StoreError) -> ServiceError {
    if e.is_unique_violation() {
        ServiceError::Conflict("已有同名阵地，请换一个名称，或修改已有的那一个".into())
    } else {
        e.into()
    }
}

/// Records that an outlet was reviewed (检查) on `on` (today when empty), with a note.
pub async fn record_review(state: &AppState, actor: &Actor, id: i64, on: &str, note: &str) -> ServiceResult<()> {
    require_staff(actor)?;
    let day = date_or_today(on, "检查日期")?;
    if day > clock::date(clock::now()) {
        return Err(ServiceError::Invalid("检查日期不能晚于今天".into()));
    }
    let note = line(note, "检查情况", false, 200)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let o = outlets::get(tx.conn(), site, id).await?;
    outlets::set_reviewed(tx.conn(), site, id, &day.to_string()).await?;
    let detail = if note.is_empty() { format!("「{}」{day} 检查", o.name) } else { format!("「{}」{day} 检查：{note}", o.name) };
    audit(tx.conn(), site, actor, "outlet_review", "outlet", id, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Every outlet with its review state and how many stories went there.
pub async fn list(state: &AppState, actor: &Actor) -> ServiceResult<Vec<OutletView>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    let counts: std::collections::HashMap<i64, i64> = outlets::counts_by_outlet(&mut c, state.site_id()).await?.into_iter().collect();
    let today = clock::date(clock::now());
    Ok(outlets::list(&mut c, state.site_id()).await?.into_iter().map(|o| {
        let n = counts.get(&o.id).copied().unwrap_or(0);
        view(o, today, n)
    }).collect())
}

/// One outlet.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<OutletView> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(view(outlets::get(&mut c, state.site_id(), id).await?, clock::date(clock::now()), 0))
}

/// A distribution as forms and the API submit it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DistributionInput {
    #[serde(default, deserialize_with = "loose_text")]
    pub outlet_id: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub distributed_on: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub url: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub level: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub adoption: String,
    #[serde(default, deserialize_with = "loose_text")]
    pub note: String,
}

/// A distribution with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct DistributionView {
    #[serde(flatten)]
    pub distribution: Distribution,
    pub outlet_kind_label: &'static str,
    pub level_label: &'static str,
    pub adoption_label: &'static str,
    /// Outside media: a submission that may be adopted; own outlets: published there.
    pub submission: bool,
}

fn dist_view(d: Distribution) -> DistributionView {
    let kind = OutletKind::parse(&d.outlet_kind).unwrap_or(OutletKind::Website);
    DistributionView {
        outlet_kind_label: kind.label(),
        level_label: MediaLevel::parse(&d.level).map_or("", MediaLevel::label),
        // On the hospital's own outlets a story is published, not adopted.
        adoption_label: if kind.is_own() { "已发布" } else { Adoption::parse(&d.adoption).map_or("", Adoption::label) },
        submission: !kind.is_own(),
        distribution: d,
    }
}

/// Checks a distribution's fields against its outlet.
fn dist_fields(o: &Outlet, input: &DistributionInput) -> ServiceResult<(String, String, MediaLevel, Adoption, String)> {
    let kind = OutletKind::parse(&o.kind).unwrap_or(OutletKind::Website);
    let day = date_or_today(&input.distributed_on, "日期")?;
    if day > clock::date(clock::now()) {
        return Err(ServiceError::Invalid("分发或上报日期不能晚于今天；还没发出的稿件请发出后再登记".into()));
    }
    let url = link(&input.url)?;
    let level = match input.level.trim() {
        "" => MediaLevel::parse(&o.level).unwrap_or(MediaLevel::Internal),
        s => MediaLevel::parse(s).ok_or_else(|| ServiceError::Invalid("媒体级别无效，请从列表中选择".into()))?,
    };
    // On the hospital's own outlets a story is simply published; outside media decide.
    let adoption = if kind.is_own() {
        Adoption::Adopted
    } else {
        match input.adoption.trim() {
            "" => Adoption::Pending,
            s => Adoption::parse(s).ok_or_else(|| ServiceError::Invalid("录用情况无效，请选择待反馈、已录用或未录用".into()))?,
        }
    };
    let note = line(&input.note, "备注", false, 200)?;
    Ok((day.to_string(), url, level, adoption, note))
}

/// Records an article on an outlet.
pub async fn distribute(state: &AppState, actor: &Actor, article_id: i64, input: &DistributionInput) -> ServiceResult<DistributionView> {
    require_staff(actor)?;
    let site = state.site_id();
    let outlet_id = optional_id(&input.outlet_id, "阵地")?.ok_or_else(|| ServiceError::Invalid("请选择分发到的阵地".into()))?;
    let mut tx = state.store.begin().await?;
    let a = articles::get(tx.conn(), site, article_id).await?;
    if a.retracted {
        return Err(ServiceError::Conflict("这篇文章已撤稿，不能再登记分发".into()));
    }
    let o = outlets::get(tx.conn(), site, outlet_id).await.map_err(|_| ServiceError::Invalid("阵地不存在，请从列表中选择".into()))?;
    if o.status == OutletStatus::Closed.code() {
        return Err(ServiceError::Invalid(format!("阵地「{}」已关停，不能再分发", o.name)));
    }
    let (day, url, level, adoption, note) = dist_fields(&o, input)?;
    let f = DistributionFields { level: level.code(), distributed_on: &day, url: &url, adoption: adoption.code(), clipping_media_id: None, note: &note };
    let id = outlets::distribute(tx.conn(), site, article_id, outlet_id, &f, Some(actor.user.id), clock::now()).await.map_err(|e| {
        if e.is_unique_violation() {
            ServiceError::Conflict(format!("这篇文章已登记过分发到「{}」，请修改已有的记录", o.name))
        } else {
            e.into()
        }
    })?;
    let d = outlets::get_distribution(tx.conn(), site, id).await?;
    let pricing = super::points::Pricing::load(tx.conn(), site).await?;
    let (_, earned) = super::points::price(tx.conn(), site, &pricing, &d, Some(actor.user.id), clock::now()).await?;
    audit(tx.conn(), site, actor, "distribution_create", "article", article_id, format!("「{}」→ {}（{}，{}，积分 {}）", a.title, o.name, level.label(), adoption.label(), yuanxun_core::points::format(earned))).await?;
    tx.commit().await?;
    Ok(dist_view(d))
}

/// Changes a distribution (most often: an outside outlet adopted the story, with its link).
pub async fn update_distribution(state: &AppState, actor: &Actor, id: i64, input: &DistributionInput) -> ServiceResult<DistributionView> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let old = outlets::get_distribution(tx.conn(), site, id).await?;
    let o = outlets::get(tx.conn(), site, old.outlet_id).await?;
    let (day, url, level, adoption, note) = dist_fields(&o, input)?;
    let f = DistributionFields { level: level.code(), distributed_on: &day, url: &url, adoption: adoption.code(), clipping_media_id: old.clipping_media_id, note: &note };
    outlets::update_distribution(tx.conn(), site, id, &f).await?;
    let d = outlets::get_distribution(tx.conn(), site, id).await?;
    // What the story earns depends on these three; a new link or note changes nothing.
    let mut detail = format!("{}：{}（{}）", o.name, adoption.label(), level.label());
    if (d.adoption != old.adoption) || (d.level != old.level) || (d.distributed_on != old.distributed_on) {
        let pricing = super::points::Pricing::load(tx.conn(), site).await?;
        let (before, after) = super::points::price(tx.conn(), site, &pricing, &d, Some(actor.user.id), clock::now()).await?;
        detail.push_str(&format!("，积分 {} → {}", yuanxun_core::points::format(before), yuanxun_core::points::format(after)));
    }
    audit(tx.conn(), site, actor, "distribution_update", "article", old.article_id, detail).await?;
    tx.commit().await?;
    Ok(dist_view(d))
}

/// An article's distributions.
pub async fn of_article(state: &AppState, actor: &Actor, article_id: i64) -> ServiceResult<Vec<DistributionView>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    articles::get(&mut c, state.site_id(), article_id).await?;
    Ok(outlets::of_article(&mut c, state.site_id(), article_id).await?.into_iter().map(dist_view).collect())
}

/// The website's own distribution of a just-published article (in the publishing
/// transaction): the site's website outlet, registered on first use.
pub async fn record_on_website(c: &mut AnyConnection, site_id: i64, article_id: i64, now: i64) -> ServiceResult<()> {
    let outlet_id = match outlets::first_of_kind(c, site_id, OutletKind::Website.code()).await? {
        Some(o) => o.id,
        None => {
            let f = OutletFields { kind: OutletKind::Website.code(), name: "医院官方网站", url: "", department_id: None, owner_id: None, owner_name: "党委宣传部", level: MediaLevel::Internal.code(), status: OutletStatus::Active.code(), review_every_days: 90 };
            outlets::create(c, site_id, &f, now).await?
        }
    };
    let day = clock::date(now).to_string();
    let url = crate::routes::public::article_path(article_id);
    let f = DistributionFields { level: MediaLevel::Internal.code(), distributed_on: &day, url: &url, adoption: Adoption::Adopted.code(), clipping_media_id: None, note: "" };
    let id = outlets::distribute(c, site_id, article_id, outlet_id, &f, None, now).await?;
    let d = outlets::get_distribution(c, site_id, id).await?;
    let pricing = super::points::Pricing::load(c, site_id).await?;
    super::points::price(c, site_id, &pricing, &d, None, now).await?;
    Ok(())
}

/// The article as the WeChat official-account editor wants it pasted (inline styles,
/// absolute image addresses, credits), with its title and manuscript. `base` is the site's
/// address.
pub async fn wechat_html(state: &AppState, actor: &Actor, article_id: i64, base: &str) -> ServiceResult<(String, String, i64)> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let a = articles::get(&mut c, site, article_id).await?;
    if a.retracted {
        return Err(ServiceError::Conflict("这篇文章已撤稿，不能再发到公众号".into()));
    }
    // Photos that are not in the text follow it, with their captions.
    let media = yuanxun_store::manuscripts::media_of(&mut c, site, a.manuscript_id).await?;
    let mut body = a.body_html.clone();
    for m in media.iter().filter(|m| m.kind == "image") {
        let url = super::manuscripts::media_url(m);
        if !a.body_html.contains(&url) {
            let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
            body.push_str(&format!("<figure><img src=\"{url}\" alt=\"{}\"><figcaption>{}</figcaption></figure>", esc(&m.caption), esc(&m.caption)));
        }
    }
    let credits = yuanxun_site::wechat::Credits { authors: &a.authors, photographers: &a.photographers, editor: &a.editor, reviewer: &a.responsible_editor, source: &a.source };
    Ok((a.title.clone(), yuanxun_site::wechat::wechat_html(&body, base, &credits), a.manuscript_id))
}

/// Attaches a clipping (剪报: a photo or scan of the printed story) to a distribution, in
/// place of or beside its link. The picture is cleaned like every uploaded photo (decoded,
/// size-limited, metadata stripped) and only the publicity staff can see it.
pub async fn add_clipping(state: &AppState, actor: &Actor, distribution_id: i64, file_name: &str, bytes: Vec<u8>) -> ServiceResult<DistributionView> {
    require_staff(actor)?;
    let site = state.site_id();
    {
        let mut c = state.store.conn().await?;
        outlets::get_distribution(&mut c, site, distribution_id).await?;
    }
    let (file_name, img) = super::manuscripts::uploaded_photo(file_name, bytes, "剪报请上传 JPG 或 PNG 图片（拍照或扫描刊登的版面）").await?;
    let mut tx = state.store.begin().await?;
    let media = super::manuscripts::store_image(tx.conn(), state, actor, None, &img, &file_name, "剪报").await?;
    outlets::set_clipping(tx.conn(), site, distribution_id, Some(media.id)).await?;
    let d = outlets::get_distribution(tx.conn(), site, distribution_id).await?;
    audit(tx.conn(), site, actor, "distribution_clipping", "article", d.article_id, format!("{}：上传剪报 {file_name}", d.outlet_name)).await?;
    tx.commit().await?;
    Ok(dist_view(d))
}

/// Whether `viewer` may see media item `media_id` as bookkeeping (a clipping or a points
/// entry's evidence: publicity staff only).
pub async fn may_see_bookkeeping(state: &AppState, viewer: Option<&Actor>, media_id: i64) -> ServiceResult<bool> {
    if !viewer.is_some_and(|a| a.user.role.runs_outlets()) {
        return Ok(false);
    }
    let mut c = state.store.conn().await?;
    Ok(outlets::is_bookkeeping(&mut c, state.site_id(), media_id).await?)
}
