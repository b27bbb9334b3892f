//! The public news site: home, channel lists, articles (410 once retracted).

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use yuanxun_core::text;
use yuanxun_store::{articles, manuscripts, sites};

use crate::AppState;

const PAGE_SIZE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/channel/{slug}", get(channel))
        .route("/news/{file}", get(article))
        .route("/static/site.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], yuanxun_site::CSS) }))
        .route("/static/admin.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../../static/admin.css")) }))
        .fallback(|State(state): State<AppState>| async move { not_found(&state) })
}

fn page(state: &AppState, name: &str, status: StatusCode, ctx: minijinja::Value) -> Response {
    match state.theme.render(name, ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("theme template {name} failed: {e:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面暂时无法显示").into_response()
        }
    }
}

/// The themed 404 page.
pub fn not_found(state: &AppState) -> Response {
    let ctx = context! { site => &*state.site, channels => Vec::<()>::new(), heading => "页面不存在", message => "您访问的页面不存在，可能地址有误或已被移动。" };
    page(state, "notice.html", StatusCode::NOT_FOUND, ctx)
}

#[derive(Debug, serde::Serialize)]
struct Card {
    id: i64,
    title: String,
    published_at: i64,
    cover_url: Option<String>,
}

async fn cards(c: &mut yuanxun_store::AnyConnection, site: i64, list: Vec<yuanxun_store::Article>) -> Vec<Card> {
    let mut out = Vec::new();
    for a in list {
        let cover_url = match a.cover_media_id {
            Some(id) => manuscripts::get_media(c, site, id).await.ok().map(|m| crate::services::manuscripts::media_url(&m)),
            None => None,
        };
        out.push(Card { id: a.id, title: a.title, published_at: a.published_at, cover_url });
    }
    out
}

async fn home(State(state): State<AppState>) -> Response {
    let site = state.site_id();
    let Ok(mut c) = state.store.conn().await else { return (StatusCode::SERVICE_UNAVAILABLE, "服务繁忙，请稍后再试").into_response() };
    let chans = sites::list_channels(&mut c, site).await.unwrap_or_default();
    let mut blocks = Vec::new();
    let mut pictures = Vec::new();
    for ch in &chans {
        let list = articles::list(&mut c, site, Some(ch.id), 0, 8).await.unwrap_or_default();
        if ch.slug == "photos" {
            pictures = cards(&mut c, site, list.into_iter().filter(|a| a.cover_media_id.is_some()).take(4).collect()).await;
        } else {
            blocks.push(context! { channel => ch, articles => cards(&mut c, site, list).await });
        }
    }
    page(&state, "home.html", StatusCode::OK, context! { site => &*state.site, channels => chans, blocks, pictures })
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

async fn channel(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Response {
    let site = state.site_id();
    let Ok(mut c) = state.store.conn().await else { return (StatusCode::SERVICE_UNAVAILABLE, "服务繁忙，请稍后再试").into_response() };
    let Ok(ch) = sites::channel_by_slug(&mut c, site, &slug).await else { return not_found(&state) };
    let total = articles::count_live(&mut c, site, Some(ch.id)).await.unwrap_or(0);
    let pages = (total + PAGE_SIZE - 1).max(1) / PAGE_SIZE.max(1);
    let pages = pages.max(1);
    let page_no = q.page.unwrap_or(1).clamp(1, pages);
    let list = articles::list(&mut c, site, Some(ch.id), (page_no - 1) * PAGE_SIZE, PAGE_SIZE).await.unwrap_or_default();
    let list = cards(&mut c, site, list).await;
    let chans = sites::list_channels(&mut c, site).await.unwrap_or_default();
    page(&state, "channel.html", StatusCode::OK, context! { site => &*state.site, channels => chans, current => ch, articles => list, page => page_no, pages })
}

async fn article(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let site = state.site_id();
    let Some(id) = file.strip_suffix(".html").and_then(|s| s.parse::<i64>().ok()) else { return not_found(&state) };
    let Ok(mut c) = state.store.conn().await else { return (StatusCode::SERVICE_UNAVAILABLE, "服务繁忙，请稍后再试").into_response() };
    let Ok(a) = articles::get(&mut c, site, id).await else { return not_found(&state) };
    let chans = sites::list_channels(&mut c, site).await.unwrap_or_default();
    if a.retracted {
        let ctx = context! { site => &*state.site, channels => chans, heading => "该文章已撤下", message => "这篇文章已由发布单位撤下，不再提供浏览。" };
        return page(&state, "notice.html", StatusCode::GONE, ctx);
    }
    state.views.hit(site, a.id);
    let views = a.view_count + state.views.pending(site, a.id);
    let media = manuscripts::media_of(&mut c, site, a.manuscript_id).await.unwrap_or_default();
    let in_body = |url: &str| a.body_html.contains(url);
    let mut gallery = Vec::new();
    let mut attachments = Vec::new();
    for m in &media {
        let url = crate::services::manuscripts::media_url(m);
        if m.kind == "image" && !in_body(&url) {
            gallery.push(context! { url, caption => m.caption });
        } else if m.kind == "file" {
            attachments.push(context! { url, file_name => m.file_name });
        }
    }
    let current = chans.iter().find(|ch| ch.id == a.channel_id).cloned();
    let summary = text::excerpt(&a.body_html, 80);
    page(&state, "article.html", StatusCode::OK, context! { site => &*state.site, channels => chans, current, article => a, views, gallery, attachments, summary })
}
