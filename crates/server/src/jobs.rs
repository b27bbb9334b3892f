//! Background jobs of `serve`: the publishing scheduler, the view-count flusher and the
//! theme-folder watcher. The first two read their work from the database, so a restart
//! loses nothing.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::AppState;

/// The running jobs.
pub struct Jobs {
    handles: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Waits for the jobs to notice the stop signal and end.
    pub async fn stop(&self) {
        for h in &self.handles {
            h.abort();
        }
    }
}

/// Starts the jobs; they end when `stop` changes.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> Jobs {
    let s1 = state.clone();
    let mut stop1 = stop.clone();
    let scheduler = tokio::spawn(async move {
        let mut tick = tokio::time::interval(s1.config.scheduler_every);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    match crate::services::manuscripts::publish_due(&s1).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!("scheduled publishing: {n} published"),
                        Err(e) => tracing::error!("scheduled publishing failed: {e}"),
                    }
                }
                _ = stop1.changed() => break,
            }
        }
    });
    let s3 = state.clone();
    let mut stop3 = stop.clone();
    let theme_watch = tokio::spawn(async move {
        let mut tick = tokio::time::interval(s3.config.theme_check_every);
        let mut reported = None;
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let s = s3.clone();
                    let changed = tokio::task::spawn_blocking(move || s.theme.reload_if_changed()).await.unwrap_or(false);
                    if changed {
                        s3.pages.clear();
                        tracing::info!("theme reloaded from its folder");
                    }
                    let error = s3.theme.error();
                    if error != reported {
                        if let Some(e) = &error {
                            tracing::error!("theme folder has an error, serving the last good theme: {e}");
                        }
                        reported = error;
                    }
                }
                _ = stop3.changed() => break,
            }
        }
    });
    let s4 = state.clone();
    let mut stop4 = stop.clone();
    let tamper_check = tokio::spawn(async move {
        let Some(dir) = s4.config.export_dir.clone() else { return };
        let mut tick = tokio::time::interval(s4.config.verify_every);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if !dir.join("manifest.json").exists() {
                        continue;
                    }
                    // Not while an update is rewriting files.
                    let found = {
                        let _quiet = s4.export_lock.lock().await;
                        crate::services::guard::verify_dir(&s4, &dir).await
                    };
                    match found {
                        Ok(problems) => {
                            if !problems.is_empty() {
                                tracing::error!("tamper check of {}: {} problems, first: {}", dir.display(), problems.len(), problems[0]);
                            }
                            *s4.tamper.write().unwrap_or_else(|e| e.into_inner()) = problems.iter().map(|p| p.to_string()).collect();
                        }
                        Err(e) => tracing::error!("tamper check of {} failed: {e}", dir.display()),
                    }
                }
                _ = stop4.changed() => break,
            }
        }
    });
    let mut stop2 = stop;
    let flusher = tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.views_flush_every);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = state.views.flush(&state.store).await {
                        tracing::error!("view count flush failed: {e}");
                    }
                }
                _ = stop2.changed() => break,
            }
        }
    });
    Jobs { handles: vec![scheduler, flusher, theme_watch, tamper_check] }
}
