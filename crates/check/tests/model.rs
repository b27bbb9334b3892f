//! The language-model stage against the real model (fcitx's word trigram model, installed by
//! `scripts/test` from Debian's libime-data-language-model): our reader of KenLM's binary format
//! gives KenLM's own scores, and the stage finds the slips people type and leaves clean text
//! alone.

use std::sync::{Arc, OnceLock};

use yuanxun_check::model::{ngram::NgramModel, system_model_path, ContextModel, Edit};
use yuanxun_check::{Category, CheckInput, Checker};

fn model() -> Arc<ContextModel> {
    static MODEL: OnceLock<Arc<ContextModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let m = ContextModel::system().expect("the language model is not installed: apt-get install libime-data-language-model (scripts/test does)");
            Arc::new(m.expect("the installed model can be read"))
        })
        .clone()
}

#[test]
fn scores_equal_kenlm_query_token_by_token() {
    // log10 p of each word and of </s> (here <unk>: the model has no sentence markers), as
    // KenLM's own `query` (through the kenlm-rs binding) printed them for the same model.
    let golden: &[(&str, &[f32])] = &[
        ("我们 表彰 了 先进 个人", &[-3.621, -5.674, -1.734, -4.132, -2.48, -6.894]),
        ("我们 表 障 了 先进 个人", &[-3.621, -4.776, -5.856, -2.906, -4.132, -2.48, -6.894]),
        ("医院 召开 会议", &[-4.062, -4.719, -1.345, -7.176]),
        ("医院 招开 会议", &[-4.062, -6.238, -4.219, -6.704]),
        ("医院 招 开 会议", &[-4.062, -4.82, -3.949, -4.594, -6.704]),
        ("党委 宣传部 组织 全体 职工 学习 党 的 二十大 精神", &[-4.837, -1.734, -3.941, -4.957, -2.319, -4.079, -3.725, -1.142, -7.282, -4.034, -6.724]),
        ("患者 在 医生 的 指导 下 进行 康复 训练", &[-4.1, -1.854, -4.096, -0.374, -0.832, -0.4, -0.996, -3.834, -1.51, -6.961]),
        ("今天 天气 很 好 我们 去 公园 散步", &[-3.971, -2.637, -0.821, -0.461, -4.197, -2.609, -3.388, -2.858, -6.874]),
        ("没有 这个 词儿 咕噜咕噜咔嚓 呵呵", &[-3.254, -3.139, -3.717, -6.382, -4.459, -6.453]),
        ("的 的 的 的", &[-1.95, -2.58, -2.666, -2.666, -7.109]),
        ("心血管 内科 主任 医师 张 教授 接受 采访", &[-5.113, -1.678, -1.785, -1.897, -4.489, -2.865, -4.159, -1.938, -7.418]),
    ];
    let lm = NgramModel::open(&system_model_path().expect("installed")).unwrap();
    assert_eq!(lm.order(), 3);
    assert_eq!(lm.counts(), &[164_887, 1_983_152, 634_213]);
    for (sentence, want) in golden {
        let mut state = lm.begin_state();
        let words = sentence.split(' ').map(|w| lm.index(w).unwrap_or(0)).chain([lm.sentence_markers().1]);
        let got: Vec<f32> = words
            .map(|w| {
                let (p, next) = lm.score(&state, w);
                state = next;
                p
            })
            .collect();
        assert_eq!(got.len(), want.len(), "{sentence}");
        for (g, w) in got.iter().zip(want.iter()) {
            assert!((g - w).abs() < 0.0006, "{sentence}: {got:?} vs {want:?}");
        }
    }
}

fn proposals(text: &str) -> Vec<(String, String, Edit)> {
    let chars: Vec<char> = text.chars().collect();
    model().propose(&chars).into_iter().map(|p| (p.from, p.to, p.edit)).collect()
}

#[test]
fn slips_are_found_with_their_correction() {
    assert_eq!(proposals("大会表障了一批先进集体"), vec![("表障".into(), "表彰".into(), Edit::Sound)]);
    assert_eq!(proposals("全院职工要再接再励"), vec![("再接再励".into(), "再接再厉".into(), Edit::Sound)]);
    assert_eq!(proposals("患者在门诊大厅侯诊").into_iter().map(|(f, t, _)| (f, t)).collect::<Vec<_>>(), vec![("侯诊".into(), "候诊".into())]);
    // Two characters swapped, when the model is sure.
    let chars: Vec<char> = "会议由副院长持主".chars().collect();
    let mut m = yuanxun_check::model::Thresholds::default();
    m.swap = 4.0;
    let swapped = model().propose_with(&chars, &[], &m);
    assert_eq!(swapped.iter().map(|p| (p.from.as_str(), p.to.as_str(), p.edit)).collect::<Vec<_>>(), vec![("持主", "主持", Edit::Swap)]);
}

#[test]
fn slips_the_vocabulary_kept_real_words_doubles_and_gaps() {
    // 我门 is in the input method's vocabulary (its users type it); 我们 is far likelier.
    assert_eq!(proposals("我门明明知道自然的重要性"), vec![("我门".into(), "我们".into(), Edit::Sound)]);
    // A common word for its homophone: no rare char gives it away, the context does.
    assert_eq!(proposals("医院与社区卫生服务中心签定合作协议"), vec![("签定".into(), "签订".into(), Edit::Word)]);
    assert_eq!(proposals("专家组对医院的工作给予了高度平价"), vec![("平价".into(), "评价".into(), Edit::Word)]);
    // 的的 is in the vocabulary too, as a slip.
    assert_eq!(proposals("我们要要进一步提高服务质量"), vec![("要要".into(), "要".into(), Edit::Double)]);
    // A char left out of a word the model knows.
    assert_eq!(proposals("他被评为优秀共产员"), vec![("共产员".into(), "共产党员".into(), Edit::Missing)]);
}

#[test]
fn names_and_known_words_are_left_alone() {
    let checker = Checker::builtin().with_model(Some(model()));
    // 冯世庆 is no word and 愤世 is: without the name rule the model would "correct" it.
    for text in ["书记柳丽华、院长冯世庆及全体院领导出席会议。", "医院多措并举，凝心聚力，推进医联体建设。", "会上，赵海平作工作报告。"] {
        let r = checker.check(&CheckInput::text(text));
        assert!(r.findings.iter().all(|f| !f.rule.contains("model")), "{text}: {:?}", r.findings);
    }
}

#[test]
fn clean_sentences_get_no_proposal() {
    for s in ["医院召开职工代表大会", "大会表彰了一批先进集体和先进个人", "患者在医生的指导下进行康复训练", "心血管内科主任医师接受采访", "全院职工要再接再厉"] {
        assert_eq!(proposals(s), vec![], "{s}");
    }
}

#[test]
fn a_report_names_its_model_and_explains_each_finding() {
    let checker = Checker::builtin().with_model(Some(model()));
    let text = "十二月一日，院党委书记出息大会，表障了一批先进集体。";
    let report = checker.check(&CheckInput::text(text));
    assert!(report.model.as_deref().is_some_and(|m| m.contains("zh_CN.lm")), "{:?}", report.model);
    let typos: Vec<_> = report.findings.iter().filter(|f| f.rule == "typo.model").collect();
    assert_eq!(typos.iter().map(|f| (f.text.as_str(), f.suggestion.as_deref())).collect::<Vec<_>>(), vec![("出息", Some("出席")), ("表障", Some("表彰"))]);
    for f in &typos {
        assert_eq!(f.category, Category::Typo);
        assert!(f.reason.starts_with("按语言模型，此处“"), "{}", f.reason);
        assert!(f.reason.ends_with("倍"), "{}", f.reason);
        // Spans slice the original exactly.
        assert_eq!(&text[f.byte_start..f.byte_end], f.surface);
    }
    // Without a model the report says so.
    let plain = Checker::builtin().check(&CheckInput::text(text));
    assert_eq!(plain.model, None);
    assert!(serde_json::to_string(&plain).unwrap().contains("\"model\":null"));
    assert!(plain.findings.iter().all(|f| f.rule != "typo.model"));
}

#[test]
fn the_hospital_set_is_caught_without_false_alarms() {
    // The team's own pairs (crates/check/tests/pairs/hospital.tsv, errors people type in
    // hospital news): a floor under what bench/README.md records, with lexicons and rules.
    let pairs = yuanxun_check::eval::parse_pairs(include_str!("pairs/hospital.tsv")).unwrap();
    assert!(pairs.len() >= 300);
    let with = yuanxun_check::eval::score_pairs(&Checker::builtin().with_model(Some(model())), &pairs);
    let without = yuanxun_check::eval::score_pairs(&Checker::builtin(), &pairs);
    assert!(with.recall() >= 0.68, "recall {:.3}", with.recall());
    assert!(with.recall() > without.recall() + 0.5, "the model adds little: {:.3} vs {:.3}", with.recall(), without.recall());
    assert!(with.false_alarm_rate() <= 0.01, "false alarms {:?}", with.alarms);
}
