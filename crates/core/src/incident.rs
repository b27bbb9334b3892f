//! The incident workflow of opinion monitoring (舆情事件处置) as a pure state machine.
//!
//! ```text
//! Found ──Assess──▶ Assessing ──Handle──▶ Handling ──Close──▶ Closed
//! (发现)            (研判)   │            (处置)               (办结)
//!                            └────────Close (研判后无需处置)──────▶ │
//!                    Handling ◀──────────────Reopen──────────────────┘
//! ```
//!
//! What each move needs is checked here, from [`Facts`] the caller gathers: an owner before
//! anyone judges it, a judgement and a deadline before it is handled, a closing summary
//! before it is closed. When an open incident passes its deadline it is overdue, and it is
//! escalated once per deadline ([`escalation_due`]).

coded! {
    /// Where an incident stands.
    IncidentState {
        Found = "found", "发现";
        Assessing = "assessing", "研判";
        Handling = "handling", "处置";
        Closed = "closed", "办结";
    }
}

coded! {
    /// What staff do to an incident.
    IncidentAction {
        /// Start judging it (who, what, how serious, how far it has spread).
        Assess = "assess", "开始研判";
        /// Judged: act on it (answer, contact the poster, correct the record).
        Handle = "handle", "进入处置";
        /// Done, with a closing summary.
        Close = "close", "办结";
        /// It flared up again after closing.
        Reopen = "reopen", "重新处置";
    }
}

/// What the caller knows about the incident when a move is asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    pub has_owner: bool,
    pub has_deadline: bool,
    /// Characters of the judgement (研判意见).
    pub assessment_len: usize,
    /// Characters of the closing summary (办结总结).
    pub summary_len: usize,
}

/// The shortest closing summary accepted: a sentence, not "好了".
pub const MIN_SUMMARY: usize = 10;

/// Why a move was refused, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentError(pub String);

impl std::fmt::Display for IncidentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IncidentError {}

fn refuse(s: impl Into<String>) -> Result<IncidentState, IncidentError> {
    Err(IncidentError(s.into()))
}

/// Where `action` takes an incident at `state`, or why it cannot.
pub fn next(state: IncidentState, action: IncidentAction, facts: &Facts) -> Result<IncidentState, IncidentError> {
    use IncidentAction as A;
    use IncidentState as S;
    match (state, action) {
        (S::Found, A::Assess) => {
            if !facts.has_owner {
                return refuse("请先指定负责人，再开始研判");
            }
            Ok(S::Assessing)
        }
        (S::Assessing, A::Handle) => {
            if facts.assessment_len == 0 {
                return refuse("请先写研判意见（性质、影响范围、处置建议），再进入处置");
            }
            if !facts.has_deadline {
                return refuse("进入处置前请设定办结期限");
            }
            Ok(S::Handling)
        }
        (S::Assessing | S::Handling, A::Close) => {
            if state == S::Assessing && facts.assessment_len == 0 {
                return refuse("研判后无需处置的，请先写明研判意见");
            }
            if facts.summary_len < MIN_SUMMARY {
                return refuse(format!("办结前请写办结总结（至少 {MIN_SUMMARY} 个字）：经过、回应、结果"));
            }
            Ok(S::Closed)
        }
        (S::Closed, A::Reopen) => {
            if !facts.has_deadline {
                return refuse("重新处置前请设定新的办结期限");
            }
            Ok(S::Handling)
        }
        (s, a) => refuse(format!("事件处于“{}”阶段，不能“{}”", s.label(), a.label())),
    }
}

/// The moves open at `state`, for the buttons of the incident page.
pub fn actions(state: IncidentState) -> &'static [IncidentAction] {
    use IncidentAction as A;
    match state {
        IncidentState::Found => &[A::Assess],
        IncidentState::Assessing => &[A::Handle, A::Close],
        IncidentState::Handling => &[A::Close],
        IncidentState::Closed => &[A::Reopen],
    }
}

/// Whether an open incident has passed its deadline.
pub fn overdue(state: IncidentState, deadline: Option<i64>, now: i64) -> bool {
    state != IncidentState::Closed && deadline.is_some_and(|d| d < now)
}

/// Whether an incident is to be escalated now: overdue, and not escalated since its
/// deadline was last set (`escalated_at` is cleared when the deadline changes).
pub fn escalation_due(state: IncidentState, deadline: Option<i64>, escalated_at: Option<i64>, now: i64) -> bool {
    overdue(state, deadline, now) && escalated_at.is_none()
}

#[cfg(test)]
mod tests {
    use super::IncidentAction as A;
    use super::IncidentState as S;
    use super::*;

    const READY: Facts = Facts { has_owner: true, has_deadline: true, assessment_len: 30, summary_len: 40 };

    #[test]
    fn an_incident_goes_found_assessing_handling_closed() {
        let mut s = S::Found;
        for a in [A::Assess, A::Handle, A::Close] {
            s = next(s, a, &READY).unwrap();
        }
        assert_eq!(s, S::Closed);
        assert_eq!(next(s, A::Reopen, &READY), Ok(S::Handling));
    }

    #[test]
    fn each_move_asks_for_what_it_needs() {
        let none = Facts::default();
        assert!(next(S::Found, A::Assess, &none).unwrap_err().0.contains("负责人"));
        let owned = Facts { has_owner: true, ..none };
        assert!(next(S::Assessing, A::Handle, &owned).unwrap_err().0.contains("研判意见"));
        let judged = Facts { assessment_len: 20, ..owned };
        assert!(next(S::Assessing, A::Handle, &judged).unwrap_err().0.contains("期限"));
        let short = Facts { summary_len: 3, ..READY };
        assert!(next(S::Handling, A::Close, &short).unwrap_err().0.contains("办结总结"));
        // Judged harmless: closed straight from assessment, with a summary.
        assert_eq!(next(S::Assessing, A::Close, &READY), Ok(S::Closed));
        assert!(next(S::Assessing, A::Close, &Facts { assessment_len: 0, ..READY }).is_err());
    }

    #[test]
    fn moves_out_of_order_are_refused_with_the_stage_named() {
        let e = next(S::Found, A::Close, &READY).unwrap_err();
        assert_eq!(e.0, "事件处于“发现”阶段，不能“办结”");
        assert!(next(S::Closed, A::Handle, &READY).is_err());
        assert!(next(S::Handling, A::Assess, &READY).is_err());
        // The buttons offered are exactly the moves that can succeed.
        for s in S::ALL {
            for a in IncidentAction::ALL {
                assert_eq!(actions(*s).contains(a), next(*s, *a, &READY).is_ok(), "{s:?} {a:?}");
            }
        }
    }

    #[test]
    fn overdue_incidents_escalate_once_per_deadline() {
        assert!(overdue(S::Handling, Some(100), 101));
        assert!(!overdue(S::Handling, Some(100), 100));
        assert!(!overdue(S::Closed, Some(100), 500));
        assert!(!overdue(S::Found, None, 500));
        assert!(escalation_due(S::Assessing, Some(100), None, 200));
        assert!(!escalation_due(S::Assessing, Some(100), Some(150), 200));
    }
}
