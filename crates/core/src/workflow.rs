//! The review workflow as a pure state machine.
//!
//! ```text
//! Draft ──Submit──▶ Submitted ──Approve(1)──▶ InReview(2 of N) ── … ──Approve(N)──▶ Approved
//!   ▲                 │  ▲                         │                                  │ Publish
//!   └──Withdraw───────┘  └──Edit (restart at 1)────┘                                  ▼
//! Returned ◀──Return(k)── any review level ──Reject(k)──▶ Rejected         Published ──Retract──▶ Retracted
//! ```
//!
//! `Submitted` is the manuscript waiting for level 1 (初审); `InReview { level, of }` is waiting
//! for `level` of `of` levels. The number of levels `of` is fixed at submission from the
//! channel's setting. An edit after submission restarts review at level 1. Who may take an
//! action is [`crate::role`]'s business; this module only knows which moves exist.

use serde::{Deserialize, Serialize};

/// The most review levels a channel may require.
pub const MAX_LEVELS: u8 = 5;

/// Where a manuscript stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Being written; only the author (and editors) see it.
    Draft,
    /// Submitted and waiting for the first review level.
    Submitted { of: u8 },
    /// Passed `level - 1` levels, waiting for `level` of `of`.
    InReview { level: u8, of: u8 },
    /// Passed every level; may be published now or at a scheduled time.
    Approved,
    /// Live on the public site.
    Published,
    /// Taken down with a reason; its URL answers 410.
    Retracted,
    /// Sent back to the author with reasons; the author edits and submits again.
    Returned,
    /// Will not be published.
    Rejected,
}

/// Something a person (or the scheduler) does to a manuscript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The author sends a draft or returned manuscript to review with `levels` levels.
    Submit { levels: u8 },
    /// The author takes a submission back before anyone decided on it.
    Withdraw,
    /// A new revision is saved; after submission this restarts review at level 1.
    Edit { levels: u8 },
    /// A reviewer passes the manuscript at `level`.
    Approve { level: u8 },
    /// A reviewer sends it back to the author at `level`.
    Return { level: u8 },
    /// A reviewer refuses it for good at `level`.
    Reject { level: u8 },
    /// An approved manuscript goes live (now or by the scheduler).
    Publish,
    /// A published article is taken down.
    Retract,
}

/// Why an action cannot be taken in the current status. The message is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("当前状态为“{status}”，不能{action}")]
    NotAllowed { status: &'static str, action: &'static str },
    #[error("这份稿件正在等待{expected}，不是第{given}级审核")]
    WrongLevel { expected: String, given: u8 },
    #[error("审核级数须在 1 到 {MAX_LEVELS} 之间")]
    BadLevels,
}

impl Status {
    /// The review level waiting for a decision, if any.
    pub fn pending_level(self) -> Option<(u8, u8)> {
        match self {
            Status::Submitted { of } => Some((1, of)),
            Status::InReview { level, of } => Some((level, of)),
            _ => None,
        }
    }

    /// Whether the author may still change the manuscript without a reviewer's say.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            Status::Draft
                | Status::Returned
                | Status::Submitted { .. }
                | Status::InReview { .. }
                | Status::Approved
        )
    }

    /// Whether the invariants of the type hold (levels in range).
    pub fn is_valid(self) -> bool {
        match self {
            Status::Submitted { of } => (1..=MAX_LEVELS).contains(&of),
            Status::InReview { level, of } => {
                (1..=MAX_LEVELS).contains(&of) && level >= 2 && level <= of
            }
            _ => true,
        }
    }

    /// The stored name of the status.
    pub fn name(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted { .. } => "submitted",
            Status::InReview { .. } => "in_review",
            Status::Approved => "approved",
            Status::Published => "published",
            Status::Retracted => "retracted",
            Status::Returned => "returned",
            Status::Rejected => "rejected",
        }
    }

    /// The Chinese label, with the level where one is pending: `待初审`, `待复审`.
    pub fn label(self) -> String {
        match self {
            Status::Draft => "草稿".into(),
            Status::Submitted { of } | Status::InReview { of, .. } => {
                let (level, _) = self.pending_level().unwrap_or((1, of));
                format!("待{}", crate::role::level_label(level, of))
            }
            Status::Approved => "已通过待发布".into(),
            Status::Published => "已发布".into(),
            Status::Retracted => "已撤稿".into(),
            Status::Returned => "退回修改".into(),
            Status::Rejected => "已驳回".into(),
        }
    }

    fn short_label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Submitted { .. } => "待初审",
            Status::InReview { .. } => "审核中",
            Status::Approved => "已通过",
            Status::Published => "已发布",
            Status::Retracted => "已撤稿",
            Status::Returned => "退回修改",
            Status::Rejected => "已驳回",
        }
    }

    /// Stored form: name, pending level, number of levels.
    pub fn to_parts(self) -> (&'static str, i64, i64) {
        match self {
            Status::Submitted { of } => (self.name(), 1, of as i64),
            Status::InReview { level, of } => (self.name(), level as i64, of as i64),
            _ => (self.name(), 0, 0),
        }
    }

    /// Reads the stored form back; `None` when the row is not a valid status.
    pub fn from_parts(name: &str, level: i64, of: i64) -> Option<Status> {
        let lv = u8::try_from(level).ok()?;
        let n = u8::try_from(of).ok()?;
        let s = match name {
            "draft" => Status::Draft,
            "submitted" => Status::Submitted { of: n },
            "in_review" => Status::InReview { level: lv, of: n },
            "approved" => Status::Approved,
            "published" => Status::Published,
            "retracted" => Status::Retracted,
            "returned" => Status::Returned,
            "rejected" => Status::Rejected,
            _ => return None,
        };
        s.is_valid().then_some(s)
    }
}

impl Action {
    /// The Chinese verb for messages.
    pub fn label(self) -> &'static str {
        match self {
            Action::Submit { .. } => "提交审核",
            Action::Withdraw => "撤回",
            Action::Edit { .. } => "修改",
            Action::Approve { .. } => "审核通过",
            Action::Return { .. } => "退回修改",
            Action::Reject { .. } => "驳回",
            Action::Publish => "发布",
            Action::Retract => "撤稿",
        }
    }

    /// The stored name of a decision.
    pub fn name(self) -> &'static str {
        match self {
            Action::Submit { .. } => "submit",
            Action::Withdraw => "withdraw",
            Action::Edit { .. } => "edit",
            Action::Approve { .. } => "approve",
            Action::Return { .. } => "return",
            Action::Reject { .. } => "reject",
            Action::Publish => "publish",
            Action::Retract => "retract",
        }
    }
}

/// The status after `action`, or why it is not allowed.
pub fn apply(status: Status, action: Action) -> Result<Status, TransitionError> {
    use Action as A;
    use Status as S;
    let not_allowed = || TransitionError::NotAllowed {
        status: status.short_label(),
        action: action.label(),
    };
    let check_levels = |n: u8| {
        if (1..=MAX_LEVELS).contains(&n) {
            Ok(n)
        } else {
            Err(TransitionError::BadLevels)
        }
    };
    match (status, action) {
        (S::Draft | S::Returned, A::Submit { levels }) => Ok(S::Submitted { of: check_levels(levels)? }),
        (S::Submitted { .. }, A::Withdraw) => Ok(S::Draft),
        (S::Draft, A::Edit { .. }) => Ok(S::Draft),
        (S::Returned, A::Edit { .. }) => Ok(S::Returned),
        (S::Submitted { .. } | S::InReview { .. } | S::Approved, A::Edit { levels }) => {
            Ok(S::Submitted { of: check_levels(levels)? })
        }
        (S::Submitted { .. } | S::InReview { .. }, A::Approve { level } | A::Return { level } | A::Reject { level }) => {
            let (pending, of) = status.pending_level().ok_or_else(not_allowed)?;
            if level != pending {
                return Err(TransitionError::WrongLevel {
                    expected: crate::role::level_label(pending, of),
                    given: level,
                });
            }
            Ok(match action {
                A::Approve { .. } if pending < of => S::InReview { level: pending + 1, of },
                A::Approve { .. } => S::Approved,
                A::Return { .. } => S::Returned,
                _ => S::Rejected,
            })
        }
        (S::Approved, A::Publish) => Ok(S::Published),
        (S::Published, A::Retract) => Ok(S::Retracted),
        _ => Err(not_allowed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn three_levels_from_draft_to_retracted() {
        let mut s = Status::Draft;
        for a in [
            Action::Submit { levels: 3 },
            Action::Approve { level: 1 },
            Action::Approve { level: 2 },
            Action::Approve { level: 3 },
            Action::Publish,
            Action::Retract,
        ] {
            s = apply(s, a).unwrap();
        }
        assert_eq!(s, Status::Retracted);
    }

    #[test]
    fn every_listed_transition() {
        use Action as A;
        use Status as S;
        let cases: &[(Status, Action, Status)] = &[
            (S::Draft, A::Submit { levels: 3 }, S::Submitted { of: 3 }),
            (S::Returned, A::Submit { levels: 2 }, S::Submitted { of: 2 }),
            (S::Submitted { of: 3 }, A::Withdraw, S::Draft),
            (S::Draft, A::Edit { levels: 3 }, S::Draft),
            (S::Returned, A::Edit { levels: 3 }, S::Returned),
            (S::Submitted { of: 3 }, A::Edit { levels: 3 }, S::Submitted { of: 3 }),
            (S::InReview { level: 3, of: 3 }, A::Edit { levels: 3 }, S::Submitted { of: 3 }),
            (S::Approved, A::Edit { levels: 3 }, S::Submitted { of: 3 }),
            (S::Submitted { of: 3 }, A::Approve { level: 1 }, S::InReview { level: 2, of: 3 }),
            (S::Submitted { of: 1 }, A::Approve { level: 1 }, S::Approved),
            (S::InReview { level: 2, of: 3 }, A::Approve { level: 2 }, S::InReview { level: 3, of: 3 }),
            (S::InReview { level: 3, of: 3 }, A::Approve { level: 3 }, S::Approved),
            (S::Submitted { of: 3 }, A::Return { level: 1 }, S::Returned),
            (S::InReview { level: 2, of: 3 }, A::Return { level: 2 }, S::Returned),
            (S::Submitted { of: 3 }, A::Reject { level: 1 }, S::Rejected),
            (S::InReview { level: 3, of: 3 }, A::Reject { level: 3 }, S::Rejected),
            (S::Approved, A::Publish, S::Published),
            (S::Published, A::Retract, S::Retracted),
        ];
        for (from, action, to) in cases {
            assert_eq!(apply(*from, *action), Ok(*to), "{from:?} --{action:?}-->");
        }
    }

    #[test]
    fn forbidden_moves_say_why_in_chinese() {
        let e = apply(Status::Draft, Action::Publish).unwrap_err();
        assert_eq!(e.to_string(), "当前状态为“草稿”，不能发布");
        let e = apply(Status::Submitted { of: 3 }, Action::Approve { level: 2 }).unwrap_err();
        assert_eq!(e.to_string(), "这份稿件正在等待初审，不是第2级审核");
        assert_eq!(apply(Status::Draft, Action::Submit { levels: 0 }), Err(TransitionError::BadLevels));
        assert!(apply(Status::Published, Action::Edit { levels: 3 }).is_err());
        assert!(apply(Status::Rejected, Action::Submit { levels: 3 }).is_err());
        assert!(apply(Status::Retracted, Action::Publish).is_err());
        assert!(apply(Status::InReview { level: 2, of: 3 }, Action::Withdraw).is_err());
    }

    #[test]
    fn stored_parts_round_trip_and_reject_garbage() {
        for s in [
            Status::Draft,
            Status::Submitted { of: 3 },
            Status::InReview { level: 2, of: 3 },
            Status::Approved,
            Status::Published,
            Status::Retracted,
            Status::Returned,
            Status::Rejected,
        ] {
            let (n, l, o) = s.to_parts();
            assert_eq!(Status::from_parts(n, l, o), Some(s));
        }
        assert_eq!(Status::from_parts("in_review", 4, 3), None);
        assert_eq!(Status::from_parts("in_review", 1, 3), None);
        assert_eq!(Status::from_parts("submitted", 1, 0), None);
        assert_eq!(Status::from_parts("lost", 0, 0), None);
    }

    #[test]
    fn labels_name_the_pending_level() {
        assert_eq!(Status::Submitted { of: 3 }.label(), "待初审");
        assert_eq!(Status::InReview { level: 2, of: 3 }.label(), "待复审");
        assert_eq!(Status::InReview { level: 3, of: 3 }.label(), "待终审");
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            (0u8..=6).prop_map(|levels| Action::Submit { levels }),
            Just(Action::Withdraw),
            (0u8..=6).prop_map(|levels| Action::Edit { levels }),
            (0u8..=6).prop_map(|level| Action::Approve { level }),
            (0u8..=6).prop_map(|level| Action::Return { level }),
            (0u8..=6).prop_map(|level| Action::Reject { level }),
            Just(Action::Publish),
            Just(Action::Retract),
        ]
    }

    proptest! {
        /// No sequence of actions reaches an invalid status, and nothing reaches Approved
        /// without one approval per level, in order, since the last (re)submission.
        #[test]
        fn no_sequence_reaches_an_invalid_state(actions in proptest::collection::vec(any_action(), 0..60)) {
            let mut s = Status::Draft;
            let mut approvals: Vec<u8> = Vec::new();
            let mut required = 0u8;
            for a in actions {
                let Ok(next) = apply(s, a) else { continue };
                prop_assert!(next.is_valid(), "{s:?} --{a:?}--> {next:?}");
                match (a, next) {
                    (Action::Submit { levels } | Action::Edit { levels }, Status::Submitted { .. }) => {
                        approvals.clear();
                        required = levels;
                    }
                    (Action::Approve { level }, _) => approvals.push(level),
                    _ => {}
                }
                if next == Status::Approved && s != Status::Approved {
                    let expected: Vec<u8> = (1..=required).collect();
                    prop_assert_eq!(&approvals, &expected);
                }
                if next == Status::Published {
                    prop_assert_eq!(s, Status::Approved);
                }
                if matches!(s, Status::Rejected | Status::Retracted) {
                    prop_assert!(false, "terminal status {s:?} moved to {next:?}");
                }
                s = next;
            }
        }
    }
}
