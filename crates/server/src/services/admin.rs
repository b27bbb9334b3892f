//! Users (the security administrator's work), departments and channels (the system
//! administrator's).

use yuanxun_core::{workflow::MAX_LEVELS, Role};
use yuanxun_store::{sites, users, Channel, Department, User};

use super::{audit, line};
use crate::auth::{hash_password, Actor};
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

fn require_admin(actor: &Actor) -> ServiceResult<()> {
    if actor.user.role.administers() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("只有系统管理员可以管理科室、栏目和网站主题".into()))
    }
}

/// Accounts are the security administrator's alone (三员分立).
fn require_accounts(actor: &Actor) -> ServiceResult<()> {
    if actor.user.role.manages_accounts() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("只有安全管理员可以管理用户账号和角色".into()))
    }
}

/// A user as the admin form submits it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct UserInput {
    #[serde(default)]
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub department_id: Option<String>,
    #[serde(default)]
    pub review_level: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub active: Option<String>,
}

struct ParsedUser {
    display_name: String,
    role: Role,
    department_id: Option<i64>,
    review_level: Option<u8>,
}

async fn parse_user(state: &AppState, input: &UserInput) -> ServiceResult<ParsedUser> {
    let display_name = line(&input.display_name, "姓名", true, 40)?;
    let role = Role::parse(&input.role).ok_or_else(|| ServiceError::Invalid("请选择角色".into()))?;
    let department_id = match input.department_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => {
            let id: i64 = d.parse().map_err(|_| ServiceError::Invalid("科室无效".into()))?;
            let mut c = state.store.conn().await?;
            sites::get_department(&mut c, state.site_id(), id).await.map_err(|_| ServiceError::Invalid("科室不存在".into()))?;
            Some(id)
        }
        None => None,
    };
    if role == Role::Correspondent && department_id.is_none() {
        return Err(ServiceError::Invalid("通讯员必须属于一个科室".into()));
    }
    let review_level = match input.review_level.as_deref().map(str::trim).filter(|s| !s.is_empty() && *s != "0") {
        Some(l) => {
            let l: u8 = l.parse().ok().filter(|l| (1..=MAX_LEVELS).contains(l)).ok_or_else(|| ServiceError::Invalid(format!("审核级别须在 1 到 {MAX_LEVELS} 之间")))?;
            if !matches!(role, Role::Editor | Role::Reviewer | Role::ChiefEditor) {
                return Err(ServiceError::Invalid("只有编辑、审核人和总编辑可以设置审核级别".into()));
            }
            Some(l)
        }
        None => None,
    };
    Ok(ParsedUser { display_name, role, department_id, review_level })
}

/// Whether a login name has only letters, digits, underscores, dots and hyphens.
pub fn valid_username(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

/// Adds a user with an initial password.
pub async fn create_user(state: &AppState, actor: &Actor, input: &UserInput) -> ServiceResult<User> {
    require_accounts(actor)?;
    let username = line(&input.username, "登录名", true, 40)?;
    if !valid_username(&username) {
        return Err(ServiceError::Invalid("登录名只能包含字母、数字、下划线、点和连字符".into()));
    }
    let p = parse_user(state, input).await?;
    let password = input.password.clone().unwrap_or_default();
    super::accounts::check_password_policy(&password, &username)?;
    let hash = crate::heavy::run(move || hash_password(&password)).await?;
    let mut tx = state.store.begin().await?;
    let new = users::NewUser { username: &username, display_name: &p.display_name, password_hash: &hash, role: p.role, department_id: p.department_id, review_level: p.review_level };
    let user = users::create(tx.conn(), state.site_id(), &new).await.map_err(|e| {
        if e.is_unique_violation() { ServiceError::Conflict(format!("登录名“{username}”已被使用")) } else { e.into() }
    })?;
    audit(tx.conn(), state.site_id(), actor, "user_create", "user", user.id, format!("{username} 角色 {}", p.role.label())).await?;
    tx.commit().await?;
    Ok(user)
}

/// Changes a user; a new password (if given) resets their lock and ends their sessions.
pub async fn update_user(state: &AppState, actor: &Actor, id: i64, input: &UserInput) -> ServiceResult<()> {
    require_accounts(actor)?;
    let p = parse_user(state, input).await?;
    let active = input.active.as_deref().is_some_and(|v| v == "on" || v == "1" || v == "true");
    if id == actor.user.id && (!active || p.role != actor.user.role) {
        return Err(ServiceError::Invalid("不能停用自己或更改自己的角色（请另一位安全管理员操作）".into()));
    }
    let new_hash = match input.password.as_deref().filter(|p| !p.is_empty()) {
        Some(pw) => {
            let username = {
                let mut c = state.store.conn().await?;
                users::get(&mut c, state.site_id(), id).await?.username
            };
            super::accounts::check_password_policy(pw, &username)?;
            let pw = pw.to_string();
            Some(crate::heavy::run(move || hash_password(&pw)).await?)
        }
        None => None,
    };
    let mut tx = state.store.begin().await?;
    users::update(tx.conn(), state.site_id(), id, &p.display_name, p.role, p.department_id, p.review_level, active).await?;
    if let Some(h) = &new_hash {
        users::set_password(tx.conn(), state.site_id(), id, h).await?;
    }
    if new_hash.is_some() || !active {
        users::delete_user_sessions(tx.conn(), state.site_id(), id).await?;
    }
    let detail = format!("角色 {}{}{}", p.role.label(), if active { "" } else { "，已停用" }, if new_hash.is_some() { "，重置密码" } else { "" });
    audit(tx.conn(), state.site_id(), actor, "user_update", "user", id, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds or renames a department.
pub async fn save_department(state: &AppState, actor: &Actor, id: Option<i64>, name: &str) -> ServiceResult<Department> {
    require_admin(actor)?;
    let name = line(name, "科室名称", true, 60)?;
    let mut tx = state.store.begin().await?;
    let dept = match id {
        Some(id) => {
            sites::rename_department(tx.conn(), state.site_id(), id, &name).await?;
            sites::get_department(tx.conn(), state.site_id(), id).await?
        }
        None => sites::create_department(tx.conn(), state.site_id(), &name).await?,
    };
    audit(tx.conn(), state.site_id(), actor, if id.is_some() { "department_update" } else { "department_create" }, "department", dept.id, name).await?;
    tx.commit().await?;
    Ok(dept)
}

/// Adds a grid (网格) or changes its name and liaison (a user of the site, or none).
pub async fn save_grid(state: &AppState, actor: &Actor, id: Option<i64>, name: &str, liaison: &str) -> ServiceResult<sites::Grid> {
    require_admin(actor)?;
    let name = line(name, "网格名称", true, 40)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let liaison_id = match liaison.trim() {
        "" => None,
        s => {
            let id: i64 = s.parse().map_err(|_| ServiceError::Invalid("联络员无效，请从列表中选择".into()))?;
            users::get(tx.conn(), site, id).await.map_err(|_| ServiceError::Invalid("联络员不存在，请从列表中选择".into()))?;
            Some(id)
        }
    };
    let taken = |e: yuanxun_store::StoreError| if e.is_unique_violation() { ServiceError::Conflict(format!("已有名为“{name}”的网格")) } else { e.into() };
    let id = match id {
        Some(id) => {
            sites::update_grid(tx.conn(), site, id, &name, liaison_id).await.map_err(taken)?;
            id
        }
        None => sites::create_grid(tx.conn(), site, &name, liaison_id).await.map_err(taken)?,
    };
    let grid = sites::get_grid(tx.conn(), site, id).await?;
    audit(tx.conn(), site, actor, "grid_save", "grid", id, format!("{name}，联络员 {}", grid.liaison_name.clone().unwrap_or_else(|| "未指定".into()))).await?;
    tx.commit().await?;
    Ok(grid)
}

/// Puts a department into a grid ("" takes it out).
pub async fn assign_grid(state: &AppState, actor: &Actor, department_id: i64, grid: &str) -> ServiceResult<()> {
    require_admin(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let dept = sites::get_department(tx.conn(), site, department_id).await?;
    let grid = match grid.trim() {
        "" => None,
        s => {
            let id: i64 = s.parse().map_err(|_| ServiceError::Invalid("网格无效，请从列表中选择".into()))?;
            Some(sites::get_grid(tx.conn(), site, id).await.map_err(|_| ServiceError::Invalid("网格不存在，请从列表中选择".into()))?)
        }
    };
    sites::set_department_grid(tx.conn(), site, department_id, grid.as_ref().map(|g| g.id)).await?;
    let detail = match &grid {
        Some(g) => format!("{} 划入网格 {}", dept.name, g.name),
        None => format!("{} 移出网格", dept.name),
    };
    audit(tx.conn(), site, actor, "department_grid", "department", department_id, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// A channel as the admin form submits it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ChannelInput {
    #[serde(default)]
    pub slug: String,
    pub name: String,
    pub review_levels: String,
    #[serde(default)]
    pub sort: String,
    /// The 图片栏目 checkbox: present ("on", "true", "1") when ticked.
    #[serde(default)]
    pub photo: Option<String>,
}

/// Adds or changes a channel.
pub async fn save_channel(state: &AppState, actor: &Actor, id: Option<i64>, input: &ChannelInput) -> ServiceResult<Channel> {
    require_admin(actor)?;
    let name = line(&input.name, "栏目名称", true, 30)?;
    let levels: i64 = input.review_levels.trim().parse().ok().filter(|l| (1..=MAX_LEVELS as i64).contains(l))
        .ok_or_else(|| ServiceError::Invalid(format!("审核级数须在 1 到 {MAX_LEVELS} 之间")))?;
    let sort: i64 = input.sort.trim().parse().unwrap_or(0);
    let photo = input.photo.as_deref().is_some_and(|v| !matches!(v, "" | "0" | "false" | "off"));
    let mut tx = state.store.begin().await?;
    let channel = match id {
        Some(id) => {
            sites::update_channel(tx.conn(), state.site_id(), id, &name, levels, sort).await?;
            sites::get_channel(tx.conn(), state.site_id(), id).await?
        }
        None => {
            let slug = line(&input.slug, "栏目地址（英文）", true, 40)?;
            if !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                return Err(ServiceError::Invalid("栏目地址只能包含小写字母、数字和连字符，例如 hospital-news".into()));
            }
            sites::create_channel(tx.conn(), state.site_id(), &slug, &name, levels, sort).await?
        }
    };
    sites::set_channel_photo(tx.conn(), state.site_id(), channel.id, photo).await?;
    let kind = if photo { "，图片栏目" } else { "" };
    audit(tx.conn(), state.site_id(), actor, if id.is_some() { "channel_update" } else { "channel_create" }, "channel", channel.id, format!("{name}，{levels} 级审核{kind}")).await?;
    super::live_site::record_site(tx.conn(), state).await?;
    tx.commit().await?;
    // Every public page shows the channel navigation.
    super::live_site::site_changed(state).await;
    Ok(Channel { photo, ..channel })
}

/// Loads the site's theme folder again (an admin's 重新加载): the new theme is served and
/// the page cache cleared, or the error is returned and the last good theme stays.
pub async fn reload_theme(state: &AppState, actor: &Actor) -> ServiceResult<Vec<String>> {
    require_admin(actor)?;
    let live = state.theme.clone();
    let ok = tokio::task::spawn_blocking(move || live.reload()).await.map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut tx = state.store.begin().await?;
    let detail = match (ok, state.theme.error()) {
        (true, _) => format!("已加载：{}", state.theme.get().overridden.join("、")),
        (false, Some(e)) => format!("有错误，仍使用上一个正确的版本：{e}"),
        (false, None) => "没有主题文件夹".into(),
    };
    audit(tx.conn(), state.site_id(), actor, "theme_reload", "site", state.site_id(), detail).await?;
    if ok {
        super::live_site::record_site(tx.conn(), state).await?;
    }
    tx.commit().await?;
    if ok {
        super::live_site::site_changed(state).await;
        Ok(state.theme.get().overridden.clone())
    } else {
        Err(match state.theme.error() {
            Some(e) => ServiceError::Invalid(format!("网站主题有错误：{e}。公众网站仍使用上一个正确的版本，请修改后再重新加载。")),
            None => ServiceError::Invalid("没有配置主题文件夹".into()),
        })
    }
}
