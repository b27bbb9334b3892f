//! Whether an absolute word (最佳, 国家级, 全省第一) stands in advertising or in a statement of
//! fact. 《广告法》第九条 forbids such words in advertising; news reports them as facts all the
//! time (国家级重点专科, 世界级难题, 最佳时机, 朱婷当选最佳主攻), and a checker that flags every
//! one teaches reviewers to ignore it. A lexicon entry marked `context` is a finding only
//! when its sentence reads like promotion, by these cues (the sentence is the text between
//! 。！？；, a line break or 120 characters either side):
//!
//! 1. **A call to come or buy** anywhere in the sentence: 欢迎, 咨询, 预约, 挂号, 热线, 优惠,
//!    免费, 限时, 扫码, 首选, 信赖, 放心, 您 … — the reader is being sold something.
//! 2. **Promotion named as such**: 广告, 宣传单, 海报, 号称, 宣称, 品牌, 套餐 — a report of
//!    someone's advertising quotes the words it is about.
//! 3. **A comparison with others**: 优于, 胜过, 超过, 同行, 其他医院, 同类.
//! 4. **A cure or effect promised**: 治愈, 根治, 疗效, 见效, 药到病除, 保证, 承诺.
//! 5. **Ourselves praised**: the clause (between commas) of the word, or the subject at the
//!    head of its sentence, speaks of us (我院, 本院, 我科, 科室, 我们, 本中心 …): "我院引进世界级
//!    的手术机器人，技术水平国内领先".
//!
//! Even then, a word conferred by someone else is a fact: in the word's own clause, an honour
//! or appraisal before it (获评, 荣获, 入选, 获批, 授予, 认定, 评为, 鉴定, 列入, 命名) or an
//! award's name after it (最佳论文奖, 国家级一等奖), without a call to come or buy (cue 1) in
//! the sentence. Entries without `context` (首选医院, 全网最低价,
//! 神医, 零风险: words no statement of fact needs) are findings wherever they stand.

use super::{back, forward};

const CALL: &[&str] = &[
    "欢迎", "咨询", "预约", "挂号", "热线", "前来", "来院", "到院", "就诊", "优惠", "低价", "特价", "价格", "免费", "限时", "限量", "扫码", "立即", "赶快", "抢购", "首选", "信赖",
    "放心", "您", "选择我们", "找我们",
];
const PROMOTION: &[&str] = &["广告", "宣传单", "传单", "海报", "号称", "宣称", "标榜", "自称", "品牌", "套餐", "促销", "招牌"];
const COMPARISON: &[&str] = &["优于", "胜过", "超过", "超越", "同行", "其他医院", "别的医院", "别家", "同类", "无人能及", "无可比拟"];
const CURE: &[&str] = &["治愈", "根治", "疗效", "见效", "药到病除", "保证", "承诺", "包治", "痊愈", "效果好", "效果最"];
const SELF: &[&str] = &["我院", "本院", "我科", "本科", "科室", "我们", "我中心", "本中心", "我部", "本部", "我所", "本所", "我站", "本站", "我馆", "本馆"];
const HONOUR: &[&str] = &["获评", "荣获", "获得", "获授", "入选", "获批", "批准", "授予", "认定", "评为", "评选为", "当选", "鉴定", "评审", "列入", "命名", "授牌", "挂牌", "表彰", "颁发"];

fn any(t: &str, words: &[&str]) -> bool {
    words.iter().any(|w| t.contains(w))
}

const SENTENCE: &[char] = &['。', '！', '？', '；', '!', '?', ';', '\n'];
const CLAUSE: &[char] = &['。', '！', '？', '；', '!', '?', ';', '\n', '，', ',', '、', '：', ':'];

/// Whether the absolute word at `a..b` of `t` (the folded stream) stands in advertising.
pub fn is_promotion(t: &str, a: usize, b: usize) -> bool {
    let sentence = &t[back(t, a, SENTENCE, 120)..forward(t, b, SENTENCE, 120)];
    let call = any(sentence, CALL);
    let clause_start = back(t, a, CLAUSE, 60);
    let clause = &t[clause_start..forward(t, b, CLAUSE, 60)];
    let before = &t[clause_start..a];
    let award = t[b..forward(t, b, CLAUSE, 8)].contains('奖');
    if !call && (any(before, HONOUR) || award) {
        return false;
    }
    if call || any(sentence, PROMOTION) || any(sentence, COMPARISON) || any(sentence, CURE) {
        return true;
    }
    // Our own service praised: the word's clause names us and what we offer. We may be
    // named once, as the subject at the head of the sentence ("我院……，技术水平国内领先").
    let s0 = back(t, a, SENTENCE, 120);
    let subject = &t[s0..forward(t, s0, CLAUSE, 60).clamp(s0, a)];
    let ours = any(clause, SELF) || any(subject, SELF);
    ours
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promo(sentence: &str, word: &str) -> bool {
        let a = sentence.find(word).unwrap();
        is_promotion(sentence, a, a + word.len())
    }

    #[test]
    fn our_own_service_praised_or_sold_is_promotion() {
        for (s, w) in [
            ("我院引进世界级的手术机器人，技术水平国内领先。", "世界级"),
            ("我院引进世界级的手术机器人，技术水平国内领先。", "国内领先"),
            ("科室主任介绍，这项技术在全省处于顶级水平，欢迎广大患者前来就诊。", "顶级"),
            ("体检中心推出年终健康套餐，配备国际顶尖的影像设备。", "国际顶尖"),
            ("门诊大屏滚动播放的广告中出现“国内领先”等用语。", "国内领先"),
            ("我院的微创技术优于其他医院，是最先进的。", "最先进"),
            ("我院疼痛科是本地区最权威的疼痛诊疗中心。", "最权威"),
        ] {
            assert!(promo(s, w), "{s} / {w}");
        }
    }

    #[test]
    fn facts_and_honours_are_not_promotion() {
        for (s, w) in [
            ("中国女排夺得冠军，朱婷当选最佳主攻。", "最佳"),
            ("这是一道困扰医学界多年的世界级难题。", "世界级"),
            ("我院荣获全省第一名的好成绩。", "全省第一"),
            ("该成果经省科技厅组织专家鉴定，达到国际领先水平。", "国际领先"),
            ("今年我院门诊量稳步增长，职工运动会上检验科获得团体总分第一。", "第一"),
            ("大熊猫是世界级的明星物种。", "世界级"),
            ("我院职工在全国大赛中获最佳创意奖。", "最佳"),
            ("科室举办新年联欢会，护理组的节目获评最佳节目。", "最佳"),
            ("会议指出，要把人民群众的最佳利益放在首位。", "最佳"),
        ] {
            assert!(!promo(s, w), "{s} / {w}");
        }
    }

    #[test]
    fn an_honour_does_not_excuse_a_call_to_buy() {
        assert!(promo("我院荣获全省第一，欢迎前来咨询。", "全省第一"));
    }
}
