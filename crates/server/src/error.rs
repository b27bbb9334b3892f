//! Errors of the service layer, each with a message for people (Chinese) and an HTTP status.

use axum::http::StatusCode;
use yuanxun_store::StoreError;

/// Why a service refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Signed in, but this role or department may not do it.
    #[error("{0}")]
    Forbidden(String),
    /// Not there, or not visible to this user (the same answer, so ids leak nothing).
    #[error("没有找到这条记录，或您无权查看")]
    NotFound,
    /// The input is wrong; the message says how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// Someone else changed it first, or the workflow does not allow it now.
    #[error("{0}")]
    Conflict(String),
    /// Not signed in.
    #[error("请先登录")]
    Unauthenticated,
    /// The database cannot be reached now; nothing was done or saved.
    #[error("数据库暂时无法连接，刚才的操作没有完成，也没有保存任何内容。请稍后重试（可用浏览器的“返回”找回刚填写的内容）；如果持续出现，请联系系统管理员")]
    Unavailable,
    /// The server failed; the details go to the log, not to the user.
    #[error("服务器内部错误，请稍后重试；如果反复出现，请联系系统管理员")]
    Internal(String),
}

impl ServiceError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::NotFound => StatusCode::NOT_FOUND,
            ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ServiceError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Forbidden(_) => "forbidden",
            ServiceError::NotFound => "not_found",
            ServiceError::Invalid(_) => "invalid",
            ServiceError::Conflict(_) => "conflict",
            ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::Unavailable => "unavailable",
            ServiceError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            e if e.is_unique_violation() => ServiceError::Conflict("名称已存在，请换一个".into()),
            e if e.is_unavailable() => {
                tracing::error!("database unavailable: {e}");
                ServiceError::Unavailable
            }
            e => {
                tracing::error!("store error: {e}");
                ServiceError::Internal(e.to_string())
            }
        }
    }
}

impl From<yuanxun_core::TransitionError> for ServiceError {
    fn from(e: yuanxun_core::TransitionError) -> Self {
        ServiceError::Conflict(e.to_string())
    }
}

impl From<yuanxun_docx::DocxError> for ServiceError {
    fn from(e: yuanxun_docx::DocxError) -> Self {
        ServiceError::Invalid(e.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
