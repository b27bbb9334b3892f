//! Background jobs of `serve`: the publishing scheduler (run by the holder of its lease when
//! several processes share the database), the change-feed follower, the view-count flusher,
//! the theme-folder watcher, the export's tamper check, the hourly sweep of media blobs no
//! row refers to, and the opinion monitor (fetching, sending alerts, escalating overdue
//! incidents). The scheduler and the follower
//! read their work from the database, so a restart loses nothing.

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::AppState;

/// The running jobs.
pub struct Jobs {
    handles: Vec<JoinHandle<()>>,
    state: AppState,
}

impl Jobs {
    /// Stops the jobs and hands the scheduler's lease back, so that another process (or
    /// this one restarted) takes it at once rather than when it expires.
    pub async fn stop(&self) {
        for h in &self.handles {
            h.abort();
        }
        let released = async {
            let mut tx = self.state.store.begin().await?;
            yuanxun_store::changes::release_lease(tx.conn(), &lease_name(&self.state), &self.state.node).await?;
            yuanxun_store::changes::release_lease(tx.conn(), &monitor_lease_name(&self.state), &self.state.node).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = released {
            tracing::error!("scheduler lease not released: {e}");
        }
    }
}

/// The scheduler's lease of a site (each site's scheduler runs on its own).
fn lease_name(state: &AppState) -> String {
    format!("scheduler:{}", state.site_id())
}

/// The opinion monitor's lease of a site.
fn monitor_lease_name(state: &AppState) -> String {
    format!("monitor:{}", state.site_id())
}

/// Takes or keeps the lease `name` for this process, for three ticks of `every` (at least
/// `min_secs`); whether it holds it. With `prune`, the holder also forgets changes older
/// than a week (the scheduler does).
async fn hold_lease(state: &AppState, name: &str, every: std::time::Duration, min_secs: i64, prune: bool) -> Result<bool, yuanxun_store::StoreError> {
    let now = yuanxun_core::clock::now();
    let ttl = ((every.as_millis() as i64 * 3 + 999) / 1000).max(min_secs);
    let mut tx = state.store.begin().await?;
    let held = yuanxun_store::changes::take_lease(tx.conn(), name, &state.node, now, now + ttl).await?;
    if held && prune {
        yuanxun_store::changes::prune(tx.conn(), now - 7 * 86_400).await?;
    }
    tx.commit().await?;
    Ok(held)
}

/// Starts the jobs; they end when `stop` changes.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> Jobs {
    let kept = state.clone();
    let s1 = state.clone();
    let mut stop1 = stop.clone();
    let scheduler = tokio::spawn(async move {
        let mut tick = tokio::time::interval(s1.config.scheduler_every);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    // One process at a time publishes (several may share the database): the
                    // holder of the scheduler's lease, for three ticks at a time.
                    match hold_lease(&s1, &lease_name(&s1), s1.config.scheduler_every, 1, true).await {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(e) => {
                            tracing::error!("scheduler lease: {e}");
                            continue;
                        }
                    }
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
    let s2 = state.clone();
    let mut stop2 = stop.clone();
    let follower = tokio::spawn(async move {
        let mut pos = match crate::services::live_site::start_position(&s2).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("change feed: cannot find where to start: {e}");
                return;
            }
        };
        let mut tick = tokio::time::interval(s2.config.follow_every);
        loop {
            tokio::select! {
                _ = tick.tick() => match crate::services::live_site::follow(&s2, pos).await {
                    Ok(next) if next != pos => {
                        pos = next;
                        crate::services::live_site::keep_position(&s2, pos);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!("change feed: {e}"),
                },
                _ = stop2.changed() => break,
            }
        }
    });
    let s6 = state.clone();
    let mut stop6 = stop.clone();
    let monitor = tokio::spawn(async move {
        let mut tick = tokio::time::interval(s6.config.monitor_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let lease = monitor_lease_name(&s6);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    // One process at a time fetches a site's sources, like the scheduler.
                    if !matches!(hold_lease(&s6, &lease, s6.config.monitor_every, 60, false).await, Ok(true)) {
                        continue;
                    }
                    if let Err(e) = crate::services::monitor::fetch_due(&s6, &s6.config.monitor_limits, s6.config.monitor_concurrency).await {
                        tracing::error!("opinion monitor: {e}");
                    }
                    // Alerts raised by what was just read, and those whose quiet hours ended.
                    if let Err(e) = crate::services::alerts::deliver_due(&s6).await {
                        tracing::error!("alert delivery: {e}");
                    }
                    match crate::services::incidents::escalate_overdue(&s6).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!("{n} overdue incidents escalated"),
                        Err(e) => tracing::error!("incident escalation: {e}"),
                    }
                    if let Err(e) = crate::services::ledgers::remind_overdue(&s6).await {
                        tracing::error!("rectification reminders: {e}");
                    }
                    if let Err(e) = crate::services::congress::remind_overdue(&s6).await {
                        tracing::error!("motion reminders: {e}");
                    }
                }
                _ = stop6.changed() => break,
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
                    // Read while no update is rewriting files; the scan of every page (a
                    // minute at 50,000 stories) then runs without holding publications up.
                    let snapshot = {
                        let _quiet = s4.export_lock.lock().await;
                        crate::services::guard::read_dir(&dir).await
                    };
                    let found = match snapshot {
                        Ok(s) => crate::services::guard::check(&s4, s).await,
                        Err(e) => Err(e),
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
    let s7 = state.clone();
    let mut stop7 = stop.clone();
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        tick.tick().await; // the start has just swept
        loop {
            tokio::select! {
                _ = tick.tick() => crate::services::media_sweep(&s7, false).await,
                _ = stop7.changed() => break,
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
    Jobs { handles: vec![scheduler, follower, flusher, theme_watch, tamper_check, monitor, sweeper], state: kept }
}
