//! Background jobs of `serve`: the publishing scheduler and the view-count flusher. Both
//! read their work from the database, so a restart loses nothing.

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
    Jobs { handles: vec![scheduler, flusher] }
}
