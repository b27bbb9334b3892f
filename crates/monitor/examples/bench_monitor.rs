//! The monitor's ingestion path over synthetic items: dedup (GUID, URL, near-duplicate text),
//! 500 rules in one automaton, sentiment, and the category of every hit.
//! `cargo run --release -p yuanxun-monitor --example bench_monitor -- [items] [rules] [dump.txt]`
//! Prints the whole path's rate with counts to compare runs by, then sentiment alone; with a
//! third argument writes the first 5,000 texts there, one a line, for the peer (snownlp).
use std::time::Instant;

use yuanxun_monitor::{Expr, Repeat, RuleSet, Scorer, Seen, Sets};

/// A deterministic generator (xorshift), so every run sees the same items.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const PLACES: &[&str] = &["市一院", "市人民医院", "中心医院", "妇幼保健院", "中医院", "县医院", "社区卫生服务中心", "口腔医院", "肿瘤医院", "儿童医院"];
const SUBJECTS: &[&str] = &["急诊科", "儿科", "骨科", "产科", "心内科", "收费处", "住院部", "门诊", "体检中心", "药房", "护士站", "检验科"];
const EVENTS: &[&str] = &[
    "医生态度恶劣，排队两个小时", "发生医疗纠纷，家属拉横幅讨说法", "收费明细里重复收费", "医生收红包被举报", "住院部发生火灾", "网传停诊系谣言",
    "成功救治一名危重患者", "患者送来锦旗表示感谢", "召开年度工作会议", "开展义诊活动", "举办业务培训", "护士耐心细致获好评",
    "停车难问题突出", "检查报告迟迟拿不到", "引进新设备提升诊疗能力", "获评省级先进单位",
];
const COMMON: &[char] = &[
    '的', '一', '是', '在', '不', '了', '有', '和', '人', '这', '中', '大', '为', '上', '个', '国', '我', '以', '要', '他', '时', '来', '用', '们', '生', '到', '作', '地', '于',
    '出', '就', '分', '对', '成', '会', '可', '主', '发', '年', '动', '同', '工', '也', '能', '下', '过', '子', '说', '产', '种', '面', '而', '方', '后', '多', '定', '行', '学',
    '法', '所', '民', '得', '经', '十', '三', '之', '进', '着', '等', '部', '度', '家', '电', '力', '里', '如', '水', '化', '高', '自', '二', '理', '起', '小', '物', '现', '实',
    '加', '量', '都', '两', '体', '制', '机', '当', '使', '点', '从', '业', '本', '去', '把', '性', '应', '开', '它', '合', '还', '因', '由', '其', '些', '然', '前', '外', '天',
];
const FILLER: &[&str] = &["据了解，", "记者从现场获悉，", "有网友称，", "事情发生在周二上午，", "目前，", "相关部门表示，", "不少市民关注此事，", "截至发稿时，"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let n_rules: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(500);
    let mut rng = Rng(0x9E3779B97F4A7C15);

    // 500 rules: hospital names combined with subjects and event words, some with NOT and NEAR.
    let words = ["纠纷", "投诉", "红包", "火灾", "谣言", "收费", "态度", "排队", "横幅", "举报", "停车", "报告", "死亡", "感谢", "锦旗", "义诊"];
    let sets = Sets::new();
    let rules: Vec<Expr> = (0..n_rules)
        .map(|i| {
            let place = PLACES[i % PLACES.len()];
            let subject = SUBJECTS[(i / PLACES.len()) % SUBJECTS.len()];
            let a = words[i % words.len()];
            let b = words[(i * 7 + 3) % words.len()];
            let src = match i % 4 {
                0 => format!("{place} & ({a} | {b})"),
                1 => format!("({place} | {subject}) & {a} & !招聘"),
                2 => format!("NEAR({subject}, {a}, 12)"),
                _ => format!("\"{place}{subject}\" | ({a} & {b})"),
            };
            Expr::parse(&src, &sets).expect("generated rules parse")
        })
        .collect();

    // Items: a tenth repeat an earlier GUID, a tenth are reposts with a word changed.
    let mut items: Vec<(String, String, String)> = Vec::with_capacity(n);
    for i in 0..n {
        let r = rng.next() % 10;
        if i > 100 && r == 0 {
            let j = (rng.next() % i as u64) as usize;
            let again = items[j].clone();
            items.push(again);
            continue;
        }
        if i > 100 && r == 1 {
            let j = (rng.next() % i as u64) as usize;
            let text = items[j].2.replacen("，", "。", 1);
            items.push((format!("g{i}"), format!("https://repost.example/{i}"), text));
            continue;
        }
        // Around the story, 12 to 30 words of common characters, as posts wander.
        let mut text = format!("{}{}{}{}，", rng.pick(FILLER), rng.pick(PLACES), rng.pick(SUBJECTS), rng.pick(EVENTS));
        for _ in 0..12 + rng.next() % 19 {
            let a = COMMON[(rng.next() % COMMON.len() as u64) as usize];
            let b = COMMON[(rng.next() % COMMON.len() as u64) as usize];
            text.push(a);
            text.push(b);
        }
        text.push_str(rng.pick(FILLER));
        text.push('。');
        items.push((format!("g{i}"), format!("https://news.example/{i}?utm_source=feed"), text));
    }

    let scorer = Scorer::builtin();
    let start = Instant::now();
    let set = RuleSet::new(&rules);
    let mut seen: Seen<u32> = Seen::default();
    let (mut same, mut copies, mut hits, mut negative) = (0usize, 0usize, 0usize, 0usize);
    let mut categories = [0usize; 7];
    for (i, (guid, url, text)) in items.iter().enumerate() {
        match seen.check(Some(guid), Some(url), text) {
            Repeat::Same(_) => {
                same += 1;
                continue;
            }
            Repeat::Copy(_) => copies += 1,
            Repeat::New => {}
        }
        seen.insert(Some(guid), Some(url), text, i as u32);
        let matched = set.matching(text);
        let score = scorer.score(text);
        if score <= -0.2 {
            negative += 1;
        }
        if !matched.is_empty() {
            hits += 1;
            categories[scorer.category(text) as usize] += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "monitor items={n} rules={n_rules} seconds={secs:.2} items_per_s={:.0} same={same} copies={copies} hits={hits} negative={negative} categories={categories:?}",
        n as f64 / secs
    );
    let sample = &items[..n.min(100_000)];
    let start = Instant::now();
    let negative = sample.iter().filter(|(_, _, t)| scorer.score(t) <= -0.2).count();
    let secs = start.elapsed().as_secs_f64();
    println!("sentiment items={} seconds={secs:.2} items_per_s={:.0} negative={negative}", sample.len(), sample.len() as f64 / secs);
    if let Some(path) = args.get(3) {
        let dump: Vec<&str> = items.iter().take(5000).map(|(_, _, t)| t.as_str()).collect();
        std::fs::write(path, dump.join("\n") + "\n").expect("the dump file can be written");
    }
}
