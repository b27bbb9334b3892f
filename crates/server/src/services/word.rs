//! The Word download of a live article ("下载Word文档"): built once per published version
//! and kept in memory, however many readers ask at once.
//!
//! The key is a digest of everything the document shows — title, meta line, body, photos
//! (by their content-addressed storage key) and captions, the address in the footer — so a
//! correction or a new cover makes a new document without anyone invalidating the old one,
//! which simply ages out. Concurrent first requests for one version wait for one build
//! (single flight). Builds run through [`crate::heavy`], photos scaled for print
//! ([`yuanxun_docx::print_image`]), so ten 2,560-pixel photos make a document of a few
//! megabytes, not hundreds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use yuanxun_core::clock;
use yuanxun_store::{Article, Media};

use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// The documents kept, by total size.
const CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// Built Word files by (article, digest of what they show).
pub struct WordCache {
    files: moka::future::Cache<(i64, [u8; 32]), Bytes>,
    builds: AtomicU64,
}

impl Default for WordCache {
    fn default() -> Self {
        let files = moka::future::Cache::builder().weigher(|_, v: &Bytes| u32::try_from(v.len()).unwrap_or(u32::MAX)).max_capacity(CACHE_BYTES).build();
        WordCache { files, builds: AtomicU64::new(0) }
    }
}

impl WordCache {
    /// How many documents have been built since the start.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }
}

/// The .docx of `article` (live, not retracted) with `media` as published, its footer
/// naming `address` (the article's public URL).
pub async fn docx(state: &AppState, article: &Article, media: &[Media], address: &str) -> ServiceResult<Bytes> {
    let images: Vec<&Media> = media.iter().filter(|m| m.kind == "image").collect();
    let mut meta = vec![format!("发布日期：{}", clock::format_minute(article.published_at))];
    for (label, v) in [("作者", &article.authors), ("摄影", &article.photographers), ("来源", &article.source), ("编辑", &article.editor), ("责任编辑", &article.responsible_editor)] {
        if !v.is_empty() {
            meta.push(format!("{label}：{v}"));
        }
    }
    let meta = meta.join("　");
    let footer = format!("原文地址：{address}　{}", state.site.name);
    let mut h = Sha256::new();
    // The footer names the site, so the creator property is in the digest too.
    for part in [&article.title, &article.subtitle, &meta, &article.body_html, &footer] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for m in &images {
        for part in [m.storage_key.as_str(), m.caption.as_str(), m.content_type.as_str()] {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    let key = (article.id, <[u8; 32]>::from(h.finalize()));
    let build = async {
        state.words.builds.fetch_add(1, Ordering::Relaxed);
        // The photos' bytes first (the media store is async), then the document on the
        // blocking pool, photos scaled for print there. A photo that cannot be read fails
        // the build (errors are not kept), rather than keep a file that lacks it.
        let mut photos = Vec::new();
        for m in &images {
            let bytes = state.store.media.get(&m.storage_key).await.map_err(|e| ServiceError::Internal(format!("photo {} of article {}: {e}", m.storage_key, article.id)))?;
            photos.push((super::manuscripts::media_url(m), m.caption.clone(), bytes));
        }
        let (title, subtitle, body, creator) = (article.title.clone(), article.subtitle.clone(), article.body_html.clone(), state.site.name.clone());
        let id = article.id;
        crate::heavy::run(move || {
            let pictures: Vec<(String, yuanxun_docx::Picture)> = photos
                .into_iter()
                .filter_map(|(url, caption, bytes)| {
                    let p = yuanxun_docx::print_image(&bytes)?;
                    Some((url, yuanxun_docx::Picture { bytes: p.bytes, ext: p.ext, width: p.width.max(1), height: p.height.max(1), caption }))
                })
                .collect();
            let mut blocks = yuanxun_docx::html_blocks(&body, |src| pictures.iter().find(|(u, _)| u == src).map(|(_, p)| p.clone()));
            // Photos not placed in the body (the gallery) follow it, as on the page.
            blocks.extend(pictures.iter().filter(|(u, _)| !body.contains(u.as_str())).map(|(_, p)| yuanxun_docx::Block::Picture(p.clone())));
            let doc = yuanxun_docx::ArticleDoc { title, subtitle, meta, blocks, footer, creator, landscape: false };
            yuanxun_docx::write_docx(&doc).map(Bytes::from).map_err(|e| ServiceError::Internal(format!("word file of article {id}: {e}")))
        })
        .await?
    };
    state.words.files.try_get_with(key, build).await.map_err(|e: Arc<ServiceError>| ServiceError::Internal(e.to_string()))
}
