//! Personal data: ID numbers (18 digits with the GB 11643 checksum, 15-digit old numbers
//! with a valid birth date), mobile numbers, bank cards (Luhn), and patients' full names in
//! clinical context. Numbers are read from the folded stream, so full-width digits and digits
//! grouped with spaces or hyphens are found too. The site's own public numbers are allowed.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::{Needles, Raw};
use crate::normalize::is_han;
use crate::report::{Category, Severity};
use crate::source::Stream;

/// The most digits a number worth a look has (a bank card: 19).
const MAX_DIGITS: usize = 19;

/// A run of digits, possibly grouped by single spaces or hyphens, with an optional trailing
/// `x` (ID numbers): stream byte span and the digits (the first `MAX_DIGITS` + 1 of them;
/// `n` counts them all).
struct NumberRun {
    start: usize,
    end: usize,
    buf: [u8; MAX_DIGITS + 1],
    n: usize,
    x: bool,
}

impl NumberRun {
    /// The digits, when there are no more than could be personal data.
    fn digits(&self) -> Option<&str> {
        (self.n <= MAX_DIGITS).then(|| std::str::from_utf8(&self.buf[..self.n]).expect("ASCII digits"))
    }
}

/// The numbers of `t`, handed to `each` as they are found (digits are found a byte at a time;
/// most of a story has none).
fn number_runs(t: &str, mut each: impl FnMut(&NumberRun)) {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(p) = b[i..].iter().position(u8::is_ascii_digit) else { break };
        i += p;
        if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.') {
            i += 1;
            continue;
        }
        let start = i;
        let mut run = NumberRun { start, end: start, buf: [0; MAX_DIGITS + 1], n: 0, x: false };
        let mut group = 0;
        let mut end;
        loop {
            while i < b.len() && b[i].is_ascii_digit() {
                if run.n < run.buf.len() {
                    run.buf[run.n] = b[i];
                }
                run.n += 1;
                group += 1;
                i += 1;
            }
            end = i;
            // A separator continues the number only between groups of three or more digits.
            if group >= 3 && i + 1 < b.len() && (b[i] == b' ' || b[i] == b'-') && b[i + 1].is_ascii_digit() {
                let next = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if next >= 3 {
                    i += 1;
                    group = 0;
                    continue;
                }
            }
            break;
        }
        let mut x = false;
        if end < b.len() && (b[end] == b'x') && (end + 1 == b.len() || !b[end + 1].is_ascii_alphanumeric()) {
            x = true;
            end += 1;
        }
        if end < b.len() && b[end].is_ascii_alphanumeric() {
            // Part of a longer code (model numbers, URLs): not personal data.
            i = end;
            continue;
        }
        (run.end, run.x) = (end, x);
        each(&run);
        i = end;
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10x98765432";

fn valid_birth(y: u32, m: u32, d: u32) -> bool {
    let Ok(month) = time::Month::try_from(m as u8) else { return false };
    (1900..=2100).contains(&y) && time::Date::from_calendar_date(y as i32, month, d as u8).is_ok()
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

/// An 18-character resident ID: region, valid birth date, checksum.
pub fn is_id18(digits: &str, x: bool) -> bool {
    let body = if x { digits.len() == 17 } else { digits.len() == 18 };
    if !body || digits.starts_with('0') {
        return false;
    }
    if !valid_birth(num(&digits[6..10]), num(&digits[10..12]), num(&digits[12..14])) {
        return false;
    }
    let sum: u32 = digits.bytes().take(17).zip(ID_WEIGHTS).map(|(c, w)| (c - b'0') as u32 * w).sum();
    let check = ID_CHECK[(sum % 11) as usize];
    let last = if x { b'x' } else { digits.as_bytes()[17] };
    last == check
}

/// A 15-digit ID of the first generation: region and a valid birth date (19YYMMDD).
pub fn is_id15(digits: &str) -> bool {
    digits.len() == 15 && !digits.starts_with('0') && valid_birth(1900 + num(&digits[6..8]), num(&digits[8..10]), num(&digits[10..12]))
}

/// The Luhn checksum bank cards carry.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = (c - b'0') as u32;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn is_mobile(d: &str) -> bool {
    d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9')
}

pub fn check(s: &Stream, public_phones: &HashSet<String>, out: &mut Vec<Raw>) {
    let t = &s.text;
    number_runs(t, |r| {
        let Some(d) = r.digits() else { return };
        let span = || s.original(r.start, r.end);
        if is_id18(d, r.x) || (!r.x && is_id15(d)) {
            out.push(Raw::new("privacy.id_number", Category::Privacy, Severity::Block, span(), "身份证号码属于个人隐私，不得公开，请删除或隐去中间位"));
            return;
        }
        if r.x {
            return;
        }
        let mobile = if is_mobile(d) {
            Some(d)
        } else if d.len() == 13 && d.starts_with("86") && is_mobile(&d[2..]) {
            Some(&d[2..])
        } else {
            None
        };
        if let Some(m) = mobile {
            if !public_phones.contains(m) && !public_phones.contains(d) {
                out.push(Raw::new("privacy.mobile", Category::Privacy, Severity::Warn, span(), "手机号码属于个人信息，公开前请确认本人同意，或改用科室公开电话"));
            }
            return;
        }
        if (16..=19).contains(&d.len()) && matches!(d.as_bytes()[0], b'3'..=b'6') && luhn(d) {
            out.push(Raw::new("privacy.bank_card", Category::Privacy, Severity::Block, span(), "银行卡号属于个人隐私，不得公开，请删除"));
        }
    });
    patient_names(s, out);
}

/// Words that introduce a patient.
const PATIENT_WORDS: &[&str] = &["患者", "病人", "患儿", "伤者", "产妇", "病友", "伤员", "孕妇"];

/// Common surnames (single characters), for telling a name from an ordinary word.
pub const SURNAMES: &str = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// Characters that end a name (what follows a patient's name in a story).
const AFTER_NAME: &[&str] = &["，", ",", "、", "（", "(", "说", "表示", "告诉", "感慨", "激动", "今年", "年仅", "是", "的家属", "家属", "出院", "康复", "入院", "。"];

/// Characters that never appear in a name here (they make an ordinary phrase instead).
const AFTER_FULL_NAME: &[&str] = &["在", "因", "经", "于", "住院", "术后", "的", "时"];

const NOT_IN_NAME: &str = "复某女士先生阿姨大爷奶奶爷爷同学小朋友老人家属们都均等及和与或因被把将在于对从向已正仍也还又就便才所术后前中病症状情况发热烧血压度危重轻多少数人例名位次年月日岁个均普遍需要应该可以能够会";

fn patient_names(s: &Stream, out: &mut Vec<Raw>) {
    let t = &s.text;
    static WORDS: OnceLock<Needles> = OnceLock::new();
    let words = WORDS.get_or_init(|| Needles::new(PATIENT_WORDS));
    for (i, w) in words.find(t) {
        let name_start = i + PATIENT_WORDS[w].len();
        let rest = &t[name_start..];
        let mut chars = rest.char_indices();
        let Some((_, surname)) = chars.next() else { continue };
        if !SURNAMES.contains(surname) {
            continue;
        }
        // Two or three characters, then something that ends a name.
        let cand: Vec<(usize, char)> = rest.char_indices().take(3).collect();
        let mut found = None;
        for len in [3usize, 2] {
            if cand.len() < len || !cand[..len].iter().all(|(_, c)| is_han(*c)) {
                continue;
            }
            if cand[1..len].iter().any(|(_, c)| NOT_IN_NAME.contains(*c)) {
                continue;
            }
            let (last, c) = cand[len - 1];
            let end = last + c.len_utf8();
            // After a three-character name a few more words end it (患者王建国在…); two
            // characters followed by them are too often ordinary words (患者黄疸在…).
            let ends = AFTER_NAME.iter().any(|a| rest[end..].starts_with(a)) || (len == 3 && AFTER_FULL_NAME.iter().any(|a| rest[end..].starts_with(a)));
            if ends {
                found = Some(end);
                break;
            }
        }
        if let Some(end) = found {
            let span = s.original(name_start, name_start + end);
            out.push(
                Raw::new("privacy.patient_name", Category::Privacy, Severity::Warn, span, "疑似患者真实姓名：公开报道须经本人书面同意，否则请改为“某先生/某女士”或化名")
                    .suggest(format!("{surname}某")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums() {
        assert!(is_id18("11010519491231002", true));
        assert!(!is_id18("11010519491231003", true));
        assert!(is_id18("370102198506123410", false));
        assert!(!is_id18("370102198506123411", false), "checksum");
        assert!(!is_id18("370102198513123410", false), "month 13");
        assert!(is_id15("110105491231002"));
        assert!(luhn("6222020200001234562"));
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
    }
}
