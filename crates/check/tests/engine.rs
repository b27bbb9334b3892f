//! The check engine as a reviewer relies on it: each category on realistic sentences, the
//! near-misses that must stay quiet, normalisation, allowlists, dismissals, and the property
//! that every span slices the original to exactly its surface.

use proptest::prelude::*;
use time::macros::date;
use yuanxun_check::{Category, CheckInput, Checker, Entry, Finding, Leader, Severity, SiteLexicon};

fn checker() -> &'static Checker {
    static C: std::sync::OnceLock<Checker> = std::sync::OnceLock::new();
    C.get_or_init(Checker::builtin)
}

fn findings(text: &str) -> Vec<Finding> {
    checker().check(&CheckInput::text(text)).findings
}

fn rules(text: &str) -> Vec<String> {
    findings(text).into_iter().map(|f| f.rule.into_owned()).collect()
}

fn has(text: &str, rule: &str, surface: &str) -> Finding {
    let all = findings(text);
    all.iter().find(|f| f.rule == rule && f.surface == surface).cloned().unwrap_or_else(|| panic!("expected {rule} on “{surface}” in “{text}”, got {all:#?}"))
}

#[test]
fn an_injected_casino_name_is_caught_however_it_is_written() {
    for (text, surface) in [
        ("医院召开党委会。新葡京娱乐官网欢迎您", "新葡京"),
        ("医院召开党委会。新 葡 京", "新 葡 京"),
        ("医院召开党委会。新*葡*京", "新*葡*京"),
        ("医院召开党委会。新葡京", "新葡京"),
        ("医院召开党委会。ＢＥＴ３６５", "ＢＥＴ３６５"),
    ] {
        let f = has(text, "sensitive.lexicon", surface);
        assert_eq!((f.category, f.severity), (Category::Sensitive, Severity::Block));
    }
    // Brands that are ordinary words are caught with the digits hijackers prefix.
    let f = has("欢迎访问3118金沙网址", "sensitive.gambling_brand", "3118金沙网址");
    assert_eq!(f.severity, Severity::Block);
    has("澳门永利开户即送", "sensitive.gambling_brand", "澳门永利开户");
    // …and not as place names or surnames.
    for ok in ["医疗队抵达金沙江畔的乡镇卫生院", "永利村村民在家门口接受义诊", "银河系的图片展", "威尼斯人在我院学习中医"] {
        assert!(!rules(ok).iter().any(|r| r.starts_with("sensitive")), "{ok}: {:?}", findings(ok));
    }
}

#[test]
fn traditional_and_full_width_forms_match_and_map_back() {
    let f = has("會議指出，國家衛計委已更名。", "outdated.lexicon", "國家衛計委");
    assert_eq!(f.suggestion.as_deref(), Some("国家卫健委"));
    let text = "【院讯】你好　ＸＸＸ医院";
    let f = has(text, "placeholder.xxx", "ＸＸＸ");
    assert_eq!((f.start, f.end, f.line, f.column), (7, 10, 1, 8));
}

#[test]
fn typos_come_with_their_correction() {
    let f = has("全体医护人员再接再励，为患者服务。", "typo.lexicon", "再接再励");
    assert_eq!(f.suggestion.as_deref(), Some("再接再厉"));
    assert!(f.reason.contains("再接再厉"));
    assert_eq!(has("专家们悬壶济世、迫不急待地投入工作", "typo.lexicon", "迫不急待").suggestion.as_deref(), Some("迫不及待"));
    assert!(findings("全体医护人员再接再厉，迫不及待地投入工作。").is_empty());
}

#[test]
fn normative_expressions_and_respectful_terms() {
    let f = has("深入学习习近平新时代特色社会主义思想", "normative.lexicon", "习近平新时代特色社会主义思想");
    assert_eq!(f.severity, Severity::Block);
    assert_eq!(f.suggestion.as_deref(), Some("习近平新时代中国特色社会主义思想"));
    has("为老年痴呆患者开设记忆门诊", "normative.lexicon", "老年痴呆");
    assert!(findings("深入学习习近平新时代中国特色社会主义思想").is_empty());
}

#[test]
fn leader_titles_are_checked_against_the_roster() {
    let site = SiteLexicon {
        leaders: vec![Leader { name: "张建华".into(), titles: vec!["党委书记".into()] }, Leader { name: "李明远".into(), titles: vec!["院长".into(), "党委副书记".into()] }],
        ..Default::default()
    };
    let c = Checker::new(&site);
    let text = "党委书记张建华、院长李明远出席。副院长张建华致辞。党委副书记、院长李明远讲话。李明远副院长指出。";
    let report = c.check(&CheckInput::text(text));
    let bad: Vec<(&str, &str)> = report.findings.iter().filter(|f| f.rule == "normative.leader_title").map(|f| (f.surface.as_str(), f.suggestion.as_deref().unwrap())).collect();
    assert_eq!(bad, [("副院长", "党委书记"), ("副院长", "院长")]);
}

#[test]
fn advertising_and_medical_claims() {
    has("我院是全省最先进的微创中心", "ad_absolute.lexicon", "最先进");
    let f = has("该疗法治愈率达98.5%，可药到病除", "medical_claim.rate", "治愈率达98.5%");
    assert_eq!(f.severity, Severity::Warn);
    has("该疗法治愈率达98.5%，可药到病除", "medical_claim.lexicon", "药到病除");
    has("保证100%治愈", "medical_claim.guarantee", "100%");
    // Surgical names and legitimate phrases stay quiet.
    assert!(findings("为患者实施乳腺癌根治术，抓住最佳治疗时机。").is_empty(), "{:?}", findings("为患者实施乳腺癌根治术，抓住最佳治疗时机。"));
    assert!(findings("医院获批国家级临床重点专科建设项目").is_empty());
}

/// 《广告法》 absolute words are findings in promotion, not in statements of fact: the news
/// reports 世界级难题, 最佳主攻 and an appraisal's 国际领先 as facts.
#[test]
fn absolute_words_are_findings_in_promotion_only() {
    for (text, word) in [
        ("我院引进世界级的手术机器人，技术水平国内领先。", "世界级"),
        ("我院引进世界级的手术机器人，技术水平国内领先。", "国内领先"),
        ("这项技术在全省处于顶级水平，欢迎广大患者前来就诊。", "顶级"),
        ("宣传单号称全市第一，配备国际顶尖的设备。", "国际顶尖"),
        ("我院荣获全省第一，欢迎前来咨询。", "全省第一"),
        // Words no fact needs are findings wherever they stand.
        ("这家医院是首选医院。", "首选医院"),
        ("他说这个方法零风险。", "零风险"),
    ] {
        has(text, "ad_absolute.lexicon", word);
    }
    for text in [
        "这是一道困扰医学界多年的世界级难题。",
        "中国女排夺得冠军，朱婷当选最佳主攻。",
        "该成果经省科技厅组织专家鉴定，达到国际领先水平。",
        "我院荣获全省第一名的好成绩。",
        "大熊猫是世界级的明星物种，独家专访将于明日刊发。",
        "我院职工在全国大赛中获最佳创意奖。",
    ] {
        let got: Vec<_> = findings(text).into_iter().filter(|f| f.category == Category::AdAbsolute).collect();
        assert!(got.is_empty(), "{text}: {got:?}");
    }
    // A cure promised within a time or a dose; a cure reported after the fact is news.
    has("该疗法三天治愈，一针见效", "medical_claim.quick_cure", "三天治愈");
    has("该疗法三天治愈，一针见效", "medical_claim.quick_cure", "一针见效");
    has("2个疗程除根", "medical_claim.quick_cure", "2个疗程除根");
    for ok in ["患者术后七天痊愈出院", "治疗一周后逐渐见效", "三天后治愈出院", "每天坚持康复训练"] {
        assert!(!rules(ok).iter().any(|r| r.starts_with("medical_claim")), "{ok}: {:?}", findings(ok));
    }
}

#[test]
fn privacy_numbers_need_valid_checksums() {
    has("患者身份证号370102198506123410已登记", "privacy.id_number", "370102198506123410");
    has("旧证号110105491231002。", "privacy.id_number", "110105491231002");
    has("身份证11010519491231002X。", "privacy.id_number", "11010519491231002X");
    has("请联系138 0013 8000咨询", "privacy.mobile", "138 0013 8000");
    has("卡号6222 0202 0000 1234 562", "privacy.bank_card", "6222 0202 0000 1234 562");
    // A wrong checksum, a serial number or an order id is not personal data.
    for ok in ["编号370102198506123411", "设备序列号4111111111111112", "订单20240305123456789", "2024-03-05 全年门诊量1380013"] {
        assert!(!rules(ok).iter().any(|r| r.starts_with("privacy")), "{ok}: {:?}", findings(ok));
    }
    // The site's own public numbers are allowed.
    let c = Checker::new(&SiteLexicon { public_phones: vec!["138-0013-8000".into()], ..Default::default() });
    assert!(c.check(&CheckInput::text("预约热线13800138000")).findings.is_empty());
    has("患者李秀英今年65岁", "privacy.patient_name", "李秀英");
    has("写信的是患者王建国的女儿", "privacy.patient_name", "王建国");
    assert!(!rules("患者李某今年65岁，张女士陪同").contains(&"privacy.patient_name".to_string()));
    assert!(!rules("患者多为老年人，患者在术后第三天出院").contains(&"privacy.patient_name".to_string()));
}

#[test]
fn placeholders_and_leftovers() {
    has("会议由___主持", "placeholder.blank", "___");
    has("请于__月__日前报送", "placeholder.blank", "__");
    assert!(findings("变量名 user__id 与 a__b").iter().all(|f| f.rule != "placeholder.blank"));
    has("联系人：***", "placeholder.blank", "***");
    has("在某某医院进修", "placeholder.mouomou", "某某");
    assert!(!rules("患者张某某入院").contains(&"placeholder.mouomou".to_string()));
    has("活动（待补充）结束", "placeholder.note", "（待补充）");
    has("截屏2024-05-01 10.23.45.png", "placeholder.file_name", "截屏2024-05-01 10.23.45.png");
    has("见附图：微信图片_20240501103045.jpg", "placeholder.file_name", "微信图片_20240501103045.jpg");
    assert!(findings("详见 https://www.example.org/news/a.jpg 与 X线、XL码").is_empty(), "{:?}", findings("详见 https://www.example.org/news/a.jpg 与 X线、XL码"));
}

#[test]
fn duplicated_paragraphs_exact_and_near() {
    let p = "11月20日上午，骨科党支部联合社区卫生服务中心在文化广场开展义诊活动，为居民测量血压血糖。";
    let text = format!("{p}\n活动持续两个小时。\n{p}");
    let f = has(&text, "duplicate.paragraph", p);
    assert_eq!(f.line, 3);
    let near = p.replace("文化广场", "中心广场").replace("血压血糖", "血压血糖并讲解用药");
    let text = format!("{p}\n{near}");
    assert!(rules(&text).contains(&"duplicate.near_paragraph".to_string()), "{:?}", findings(&text));
}

#[test]
fn a_long_sentence_repeated_in_another_paragraph_is_found_once() {
    let s = "专家团队为二十余名行动不便的老人提供了上门体检和健康咨询服务。";
    let text = format!("本周，骨科开展了社区义诊。{s}\n活动结束后大家合影留念。{s}居民纷纷点赞。");
    let found: Vec<Finding> = findings(&text).into_iter().filter(|f| f.rule == "duplicate.sentence").collect();
    assert_eq!(found.len(), 1, "{found:?}");
    // The second copy, not the first.
    assert_eq!((found[0].line, found[0].surface.as_str()), (2, s));
    // Differently punctuated or spaced, it is still the same sentence; a short one is not flagged.
    let spaced = s.replace("上门体检", "上门 体检").replace('。', "！");
    let other = "医护人员还向居民讲解了冬季常见病的预防知识和用药注意事项。";
    assert!(rules(&format!("{s}\n{other}{spaced}")).contains(&"duplicate.sentence".to_string()));
    assert!(!rules("今天天气很好。\n他说今天天气很好。").contains(&"duplicate.sentence".to_string()));
}

#[test]
fn punctuation() {
    has("他说：“要把好事办好。", "punctuation.unbalanced", "“");
    has("学习《条例》》", "punctuation.unbalanced", "》");
    assert_eq!(has("医院召开会议,部署工作", "punctuation.half_width", ",").suggestion.as_deref(), Some("，"));
    has("会议结束。。", "punctuation.doubled", "。。");
    assert!(findings("《中华人民共和国医师法》（2021年）规定：“医师应当……”").is_empty());
}

#[test]
fn outdated_terms_depend_on_the_document_date() {
    let text = "市卫计委领导来院检查新冠肺炎防控工作";
    let old = checker().check(&CheckInput::text(text).dated(date!(2017 - 06 - 01)));
    assert!(old.findings.is_empty(), "{:?}", old.findings);
    let new = checker().check(&CheckInput::text(text).dated(date!(2023 - 06 - 01)));
    let got: Vec<&str> = new.findings.iter().map(|f| f.surface.as_str()).collect();
    assert_eq!(got, ["卫计委", "新冠肺炎"]);
    let mid = checker().check(&CheckInput::text(text).dated(date!(2020 - 03 - 01)));
    assert_eq!(mid.findings.iter().map(|f| f.surface.as_str()).collect::<Vec<_>>(), ["卫计委"]);
}

#[test]
fn dates_weekdays_and_events_after_the_document() {
    let f = has("2024年3月5日（星期三），医院召开大会", "date.weekday", "星期三");
    assert_eq!(f.suggestion.as_deref(), Some("星期二"));
    assert!(findings("2024年3月5日（星期二），医院召开大会").is_empty());
    let r = checker().check(&CheckInput::text("3月5日（周三），医院召开大会").dated(date!(2024 - 03 - 06)));
    assert_eq!(r.findings.iter().map(|f| &*f.rule).collect::<Vec<_>>(), ["date.weekday"]);
    has("2023年2月30日医院召开大会", "date.invalid", "2023年2月30日");
    let r = checker().check(&CheckInput::text("3月9日，医院召开大会。报名截止到3月12日前。").dated(date!(2024 - 03 - 06)));
    let rules: Vec<&str> = r.findings.iter().map(|f| &*f.rule).collect();
    assert_eq!(rules, ["date.after_document"], "{:?}", r.findings);
}

#[test]
fn a_page_whose_title_names_another_organisation_in_the_sites_place_is_blocked() {
    let c = Checker::new(&SiteLexicon { own_names: vec!["示范医院".into(), "示范市第一人民医院".into()], ..Default::default() });
    let page = "<html><head><title>骨科举办义诊 - 华夏仁爱男科医院</title></head><body><p>骨科举办义诊。</p></body></html>";
    let report = c.check(&CheckInput::html(page));
    let f = report.findings.iter().find(|f| f.rule == "sensitive.hijack_title").unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!((f.surface.as_str(), f.severity, &page[f.byte_start..f.byte_end]), ("华夏仁爱男科医院", Severity::Block, "华夏仁爱男科医院"));
    // Its own page, and a story that names another hospital, are not.
    for fine in ["<title>骨科举办义诊 - 示范医院</title><p>我院专家赴某县人民医院义诊。</p>", "<p>对口支援｜我院专家赴某县人民医院开展义诊</p>"] {
        assert!(!c.check(&CheckInput::html(fine)).findings.iter().any(|f| f.rule == "sensitive.hijack_title"), "{fine}");
    }
    // The built-in checker knows no site name and leaves titles alone.
    assert!(!checker().check(&CheckInput::html(page)).findings.iter().any(|f| f.rule == "sensitive.hijack_title"));
}

#[test]
fn html_findings_map_to_the_markup() {
    let html = "<h2>标题</h2><p>专家们<b>再接</b>再励，&ldquo;为民服务</p><p>XXX医院</p>";
    let r = checker().check(&CheckInput::html(html));
    let typo = r.findings.iter().find(|f| f.rule == "typo.lexicon").unwrap();
    assert_eq!(typo.surface, "再接</b>再励", "the exact original span, markup inside included");
    assert_eq!(typo.text, "再接再励");
    let q = r.findings.iter().find(|f| f.rule == "punctuation.unbalanced").unwrap();
    assert_eq!(q.surface, "&ldquo;");
    assert!(r.findings.iter().any(|f| f.rule == "placeholder.xxx" && f.surface == "XXX"));
}

#[test]
fn site_lexicon_adds_removes_and_allows() {
    let site = SiteLexicon {
        entries: vec![Entry {
            category: Category::Typo,
            term: "骨伤料".into(),
            suggestion: Some("骨伤科".into()),
            severity: Severity::Warn,
            kind: None,
            since: None,
            reason: None,
            brand: false,
            in_context: false,
            exceptions: vec![],
        }],
        removed: vec![(Category::AdAbsolute, "最先进".into())],
        allow: vec!["再接再励杯".into()],
        revision: 7,
        ..Default::default()
    };
    let c = Checker::new(&site);
    let r = c.check(&CheckInput::text("骨伤料开展最先进的手术，再接再励杯比赛"));
    assert_eq!(r.lexicon_version, format!("{}+site.7", yuanxun_check::lexicon::BUILTIN_VERSION.trim()));
    assert_eq!(r.findings.iter().map(|f| f.surface.as_str()).collect::<Vec<_>>(), ["骨伤料"]);
}

#[test]
fn dismissed_findings_stay_dismissed_by_key() {
    let text = "专家们再接再励。会议由___主持。";
    let first = checker().check(&CheckInput::text(text));
    let key = first.findings.iter().find(|f| f.rule == "typo.lexicon").unwrap().key.clone();
    assert_eq!(key, "typo.lexicon:再接再励");
    // The key survives edits elsewhere in the text.
    let edited = format!("新增一段。\n{text}");
    let dismissed = [key];
    let r = checker().check(&CheckInput { dismissed: &dismissed, ..CheckInput::text(&edited) });
    assert_eq!(r.dismissed, 1);
    assert_eq!(r.findings.iter().map(|f| &*f.rule).collect::<Vec<_>>(), ["placeholder.blank"]);
}

#[test]
fn report_json_is_the_documented_schema() {
    let r = checker().check(&CheckInput::text("会议由___主持").dated(date!(2024 - 05 - 01)));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["document_date"], "2024-05-01");
    let f = &v["findings"][0];
    for field in ["rule", "category", "severity", "start", "end", "byte_start", "byte_end", "line", "column", "surface", "text", "suggestion", "reason", "key"] {
        assert!(f.get(field).is_some(), "missing {field}");
    }
    assert_eq!(f["category"], "placeholder");
    assert_eq!(f["severity"], "block");
    assert_eq!((f["start"].as_u64(), f["end"].as_u64()), (Some(3), Some(6)));
    assert_eq!(v["counts"]["block"], 1);
}

/// Text built from pieces that trigger rules, separated by arbitrary characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("再接再励".to_string()),
        Just("新*葡 京".to_string()),
        Just("3118金沙".to_string()),
        Just("國家衛計委".to_string()),
        Just("370102198506123410".to_string()),
        Just("138 0013 8000".to_string()),
        Just("___".to_string()),
        Just("ＸＸＸ".to_string()),
        Just("“".to_string()),
        Just("，，".to_string()),
        Just("2024年3月5日（星期三）".to_string()),
        Just("截屏2024.png".to_string()),
        Just("<b>".to_string()),
        Just("&amp;".to_string()),
        Just("\n".to_string()),
        "\\PC{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_span_slices_the_original_to_its_surface(parts in proptest::collection::vec(piece(), 0..24), html in any::<bool>()) {
        let text: String = parts.concat();
        let input = if html { CheckInput::html(&text) } else { CheckInput::text(&text) };
        let r = checker().check(&input);
        let chars: Vec<char> = text.chars().collect();
        for f in &r.findings {
            prop_assert!(text.is_char_boundary(f.byte_start) && text.is_char_boundary(f.byte_end));
            prop_assert_eq!(&text[f.byte_start..f.byte_end], f.surface.as_str());
            let by_chars: String = chars[f.start..f.end].iter().collect();
            prop_assert_eq!(by_chars.as_str(), f.surface.as_str());
            let line_start = text[..f.byte_start].rfind('\n').map(|i| i + 1).unwrap_or(0);
            prop_assert_eq!(f.line, text[..f.byte_start].matches('\n').count() + 1);
            prop_assert_eq!(f.column, text[line_start..f.byte_start].chars().count() + 1);
        }
    }
}

#[test]
fn correct_text_containing_a_wrong_form_is_not_flagged() {
    // 国家卫生健康委员 (missing 会) is a normative entry; the full name contains it.
    assert!(findings("国家卫生健康委员会印发通知").is_empty(), "{:?}", findings("国家卫生健康委员会印发通知"));
    has("国家卫生健康委员印发通知", "normative.lexicon", "国家卫生健康委员");
}

#[test]
fn a_paragraph_typed_with_half_width_marks_gets_one_summary() {
    let text = "会议指出,要提高认识,压实责任,强化措施,确保实效。";
    let got = rules(text);
    assert_eq!(got.iter().filter(|r| *r == "punctuation.half_width").count(), 3);
    let f = has(text, "punctuation.half_width_paragraph", text);
    assert!(f.reason.contains("4 处"), "{}", f.reason);
}

#[test]
fn findings_name_the_paragraph_a_reader_sees() {
    let c = Checker::builtin();
    let html = "<h2>标题</h2>\n<p>第一段文字。</p><p>第二段：再接再励。</p><ul><li>一项</li><li>我院最先进的设备</li></ul>";
    let r = c.check(&CheckInput::html(html));
    let at: Vec<(&str, usize)> = r.findings.iter().map(|f| (f.text.as_str(), f.paragraph)).collect();
    assert!(at.contains(&("再接再励", 3)), "{at:?}");
    assert!(at.contains(&("最先进", 5)), "{at:?}");
    let text = "第一段。\n\n第二段再接再励。\n第三段：我院最先进。";
    let r = c.check(&CheckInput::text(text));
    let at: Vec<(&str, usize, usize)> = r.findings.iter().map(|f| (f.text.as_str(), f.paragraph, f.line)).collect();
    assert!(at.contains(&("再接再励", 2, 3)) && at.contains(&("最先进", 3, 4)), "{at:?}");
}

#[test]
fn many_documents_on_every_core_give_each_its_own_report_in_order() {
    // Documents with different findings (and some clean), more than one batch per core.
    let texts: Vec<String> = (0..200)
        .map(|i| match i % 4 {
            0 => format!("第{i}篇：患者王建国说，身份证号370102198506123410已登记。"),
            1 => format!("第{i}篇：本院骨科开展义诊活动，服务群众。"),
            2 => format!("第{i}篇：会议于__月__日召开,部署工作."),
            _ => format!("第{i}篇：我院是全国最好的医院，治愈率达98%。"),
        })
        .collect();
    let inputs: Vec<CheckInput> = texts.iter().map(|t| CheckInput::text(t)).collect();
    let many = checker().check_many(&inputs);
    assert_eq!(many.len(), inputs.len());
    for (input, report) in inputs.iter().zip(&many) {
        assert_eq!(report, &checker().check(input), "{}", input.text);
    }
    assert!(many[0].findings.iter().any(|f| f.rule == "privacy.id_number"));
    assert!(many[1].findings.is_empty());
    assert!(many[3].findings.iter().any(|f| f.rule == "medical_claim.rate"));
}
