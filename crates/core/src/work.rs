//! Publicity work that is not a story (其他宣传工作): videos made, brochures printed, LED
//! slogans run, expert-clinic notices posted, events held, trainings given. Each entry is a
//! dated quantity of one kind, counted in the statistics and the summaries
//! ("宣传片54部", "宣传册10万余份", "发布专家坐诊信息48次").

coded!(
    /// What kind of work; each has the unit its quantity is counted in.
    WorkKind {
        Video = "video", "宣传片/短视频";
        Brochure = "brochure", "宣传册/折页";
        LedSlogan = "led_slogan", "LED屏标语";
        ExpertNotice = "expert_notice", "专家坐诊信息";
        Event = "event", "宣传活动";
        Training = "training", "通讯员培训";
        Interview = "interview", "接待媒体采访";
        Other = "other", "其他";
    }
);

impl WorkKind {
    /// The unit a quantity of this kind is counted in (部, 份, 条, 次, 场, 项).
    pub fn unit(self) -> &'static str {
        match self {
            WorkKind::Video => "部",
            WorkKind::Brochure => "份",
            WorkKind::LedSlogan => "条",
            WorkKind::ExpertNotice | WorkKind::Interview => "次",
            WorkKind::Event | WorkKind::Training => "场",
            WorkKind::Other => "项",
        }
    }

    /// How a summary says it: `制作宣传片/短视频54部`, `发布专家坐诊信息48次`.
    pub fn phrase(self, quantity: i64) -> String {
        let verb = match self {
            WorkKind::Video => "制作",
            WorkKind::Brochure => "印制",
            WorkKind::LedSlogan | WorkKind::ExpertNotice => "发布",
            WorkKind::Event => "组织",
            WorkKind::Training => "开展",
            WorkKind::Interview => "",
            WorkKind::Other => "完成",
        };
        let label = if self == WorkKind::Other { "其他宣传工作" } else { self.label() };
        format!("{verb}{label}{quantity}{}", self.unit())
    }
}

/// The largest quantity one entry may carry (a print run of a brochure is large, a typo of
/// an extra zero is caught).
pub const MAX_QUANTITY: i64 = 10_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_says_what_was_done() {
        assert_eq!(WorkKind::Video.phrase(54), "制作宣传片/短视频54部");
        assert_eq!(WorkKind::ExpertNotice.phrase(48), "发布专家坐诊信息48次");
        assert_eq!(WorkKind::Interview.phrase(3), "接待媒体采访3次");
        assert_eq!(WorkKind::Other.phrase(2), "完成其他宣传工作2项");
    }

    #[test]
    fn kinds_read_back_and_carry_their_units() {
        for k in WorkKind::ALL {
            assert_eq!(WorkKind::parse(k.code()), Some(*k));
            assert_eq!(WorkKind::parse(k.label()), Some(*k));
            assert!(!k.unit().is_empty());
        }
        assert_eq!(WorkKind::Brochure.unit(), "份");
        assert_eq!(WorkKind::parse("无人机"), None);
    }
}
