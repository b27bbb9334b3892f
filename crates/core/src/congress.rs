//! The staff congress (职工代表大会) as pure rules: how a delegate's motion (提案) moves from
//! submission to a rated reply, and how a vote on a resolution is counted.
//!
//! ```text
//! Submitted ──Accept (立案)──────▶ Accepted ─┐
//!     │──────Convert (转为意见建议)▶ Suggestion ├─Reply──▶ Replied ──Rate 满意/基本满意──▶ Closed
//!     └──────Decline (不予立案)───▶ Declined    │            │
//!                                    Rework ◀─┘◀──Rate 不满意─┘   (the department answers again)
//! ```
//!
//! A vote is valid when at least two thirds of all delegates are present, and a resolution
//! passes with the votes of more than half of all delegates (not only of those present), as
//! staff congress rules commonly require.

coded! {
    /// Where a motion stands.
    MotionState {
        Submitted = "submitted", "待审查";
        Accepted = "accepted", "已立案";
        Suggestion = "suggestion", "转为意见建议";
        Declined = "declined", "不予立案";
        Replied = "replied", "已答复";
        Rework = "rework", "重新办理";
        Closed = "closed", "已办结";
    }
}

coded! {
    /// What the delegate thought of the reply.
    Rating {
        Satisfied = "satisfied", "满意";
        Basic = "basic", "基本满意";
        Unsatisfied = "unsatisfied", "不满意";
    }
}

/// Something done to a motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotionAction {
    Accept,
    Convert,
    Decline,
    Reply,
    Rate(Rating),
}

impl MotionAction {
    fn label(self) -> &'static str {
        match self {
            MotionAction::Accept => "立案",
            MotionAction::Convert => "转为意见建议",
            MotionAction::Decline => "不予立案",
            MotionAction::Reply => "答复",
            MotionAction::Rate(_) => "评价",
        }
    }
}

/// Where `action` takes a motion at `state`, or why it cannot, in a sentence.
pub fn next(state: MotionState, action: MotionAction) -> Result<MotionState, String> {
    use MotionAction as A;
    use MotionState as S;
    match (state, action) {
        (S::Submitted, A::Accept) => Ok(S::Accepted),
        (S::Submitted, A::Convert) => Ok(S::Suggestion),
        (S::Submitted, A::Decline) => Ok(S::Declined),
        (S::Accepted | S::Suggestion | S::Rework, A::Reply) => Ok(S::Replied),
        (S::Replied, A::Rate(Rating::Unsatisfied)) => Ok(S::Rework),
        (S::Replied, A::Rate(_)) => Ok(S::Closed),
        (s, a) => Err(format!("提案{}，不能{}", s.label(), a.label())),
    }
}

/// Whether a motion is waiting for its handling department.
pub fn awaits_reply(state: MotionState) -> bool {
    matches!(state, MotionState::Accepted | MotionState::Suggestion | MotionState::Rework)
}

/// A counted vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Delegates of the session when the vote opened.
    pub delegates: u32,
    pub present: u32,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

impl Tally {
    /// At least two thirds of all delegates present.
    pub fn quorum(&self) -> bool {
        self.delegates > 0 && self.present * 3 >= self.delegates * 2
    }

    /// Valid, and more than half of all delegates voted for it.
    pub fn passed(&self) -> bool {
        self.quorum() && self.yes * 2 > self.delegates
    }

    /// The result as the minutes state it.
    pub fn result(&self) -> String {
        let counts = format!("应到代表 {} 人，实到 {} 人；赞成 {} 票，反对 {} 票，弃权 {} 票", self.delegates, self.present, self.yes, self.no, self.abstain);
        let not_voted = self.present.saturating_sub(self.yes + self.no + self.abstain);
        let counts = if not_voted > 0 { format!("{counts}，未投票 {not_voted} 人") } else { counts };
        if !self.quorum() {
            format!("{counts}。出席代表不足全体代表的三分之二，表决无效。")
        } else if self.passed() {
            format!("{counts}。赞成票超过全体代表半数，决议通过。")
        } else {
            format!("{counts}。赞成票未超过全体代表半数，决议未通过。")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MotionAction as A;
    use super::MotionState as S;
    use super::*;

    #[test]
    fn a_motion_goes_from_submission_to_a_rated_reply_and_back_when_unsatisfied() {
        let mut s = S::Submitted;
        for a in [A::Accept, A::Reply, A::Rate(Rating::Unsatisfied)] {
            s = next(s, a).unwrap();
        }
        assert_eq!(s, S::Rework);
        assert!(awaits_reply(s));
        s = next(next(s, A::Reply).unwrap(), A::Rate(Rating::Basic)).unwrap();
        assert_eq!(s, S::Closed);
        assert_eq!(next(S::Submitted, A::Convert), Ok(S::Suggestion));
        assert_eq!(next(S::Suggestion, A::Reply), Ok(S::Replied));
        assert_eq!(next(S::Submitted, A::Decline), Ok(S::Declined));
    }

    #[test]
    fn out_of_order_moves_are_refused_in_words() {
        assert_eq!(next(S::Submitted, A::Reply).unwrap_err(), "提案待审查，不能答复");
        assert_eq!(next(S::Declined, A::Reply).unwrap_err(), "提案不予立案，不能答复");
        assert!(next(S::Closed, A::Rate(Rating::Satisfied)).is_err());
        assert!(next(S::Accepted, A::Rate(Rating::Satisfied)).is_err());
        assert!(next(S::Replied, A::Accept).is_err());
    }

    #[test]
    fn votes_need_two_thirds_present_and_more_than_half_of_all_for() {
        let t = |present, yes, no, abstain| Tally { delegates: 90, present, yes, no, abstain };
        assert!(t(60, 46, 10, 4).passed());
        // 45 of 90 is half, not more than half.
        assert!(!t(60, 45, 10, 5).passed());
        assert!(t(60, 45, 10, 5).result().ends_with("决议未通过。"));
        // 59 of 90 present is short of two thirds: invalid whatever the count.
        assert!(!t(59, 59, 0, 0).quorum());
        assert!(t(59, 59, 0, 0).result().ends_with("表决无效。"));
        assert_eq!(t(61, 50, 5, 3).result(), "应到代表 90 人，实到 61 人；赞成 50 票，反对 5 票，弃权 3 票，未投票 3 人。赞成票超过全体代表半数，决议通过。");
        assert!(!Tally { delegates: 0, present: 0, yes: 0, no: 0, abstain: 0 }.passed());
    }
}
