//! The newsroom's notifications (消息) as their user reads them. Each capability tells its
//! people through `yuanxun_store::notifications::notify` in the transaction of what it tells.

use yuanxun_core::clock;
use yuanxun_store::notifications as store;
use yuanxun_store::AnyConnection;

use crate::auth::Actor;
use crate::error::ServiceResult;
use crate::AppState;

/// The signed-in user's notifications.
pub async fn list(state: &AppState, actor: &Actor) -> ServiceResult<Vec<store::Notification>> {
    let mut c = state.store.conn().await?;
    Ok(store::notifications(&mut c, state.site_id(), actor.user.id, 200).await?)
}

/// Marks one of the user's notifications (or all) read.
pub async fn read(state: &AppState, actor: &Actor, id: Option<i64>) -> ServiceResult<u64> {
    let mut tx = state.store.begin().await?;
    let n = store::mark_read(tx.conn(), state.site_id(), actor.user.id, id, clock::now()).await?;
    tx.commit().await?;
    Ok(n)
}

/// Tells the active people of a department (all but `except`, who did the thing told), in
/// the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn tell_department(c: &mut AnyConnection, site: i64, department_id: i64, except: Option<i64>, kind: &str, title: &str, body: &str, link: &str, now: i64) -> ServiceResult<()> {
    for u in yuanxun_store::users::list(c, site).await? {
        if u.active && u.department_id == Some(department_id) && Some(u.id) != except {
            store::notify(c, site, u.id, kind, title, body, link, now).await?;
        }
    }
    Ok(())
}
