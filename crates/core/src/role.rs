//! Roles and the pure access policy. Handlers ask these functions; no rule lives only in a
//! handler.

use serde::{Deserialize, Serialize};

/// What a signed-in user is allowed to do. One role per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 通讯员: writes and submits stories for one department; sees only their own manuscripts.
    Correspondent,
    /// 编辑: edits any manuscript, usually does the first review level, publishes.
    Editor,
    /// 审核人: reviews at the level assigned to them.
    Reviewer,
    /// 总编辑 / 终审: reviews at any level, overrides blocking findings, publishes and retracts.
    ChiefEditor,
    /// 系统管理员: departments, channels, the theme and the site's settings; not accounts.
    Admin,
    /// 审计员: reads and exports the audit log; changes nothing.
    Auditor,
    /// 安全管理员: accounts, roles, lockouts and the check's lexicon policy (三员分立: the
    /// system administrator, the security administrator and the auditor are three people).
    SecurityAdmin,
}

impl Role {
    /// Every role, in the order admin pages list them.
    pub const ALL: [Role; 7] = [
        Role::Correspondent,
        Role::Editor,
        Role::Reviewer,
        Role::ChiefEditor,
        Role::Admin,
        Role::SecurityAdmin,
        Role::Auditor,
    ];

    /// The name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Correspondent => "correspondent",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::ChiefEditor => "chief_editor",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::SecurityAdmin => "security_admin",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Chinese label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Correspondent => "通讯员",
            Role::Editor => "编辑",
            Role::Reviewer => "审核人",
            Role::ChiefEditor => "总编辑",
            Role::Admin => "系统管理员",
            Role::Auditor => "审计员",
            Role::SecurityAdmin => "安全管理员",
        }
    }

    /// Sees every manuscript of the site (not only their own).
    pub fn sees_all_manuscripts(self) -> bool {
        matches!(self, Role::Editor | Role::Reviewer | Role::ChiefEditor)
    }

    /// May edit a manuscript written by someone else.
    pub fn edits_others(self) -> bool {
        matches!(self, Role::Editor | Role::ChiefEditor)
    }

    /// May publish approved manuscripts and retract articles.
    pub fn publishes(self) -> bool {
        matches!(self, Role::Editor | Role::ChiefEditor)
    }

    /// May write manuscripts at all.
    pub fn writes(self) -> bool {
        matches!(self, Role::Correspondent | Role::Editor | Role::ChiefEditor)
    }

    /// Manages departments, channels, the theme and the site's settings (系统管理员).
    pub fn administers(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Manages accounts: creates and changes users and their roles, resets passwords,
    /// unlocks, imports people (安全管理员). Nobody else does, the system administrator
    /// included.
    pub fn manages_accounts(self) -> bool {
        matches!(self, Role::SecurityAdmin)
    }

    /// Keeps the register of outlets (阵地) and records where stories went: the publicity
    /// department's staff.
    pub fn runs_outlets(self) -> bool {
        matches!(self, Role::Editor | Role::ChiefEditor | Role::Admin)
    }

    /// Reads and exports the audit log: the auditor alone, so the administrators whose
    /// actions it records do not review themselves.
    pub fn reads_audit(self) -> bool {
        matches!(self, Role::Auditor)
    }
}

/// Whether a user with `role` and assigned `review_level` may decide at `level`.
/// Editors and reviewers decide at the one level assigned to them; the chief editor at any.
pub fn may_decide_at(role: Role, review_level: Option<u8>, level: u8) -> bool {
    match role {
        Role::ChiefEditor => true,
        Role::Editor | Role::Reviewer => review_level == Some(level),
        _ => false,
    }
}

/// Review level names: 初审, 复审, 终审 for the usual three; more levels are numbered.
pub fn level_label(level: u8, of: u8) -> String {
    match (level, of) {
        (l, n) if l == n && n > 1 => "终审".to_string(),
        (1, _) => "初审".to_string(),
        (2, _) => "复审".to_string(),
        (l, _) => format!("第{l}级审核"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn reviewers_decide_only_at_their_level() {
        assert!(may_decide_at(Role::Reviewer, Some(2), 2));
        assert!(!may_decide_at(Role::Reviewer, Some(2), 1));
        assert!(!may_decide_at(Role::Reviewer, None, 1));
        assert!(may_decide_at(Role::ChiefEditor, None, 3));
        assert!(!may_decide_at(Role::Correspondent, Some(1), 1));
        assert!(!may_decide_at(Role::Admin, Some(1), 1));
    }

    #[test]
    fn the_three_administrative_duties_belong_to_three_roles() {
        // 三员分立: system administration, accounts and the audit are never one role's.
        for r in Role::ALL {
            let duties = [r.administers(), r.manages_accounts(), r.reads_audit()].into_iter().filter(|d| *d).count();
            assert!(duties <= 1, "{r:?} combines administrative duties");
            if duties == 1 {
                assert!(!r.writes() && !r.publishes() && !r.sees_all_manuscripts(), "{r:?} also works on stories");
            }
        }
        assert_eq!(Role::ALL.iter().filter(|r| r.manages_accounts()).collect::<Vec<_>>(), [&Role::SecurityAdmin]);
        assert_eq!(Role::ALL.iter().filter(|r| r.reads_audit()).collect::<Vec<_>>(), [&Role::Auditor]);
        assert_eq!(Role::parse("security_admin"), Some(Role::SecurityAdmin));
    }

    #[test]
    fn level_labels() {
        assert_eq!(level_label(1, 3), "初审");
        assert_eq!(level_label(2, 3), "复审");
        assert_eq!(level_label(3, 3), "终审");
        assert_eq!(level_label(1, 1), "初审");
        assert_eq!(level_label(3, 5), "第3级审核");
        assert_eq!(level_label(5, 5), "终审");
    }
}
