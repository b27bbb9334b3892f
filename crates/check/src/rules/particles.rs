//! 的, 地 and 得 mixed up (耐心的为群众讲解, 手术做的很顺利): the commonest slip in publicity
//! copy, and one a language model cannot judge — the text it learned from mixes them the
//! same way. Two patterns, both narrow on purpose (a reviewer learns to ignore a rule that
//! cries wolf):
//!
//! - **的 → 地**: a word of manner from a closed list (耐心, 认真, 热情, 仔细 …) + 的 + a verb
//!   that shows itself as one: a coverb (为, 向, 把 …), an aspect mark or result after it
//!   (询问了, 握住, 参与到), a speech verb before a mark (高兴的说，), or an object after it
//!   (解答群众, 核对每一份). 耐心的讲解 (a noun after 的) stays.
//! - **的 → 得**: a verb (not a person or a thing: 我的, 医院的) + 的 + a degree word (很,
//!   非常, 十分 …) or a set complement (井井有条) that ends the clause: 恢复的很好, 配合的十分
//!   默契. 医院的很多科室 and 医院的非常重要的工作 (another 的 follows: an attribute) stay.

use super::Raw;
use crate::report::{Category, Severity};
use crate::source::Stream;

/// Words of manner that modify verbs with 地.
const MANNER: &[&str] = &[
    "耐心细致", "认真细致", "热情周到", "小心翼翼", "一丝不苟", "不厌其烦", "争先恐后", "有条不紊", "语重心长", "毫不犹豫", "认认真真", "仔仔细细", "耐心", "认真", "仔细", "细致",
    "热情", "激动", "积极", "高兴", "详细", "主动", "亲切", "悉心", "精心", "严格", "迅速", "及时", "默默", "静静", "紧紧", "轻轻", "慢慢", "深深", "不断", "自觉", "稳步",
    "逐步", "反复", "热烈", "小心", "开心", "兴奋", "动情", "感激", "坚定", "愉快", "自豪", "欣慰", "深情", "郑重", "庄严", "有序", "扎实", "切实", "全力",
];
const COVERB: &[char] = &['为', '向', '对', '把', '将', '给', '朝', '替', '跟', '同'];
/// Nouns a coverb char begins (积极的对策, 热情的同事): not coverbs there.
const COVERB_NOUNS: &[&str] = &["对策", "对象", "对手", "对方", "对话", "对比", "向导", "将来", "为人", "给予", "同事", "同志", "同学", "同伴", "同行", "跟随"];
const SPEECH: &[char] = &['说', '问', '答', '笑', '喊', '叫', '哭', '讲', '道'];
/// Objects that show the word before them is a verb taking them.
const OBJECT: &[&str] = &["每", "一", "这", "那", "各", "所有", "全部", "患者", "群众", "居民", "大家", "病人", "家属", "市民", "同事", "孩子", "老人", "他", "她", "我们", "他们", "自己", "医生", "护士"];
/// Words that begin with an object's char but are none (热情的服务一流).
const NOT_OBJECT: &[&str] = &["一下", "一样", "一流", "一致", "一直", "一定", "一起", "一体", "一等", "一线", "一般", "一些", "这样", "那样", "这么", "那么", "各种", "各项"];
/// Degree words (真, 特别 and 相当 begin too many other words: 真谛, 特别贡献奖, 相当于).
const DEGREE: &[&str] = &["非常", "十分", "很", "极其", "极为", "格外"];
/// Degree words that begin something else: 很多, 非常规, 十分之一.
const DEGREE_NOT: &[&str] = &["很多", "很少", "很大一部分", "非常规", "非常时期", "非常态", "十分之"];
const SET_COMPLEMENTS: &[&str] = &["井井有条", "有声有色", "有条不紊", "热火朝天", "淋漓尽致", "如火如荼", "一塌糊涂", "恰到好处", "扎扎实实", "红红火火", "清清楚楚", "明明白白"];
/// Words before 的 that are people, things or times, not verbs: 我的很多, 今天的很.
/// 真的很 (really), 有的很 (some are), 是的, 目的 are words of their own.
const NOT_VERB_END: &[char] = &['真', '有', '是', '目', '别', '我', '你', '他', '她', '它', '们', '院', '科', '室', '人', '者', '年', '月', '日', '天', '家', '国', '省', '市', '区', '县', '部', '处', '站'];

fn han(c: char) -> bool {
    crate::normalize::is_han(c)
}

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    let t = s.text.as_str();
    for (i, _) in t.match_indices('的') {
        let before = &t[..i];
        let after = &t[i + '的'.len_utf8()..];
        if MANNER.iter().any(|m| before.ends_with(m)) {
            if verb_follows(after) {
                let (a, b) = s.original(i, i + '的'.len_utf8());
                out.push(Raw::new("grammar.de_di", Category::Grammar, Severity::Warn, (a, b), "“的”“地”误用：修饰动词的状语后用“地”（如“耐心地讲解”“认真地核对”）").suggest("地"));
                continue;
            }
        }
        if complement_follows(after) && before.chars().next_back().is_some_and(|c| han(c) && !NOT_VERB_END.contains(&c)) {
            let (a, b) = s.original(i, i + '的'.len_utf8());
            out.push(Raw::new("grammar.de_de", Category::Grammar, Severity::Warn, (a, b), "“的”“得”误用：动词后引出程度、结果的补语用“得”（如“恢复得很好”“做得非常顺利”）").suggest("得"));
        }
    }
}

/// After 的: a verb that shows itself as one.
fn verb_follows(after: &str) -> bool {
    let c: Vec<char> = after.chars().take(6).collect();
    let Some(&first) = c.first() else { return false };
    if !han(first) {
        return false;
    }
    if COVERB.contains(&first) && !COVERB_NOUNS.iter().any(|n| after.starts_with(n)) {
        return true;
    }
    if SPEECH.contains(&first) && c.get(1).is_none_or(|&n| !han(n) || matches!(n, '道' | '着' | '了')) {
        return true;
    }
    // A verb of one or two chars, then an aspect mark, a result, or an object.
    for len in [2, 1] {
        if c.len() <= len || !c[..len].iter().all(|&x| han(x)) || matches!(c[len - 1], '人' | '者' | '们' | '的' | '性') {
            continue;
        }
        let next = c[len];
        let rest: String = c[len..].iter().collect();
        let aspect = matches!(next, '了' | '着' | '过') && !rest.starts_with("了解") && !rest.starts_with("过程") && !rest.starts_with("着想");
        let result = matches!(next, '住' | '到');
        let object = len == 2 && OBJECT.iter().any(|o| rest.starts_with(o)) && !NOT_OBJECT.iter().any(|o| rest.starts_with(o));
        if aspect || result || object {
            return true;
        }
    }
    false
}

/// After 的: a degree word and what it grades ending the clause, or a set complement.
fn complement_follows(after: &str) -> bool {
    if SET_COMPLEMENTS.iter().any(|w| after.starts_with(w)) {
        return true;
    }
    let Some(d) = DEGREE.iter().find(|d| after.starts_with(*d)) else { return false };
    if DEGREE_NOT.iter().any(|n| after.starts_with(n)) {
        return false;
    }
    // What the degree word grades, to the end of the clause: short, and no 的 (an attribute).
    let rest = &after[d.len()..];
    let clause: String = rest.chars().take_while(|&c| han(c)).collect();
    let n = clause.chars().count();
    (1..=2).contains(&n) && !clause.contains('的') && !clause.contains('地')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(text: &str) -> Vec<(String, String)> {
        let s = Stream::from_text(text);
        let mut out = Vec::new();
        check(&s, &mut out);
        out.iter().map(|r| (text[..r.start].chars().rev().take(2).collect::<String>().chars().rev().collect(), r.suggestion.as_deref().unwrap().to_string())).collect()
    }

    #[test]
    fn manner_before_a_verb_takes_di() {
        for text in [
            "医护人员耐心的为群众讲解健康知识。",
            "护士们认真的核对每一份医嘱。",
            "他高兴的说，终于可以回家了。",
            "专家耐心细致的解答群众的疑问。",
            "大家积极的参与到活动中来。",
            "医生仔细的询问了患者的病史。",
            "志愿者们热情的引导患者就诊。",
            "她激动的握住医生的手。",
        ] {
            assert_eq!(fixes(text).iter().map(|f| f.1.as_str()).collect::<Vec<_>>(), ["地"], "{text}");
        }
    }

    #[test]
    fn a_verb_before_its_degree_takes_de() {
        for text in ["这次活动办的很成功。", "手术做的非常顺利。", "患者恢复的很好，下周即可出院。", "活动组织的井井有条。", "护理团队配合的十分默契。"] {
            assert_eq!(fixes(text).iter().map(|f| f.1.as_str()).collect::<Vec<_>>(), ["得"], "{text}");
        }
    }

    #[test]
    fn attributes_and_nouns_stay() {
        for text in [
            "通过专家耐心的讲解，大家掌握了急救要领。",
            "积极的对策和热情的服务赢得了好评。",
            "医院的很多科室参与了义诊。",
            "这是医院的非常重要的工作。",
            "我的很多同事都来了。",
            "他是一位认真的人。",
            "热情的同事们帮了大忙。",
            "今年的十分之一经费用于培训。",
            "耐心地为群众讲解。",
            "恢复得很好。",
            "积极的作用不可忽视。",
            "认真的态度值得学习。",
            "热情的服务一流。",
            "这就是生活的真谛。",
            "他获得了医院的特别贡献奖。",
            "那时我真的很惭愧。",
            "有的很好，有的不好。",
            "这是现代家庭的很大问题。",
        ] {
            assert!(fixes(text).is_empty(), "{text}: {:?}", fixes(text));
        }
    }
}
