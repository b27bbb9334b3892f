use super::*;

fn doc(id: i64, channel: i64, title: &str, body: &str, published_at: i64) -> Doc {
    let channel_name = if channel == 1 { "医院要闻" } else { "通知公告" };
    Doc { site_id: 1, id, channel_id: channel, channel_name: channel_name.into(), title: title.into(), subtitle: String::new(), body: body.into(), published_at, version: 1 }
}

fn find(ix: &SearchIndex, text: &str) -> Vec<i64> {
    ix.search(&SearchQuery { site_id: 1, text, limit: 50, ..Default::default() }).unwrap().hits.iter().map(|h| h.id).collect()
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

fn sample() -> SearchIndex {
    let ix = SearchIndex::in_memory().unwrap();
    ix.upsert(&doc(1, 1, "骨科完成首例机器人辅助关节置换手术", "近日，我院骨科团队在手术机器人辅助下为一名患者完成膝关节置换。", 1_700_000_000)).unwrap();
    ix.upsert(&doc(2, 1, "护理部举办护士长管理能力培训", "来自各病区的护士长参加培训，交流护理质量管理经验。", 1_710_000_000)).unwrap();
    ix.upsert(&doc(3, 2, "党建引领促发展 党支部开展主题党日活动", "党委书记为全体党员讲授专题党课。", 1_720_000_000)).unwrap();
    ix.upsert(&doc(4, 2, "关于调整门诊时间的通知", "自下月起，骨科门诊周六上午开诊。<script>alert(1)</script>", 1_730_000_000)).unwrap();
    ix
}

#[test]
fn two_character_words_are_found_wherever_jieba_cuts() {
    let ix = sample();
    assert_eq!(sorted(find(&ix, "骨科")), [1, 4]);
    // 护士 inside 护士长, 党建 inside 党建引领: found by the bigram analysis.
    assert_eq!(find(&ix, "护士"), [2]);
    assert_eq!(find(&ix, "党建"), [3]);
    assert_eq!(find(&ix, "党课"), [3]);
    assert!(find(&ix, "儿科").is_empty());
}

#[test]
fn longer_queries_match_as_phrases_and_all_words_must_match() {
    let ix = sample();
    assert_eq!(find(&ix, "关节置换"), [1]);
    // Every bigram of 科团置 is nowhere adjacent: no match.
    assert!(find(&ix, "科团置").is_empty());
    assert_eq!(find(&ix, "骨科 门诊"), [4]);
    assert!(find(&ix, "骨科 党课").is_empty());
}

#[test]
fn titles_rank_before_bodies_and_matches_are_marked() {
    let ix = sample();
    let r = ix.search(&SearchQuery { site_id: 1, text: "骨科", limit: 10, ..Default::default() }).unwrap();
    assert_eq!(r.total, 2);
    assert_eq!(r.hits[0].id, 1, "the title match comes first");
    assert!(r.hits[0].title_html.contains("<mark>骨科</mark>"), "{}", r.hits[0].title_html);
    assert!(r.hits[0].snippet_html.contains("<mark>骨科</mark>"), "{}", r.hits[0].snippet_html);
    let notice = &r.hits[1];
    assert!(notice.snippet_html.contains("&lt;script&gt;") && !notice.snippet_html.contains("<script"), "{}", notice.snippet_html);
    assert_eq!(notice.channel_name, "通知公告");
    assert_eq!(notice.published_at, 1_730_000_000);
}

#[test]
fn filters_by_channel_and_date_range() {
    let ix = sample();
    let q = |channel_id, from, to| sorted(ix.search(&SearchQuery { site_id: 1, text: "骨科", channel_id, from, to, limit: 10, ..Default::default() }).unwrap().hits.iter().map(|h| h.id).collect());
    assert_eq!(q(Some(2), None, None), [4]);
    assert_eq!(q(None, Some(1_720_000_000), None), [4]);
    assert_eq!(q(None, None, Some(1_730_000_000)), [1], "`to` is exclusive");
    assert!(q(Some(1), Some(1_720_000_000), None).is_empty());
}

#[test]
fn pages_through_results() {
    let ix = SearchIndex::in_memory().unwrap();
    let bodies: Vec<String> = (0..25).map(|i| format!("第{i}期护理查房")).collect();
    let docs: Vec<Doc> = bodies.iter().enumerate().map(|(i, b)| doc(i as i64 + 1, 1, "护理查房", b, 1_700_000_000 + i as i64)).collect();
    let mut seen = 0;
    assert_eq!(ix.rebuild(1, docs, |n| seen = n).unwrap(), 25);
    assert_eq!(seen, 25);
    let page = |offset| ix.search(&SearchQuery { site_id: 1, text: "查房", offset, limit: 10, ..Default::default() }).unwrap();
    let (a, b, c) = (page(0), page(10), page(20));
    assert_eq!((a.total, a.hits.len(), b.hits.len(), c.hits.len()), (25, 10, 10, 5));
    let mut all: Vec<i64> = [a, b, c].iter().flat_map(|r| r.hits.iter().map(|h| h.id)).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 25, "no article on two pages");
}

#[test]
fn edits_replace_and_retractions_remove_at_once() {
    let ix = sample();
    ix.upsert(&doc(1, 1, "关节外科完成首例机器人手术", "团队为患者完成置换。", 1_700_000_000)).unwrap();
    assert_eq!(find(&ix, "骨科"), [4], "the old title is gone");
    assert_eq!(find(&ix, "关节外科"), [1]);
    ix.remove(1, 4).unwrap();
    assert!(find(&ix, "骨科").is_empty());
    assert_eq!(ix.count(1).unwrap(), 3);
}

#[test]
fn sites_do_not_see_each_other() {
    let ix = sample();
    ix.upsert(&Doc { site_id: 2, ..doc(1, 1, "骨科义诊", "另一家医院", 1) }).unwrap();
    assert_eq!(sorted(find(&ix, "骨科")), [1, 4]);
    assert_eq!(ix.search(&SearchQuery { site_id: 2, text: "骨科", limit: 10, ..Default::default() }).unwrap().total, 1);
    ix.rebuild(2, Vec::new(), |_| {}).unwrap();
    assert_eq!(ix.count(2).unwrap(), 0);
    assert_eq!(ix.count(1).unwrap(), 4, "rebuilding one site leaves the others");
}

#[test]
fn reader_input_is_never_an_error() {
    let ix = sample();
    for q in ["骨科:", "(骨科", "\"骨科", "骨科 AND", "-", "*", "title:骨科", "骨科^2", "　", "", "<b>骨科</b>"] {
        let r = ix.search(&SearchQuery { site_id: 1, text: q, limit: 10, ..Default::default() });
        assert!(r.is_ok(), "{q}: {r:?}");
    }
    assert_eq!(sorted(find(&ix, "(骨科")), [1, 4]);
    assert!(find(&ix, "").is_empty());
}

#[test]
fn an_index_on_disk_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (ix, fresh) = SearchIndex::open(dir.path()).unwrap();
        assert!(fresh);
        ix.upsert(&doc(7, 1, "急诊科开展应急演练", "演练", 1)).unwrap();
    }
    let (ix, fresh) = SearchIndex::open(dir.path()).unwrap();
    assert!(!fresh);
    assert_eq!(find(&ix, "急诊"), [7]);
}

#[test]
fn titles_are_marked_whole() {
    assert_eq!(mark("a<骨科>b", &[2..8, 5..8]), "a&lt;<mark>骨科</mark>&gt;b");
    assert_eq!(mark("护士长", &[0..6, 6..9]), "<mark>护士长</mark>");
}

#[test]
fn words_that_jieba_splits_in_search_mode_are_marked_without_panicking() {
    // 骨密度 comes out as 骨密, 密度, 骨密度: out of text order before sorting, which made
    // tantivy's snippet generator panic.
    let ix = SearchIndex::in_memory().unwrap();
    ix.upsert(&doc(1, 1, "中华人民共和国成立纪念日骨密度义诊", "骨科专家为居民提供骨密度检测，中华人民共和国。", 1)).unwrap();
    for q in ["骨密度", "中华人民共和国", "人民共和国", "密度检测"] {
        let r = ix.search(&SearchQuery { site_id: 1, text: q, limit: 10, ..Default::default() }).unwrap();
        assert_eq!(r.total, 1, "{q}");
        assert!(r.hits[0].snippet_html.contains("<mark>"), "{q}: {}", r.hits[0].snippet_html);
    }
}

#[test]
fn related_articles_share_words_with_the_title() {
    let ix = sample();
    ix.upsert(&doc(5, 1, "骨科专家走进社区开展义诊", "义诊", 1_740_000_000)).unwrap();
    let related: Vec<i64> = ix.related(1, 1, "骨科完成首例机器人辅助关节置换手术", 3).unwrap().iter().map(|h| h.id).collect();
    assert!(!related.contains(&1), "not itself");
    assert_eq!(related.first(), Some(&5), "the other 骨科 title first: {related:?}");
    assert!(ix.related(1, 3, "", 3).unwrap().is_empty());
}

#[test]
fn the_index_tells_which_versions_it_holds_and_is_mended_in_one_commit() {
    let ix = sample();
    ix.upsert(&Doc { site_id: 2, ..doc(1, 1, "骨科义诊", "另一家医院", 1) }).unwrap();
    let before = ix.versions(1).unwrap();
    assert_eq!(before.len(), ix.count(1).unwrap(), "one entry per article of the site, none of the other site");
    assert!(before.values().all(|v| *v == 1));
    // A correction the index missed, and an article retracted while it was down.
    let (a, b) = (*before.keys().min().unwrap(), *before.keys().max().unwrap());
    ix.mend(1, &[Doc { version: 2, ..doc(a, 1, "更正后的标题骨密度", "更正后的正文", 1) }], &[b]).unwrap();
    let after = ix.versions(1).unwrap();
    assert_eq!((after.get(&a), after.get(&b), after.len()), (Some(&2), None, before.len() - 1));
    assert_eq!(ix.search(&SearchQuery { site_id: 1, text: "更正后的正文", limit: 10, ..Default::default() }).unwrap().total, 1);
    assert_eq!(ix.versions(2).unwrap().len(), 1, "the other site's article is untouched");
}
