//! Characters that look alike (形近字), the team's own list of the slips proofreaders see: a
//! candidate may replace a character by another of its group. Sound-alike slips need no list
//! (pinyin decides them); these are the ones pinyin cannot find.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

const GROUPS: &[&str] = &[
    "己已巳", "戊戌戍戎", "未末", "土士", "日曰", "人入八", "侯候", "拔拨", "析折拆", "券卷", "崇祟", "汨汩", "睛晴睛请清情", "辩辨辫瓣", "衰哀衷", "免兔", "贷货",
    "赢嬴羸", "喝渴揭竭", "撤撒澈", "徽微征", "冶治", "茶荼", "杳查", "壁璧譬劈", "幕墓慕暮募", "狐孤弧", "蓝篮监", "摘滴嫡谪", "暑署", "浙淅", "钓钩", "刺剌", "鸟乌",
    "大太犬", "天夭", "午牛", "千干于", "子孑", "义叉", "王玉主", "旦且", "苟荀", "准淮", "怡恰", "祗祇", "瞻赡", "颖颍", "缉揖辑", "栗粟", "籍藉", "竟竞", "形型刑",
    "峰锋蜂烽", "编遍偏篇骗", "跟根", "待侍持特", "辛幸", "坏怀", "壮状", "奖桨浆", "俩辆", "泡炮跑袍饱抱", "访仿纺防妨", "练炼", "码玛妈吗骂", "梁粱", "蜡腊",
    "赔陪倍培", "场肠畅扬杨", "则侧测厕", "很狠恨", "驻住注柱往", "历厉", "园圆", "拨泼", "象像", "即既", "贯惯", "傅博搏膊", "援缓暖", "晨晨", "绩积", "迹际",
    "峻竣俊骏", "愉偷输", "违韦", "铭名", "仓苍沧抢枪", "挡档", "幅副福富", "概慨", "阀伐", "疲被披坡波", "捐绢娟", "赏尝偿", "籍籍", "染柒", "盲育", "侍待",
    "朋明", "沫沬", "毫豪", "末沫", "炙灸", "斑班", "拣炼", "挚贽", "辍缀", "粹碎", "汇江", "烁砾", "篡纂", "旋璇", "荐存", "殆贻", "遗遣", "逼偪", "墨默",
];

fn index() -> &'static FxHashMap<char, Vec<u16>> {
    static INDEX: OnceLock<FxHashMap<char, Vec<u16>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: FxHashMap<char, Vec<u16>> = FxHashMap::default();
        for (g, s) in GROUPS.iter().enumerate() {
            for c in s.chars() {
                let v = m.entry(c).or_default();
                if !v.contains(&(g as u16)) {
                    v.push(g as u16);
                }
            }
        }
        m
    })
}

/// The chars that look like `c` (not `c` itself).
pub fn alikes(c: char) -> impl Iterator<Item = char> {
    let groups: &[u16] = index().get(&c).map(Vec::as_slice).unwrap_or(&[]);
    let mut out: Vec<char> = groups.iter().flat_map(|&g| GROUPS[g as usize].chars()).filter(|&x| x != c).collect();
    out.sort_unstable();
    out.dedup();
    out.into_iter()
}

/// Whether `a` and `b` (different characters) look alike.
pub fn similar(a: char, b: char) -> bool {
    let m = index();
    match (m.get(&a), m.get(&b)) {
        (Some(x), Some(y)) => a != b && x.iter().any(|g| y.contains(g)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn look_alikes_are_similar_and_others_are_not() {
        assert!(super::similar('己', '已'));
        assert!(super::similar('候', '侯'));
        assert!(!super::similar('己', '己'));
        assert!(!super::similar('医', '院'));
    }
}
