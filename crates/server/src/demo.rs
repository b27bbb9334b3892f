//! The demo hospital for `serve --demo`: departments, channels, one user per role, and about
//! twenty published stories with photos, all written by the team. Stories go through the
//! real services (create, upload photo, submit, three reviews, publish), so the demo is
//! also a smoke test of the spine.

use image::{Rgb, RgbImage};
use yuanxun_core::{clock, Role};
use yuanxun_store::{sites, users};

use crate::auth::{hash_password, Actor};
use crate::services::checks;
use crate::services::manuscripts::{self as ms, ManuscriptInput, Verdict};
use crate::AppState;

/// The demo accounts: login name, display name, role, department index, review level.
pub const ACCOUNTS: &[(&str, &str, Role, Option<usize>, Option<u8>)] = &[
    ("admin", "系统管理员", Role::Admin, Some(0), None),
    ("editor", "王编辑", Role::Editor, Some(0), Some(1)),
    ("reviewer", "李审核", Role::Reviewer, Some(0), Some(2)),
    ("chief", "赵总编", Role::ChiefEditor, Some(0), Some(3)),
    ("correspondent", "陈通讯员", Role::Correspondent, Some(2), None),
    ("auditor", "周审计", Role::Auditor, Some(0), None),
    ("security", "孙安全", Role::SecurityAdmin, Some(0), None),
];

const DEPARTMENTS: &[&str] = &["党委宣传部", "心血管内科", "骨科", "护理部", "急诊医学科", "儿科", "信息中心", "药学部"];
/// Each department's correspondents (names ours) as the stories credit them: writers, then
/// the photographer.
const CREDITS: &[(&str, &str)] = &[("刘晓", "黄磊"), ("孙悦、何明", "吴凡"), ("陈通讯员", "郑宁"), ("赵静", "钱峰"), ("冯涛", "许可"), ("朱琳、杨帆", "秦川"), ("韩雪", "吕航"), ("魏然", "沈洁")];

const CHANNELS: &[(&str, &str)] = &[
    ("news", "医院要闻"),
    ("photos", "图片新闻"),
    ("updates", "医院动态"),
    ("party", "党建工作"),
    ("notices", "通知公告"),
];

/// (channel slug, department index, title, paragraphs, photo caption)
const STORIES: &[(&str, usize, &str, &[&str], &str)] = &[
    ("news", 1, "心血管内科成功开展首例无导线起搏器植入术", &["近日，心血管内科团队为一名八十二岁的缓慢性心律失常患者成功植入无导线起搏器，手术历时四十分钟，患者术后次日即可下床活动。", "与传统起搏器相比，无导线起搏器体积小、无需皮下囊袋和电极导线，降低了感染和导线断裂的风险，尤其适合高龄和体弱患者。"], "手术团队在导管室进行术前讨论"),
    ("news", 2, "骨科举办“关爱骨骼健康”社区义诊", &["11月16日上午，骨科联合社区卫生服务中心在社区广场开展义诊，为居民提供骨密度检测、用药指导和康复咨询。", "活动共接待居民一百二十余人次，发放健康宣传资料三百余份。医护人员提醒中老年人注意防跌倒，适量补充钙和维生素D。"], "医生为社区居民讲解骨质疏松防治知识"),
    ("photos", 3, "护理部举办护理技能竞赛", &["为提升临床护理人员的专业技能，护理部举办年度护理技能竞赛，来自二十个护理单元的四十名护士参赛。", "竞赛设置心肺复苏、静脉输液和病情观察三个项目，评委按操作规范现场打分。"], "参赛护士进行心肺复苏操作"),
    ("photos", 4, "急诊医学科开展批量伤员救治演练", &["为检验突发事件应急处置能力，急诊医学科联合多个科室开展批量伤员救治演练。", "演练模拟交通事故造成多人受伤，从预检分诊、绿色通道到多学科会诊，各环节衔接顺畅。"], "演练现场的预检分诊"),
    ("updates", 5, "儿科开设冬季呼吸道疾病夜间门诊", &["进入冬季，儿童呼吸道疾病进入高发期。为方便家长带孩子就诊，儿科自12月1日起开设夜间门诊，接诊时间延长至晚上九点。", "家长可通过医院微信公众号提前预约，到院后在儿科候诊区扫码签到。"], "儿科夜间门诊候诊区"),
    ("party", 0, "医院党委召开理论学习中心组学习会议", &["医院党委召开理论学习中心组学习会议，围绕加强公立医院党的建设、推动医院高质量发展进行交流研讨。", "会议要求，各党支部要把学习成果转化为改进医疗服务、提升患者就医体验的具体举措。"], "理论学习中心组学习会议现场"),
    ("notices", 6, "关于门诊信息系统升级期间暂停自助缴费的通知", &["因门诊信息系统升级，11月30日晚十点至次日早六点，门诊自助机缴费功能暂停使用。", "升级期间，患者可到一楼人工窗口办理缴费，由此带来的不便敬请谅解。"], "门诊大厅自助服务区"),
    ("news", 7, "药学部上线处方前置审核系统", &["药学部上线处方前置审核系统，医生开具处方后，系统自动审核剂量、相互作用和配伍禁忌，药师对提示问题进行复核。", "系统运行一个月来，拦截不合理处方两百余张，门诊处方合格率进一步提高。"], "药师在审方中心复核处方"),
    ("updates", 3, "护理部推出“互联网+护理服务”", &["护理部正式推出“互联网+护理服务”，行动不便的患者可在线预约护士上门提供换药、导尿管护理等服务。", "上门护士均具有五年以上临床经验，服务全程定位留痕，保障护患双方安全。"], "护士上门为居家患者换药"),
    ("photos", 2, "骨科康复病房投入使用", &["骨科康复病房正式投入使用，病房设有独立康复训练区，配备下肢康复机器人等设备。", "康复治疗师与骨科医生共同查房，为术后患者制定个体化康复计划。"], "患者在康复训练区进行训练"),
    ("news", 4, "胸痛中心通过国家级认证复审", &["医院胸痛中心顺利通过国家级认证复审。专家组通过查阅资料、现场核查和病例追踪，对胸痛中心的规范化建设给予肯定。", "胸痛中心成立以来，急性心肌梗死患者从进门到血管开通的时间持续缩短。"], "专家组现场核查胸痛中心"),
    ("party", 3, "护理党支部开展“党员先锋岗”评选", &["护理党支部开展“党员先锋岗”评选活动，通过科室推荐、患者评价和支部评议，评选出十名优秀党员护士。", "支部书记表示，要发挥党员在临床一线的带头作用，让患者感受到更有温度的护理服务。"], "护理党支部“党员先锋岗”授牌"),
    ("notices", 0, "关于征集医院新闻线索的通知", &["为更好地宣传医院在医疗、教学、科研和服务中的新进展，党委宣传部面向全院征集新闻线索。", "各科室通讯员可登录院讯平台直接投稿，也可上传 Word 文档，宣传部将在三个工作日内反馈。"], "党委宣传部"),
    ("updates", 1, "心血管内科开设心脏康复门诊", &["心血管内科开设心脏康复门诊，为心肌梗死、心脏支架术后和心力衰竭患者提供运动评估、营养指导和心理支持。", "门诊每周二、周四下午开诊，患者可通过预约平台挂号。"], "心脏康复门诊运动评估"),
    ("photos", 5, "儿科病房举办“快乐成长”主题活动", &["儿科病房医护人员与志愿者一起为住院患儿举办主题活动，孩子们在游戏和手工中度过了愉快的下午。", "医护人员还为家长讲解了儿童居家护理和用药安全知识。"], "志愿者陪伴患儿做手工"),
    ("news", 6, "医院智慧服务平台上线检查预约功能", &["医院智慧服务平台新增检查预约功能，患者在手机上即可自助预约超声、CT 和磁共振检查时间。", "上线首周，已有两千余名患者通过手机完成预约，检查等候时间明显缩短。"], "患者使用手机预约检查"),
    ("party", 7, "药学部党支部与社区党组织开展共建活动", &["药学部党支部与社区党组织开展共建活动，党员药师走进社区开展安全用药宣传。", "活动中，药师为居民清理家庭过期药品，并讲解慢性病用药的注意事项。"], "党员药师为居民讲解用药知识"),
    ("updates", 4, "急诊医学科优化绿色通道流程", &["急诊医学科优化卒中、创伤和胸痛绿色通道流程，实行先救治后缴费，检查结果实时推送至急诊医生工作站。", "流程优化后，危重患者在急诊的平均停留时间缩短了二十分钟。"], "急诊抢救室"),
    ("notices", 3, "2026年度护理人员招聘公告", &["根据医院发展需要，现面向社会公开招聘护理人员，报名时间为12月1日至12月15日。", "报名者须具有护士执业资格，具体岗位和条件详见医院人事处网页。"], "护理部"),
    ("news", 0, "医院召开2026年度宣传工作会议", &["医院召开年度宣传工作会议，总结一年来的新闻宣传和通讯员队伍建设工作，表彰优秀通讯员和优秀稿件。", "会议要求，各科室要重视宣传工作，讲好医院故事，传播健康知识，守好网络宣传阵地。"], "宣传工作会议现场"),
];

/// Seeds the demo hospital when the site has no channels yet. Returns the demo password
/// (from `YUANXUN_DEMO_PASSWORD` or freshly made) when it seeded, None when data existed.
pub async fn seed(state: &AppState, password: Option<String>) -> anyhow::Result<Option<String>> {
    let site = state.site_id();
    {
        let mut c = state.store.conn().await?;
        if !sites::list_channels(&mut c, site).await?.is_empty() {
            return Ok(None);
        }
    }
    let password = password.filter(|p| !p.is_empty()).unwrap_or_else(crate::services::people::generated_password);
    let hash = hash_password(&password);
    let mut tx = state.store.begin().await?;
    sites::rename_site(tx.conn(), site, "院讯示范医院").await?;
    let mut depts = Vec::new();
    for name in DEPARTMENTS {
        depts.push(sites::create_department(tx.conn(), site, name).await?);
    }
    // Grids (网格): the clinical departments under two liaisons of the publicity department.
    for (name, members) in [("内科网格", &[1usize, 5][..]), ("外科网格", &[2, 4][..]), ("医技与职能网格", &[3, 6, 7][..])] {
        let g = sites::create_grid(tx.conn(), site, name, None).await?;
        for m in members {
            sites::set_department_grid(tx.conn(), site, depts[*m].id, Some(g)).await?;
        }
    }
    let mut chans = Vec::new();
    for (i, (slug, name)) in CHANNELS.iter().enumerate() {
        let levels = if *slug == "notices" { 2 } else { 3 };
        let ch = sites::create_channel(tx.conn(), site, slug, name, levels, i as i64).await?;
        if *slug == "photos" {
            sites::set_channel_photo(tx.conn(), site, ch.id, true).await?;
        }
        chans.push(ch);
    }
    let mut accounts = Vec::new();
    for (username, display, role, dept, level) in ACCOUNTS {
        let new = users::NewUser { username, display_name: display, password_hash: &hash, role: *role, department_id: dept.map(|d| depts[d].id), review_level: *level };
        accounts.push(users::create(tx.conn(), site, &new).await?);
    }
    tx.commit().await?;

    let actor = |i: usize| Actor { user: accounts[i].clone(), ip: "127.0.0.1".into() };
    let (admin, editor, reviewer, chief, correspondent) = (actor(0), actor(1), actor(2), actor(3), actor(4));
    let now = clock::now();
    // The points rules (积分规则), as hospitals commonly set them: more for a story adopted
    // by a wider-reaching outlet, about half for the photos.
    for (kind, level, author, photographer) in [
        ("website", "internal", "1", "0.5"),
        ("wechat", "internal", "2", "1"),
        ("outside_media", "national", "20", "10"),
        ("outside_media", "provincial", "10", "5"),
        ("outside_media", "municipal", "5", "2"),
        ("outside_media", "county", "2", "1"),
    ] {
        for (contribution, points) in [("author", author), ("photographer", photographer)] {
            let rule = crate::services::points::RuleInput { outlet_kind: kind.into(), level: level.into(), contribution: contribution.into(), points: points.into(), valid_from: "2020-01-01".into() };
            crate::services::points::add_rule(state, &editor, &rule).await?;
        }
    }
    for (n, (slug, dept, title, paras, caption)) in STORIES.iter().enumerate() {
        let channel = chans.iter().find(|c| c.slug == *slug).expect("demo channel");
        // The correspondent writes for 骨科; the editor writes the others.
        let writer = if *dept == 2 { &correspondent } else { &editor };
        let body: String = paras.iter().map(|p| format!("<p>{p}</p>")).collect();
        let input = ManuscriptInput {
            title: title.to_string(),
            channel_id: channel.id,
            department_id: Some(depts[*dept].id),
            authors: CREDITS[*dept].0.to_string(),
            photographers: CREDITS[*dept].1.to_string(),
            body_html: body,
            ..Default::default()
        };
        let m = ms::create(state, writer, &input).await?;
        if *slug != "notices" {
            ms::add_media(state, writer, m.id, &format!("photo{n}.jpg"), demo_photo(n), caption, input.photographers.as_str(), true).await?;
        }
        ms::submit(state, writer, m.id).await?;
        let levels = channel.review_levels;
        for level in 1..=levels {
            let who = match (levels, level) {
                (2, 1) => &editor,
                (2, _) => &chief,
                (_, 1) => &editor,
                (_, 2) => &reviewer,
                _ => &chief,
            };
            ms::decide(state, who, m.id, Verdict::Approve, "同意", None, "").await?;
        }
        ms::publish(state, &editor, m.id, None).await?;
        let mut c = state.store.conn().await?;
        if let Some(a) = yuanxun_store::articles::by_manuscript(&mut c, site, m.id).await? {
            drop(c);
            let mut tx = state.store.begin().await?;
            let age = (STORIES.len() - n) as i64;
            let at = now - age * 2 * 86_400 - 3_600 * (n as i64 % 7);
            yuanxun_store::articles::set_published_at(tx.conn(), site, a.id, at).await?;
            yuanxun_store::outlets::redate(tx.conn(), site, a.id, "website", &clock::format_date(at)).await?;
            yuanxun_store::articles::add_views(tx.conn(), site, a.id, 40 + (n as i64 * 37) % 500).await?;
            crate::services::live_site::record_article(tx.conn(), state, site, m.id).await?;
            tx.commit().await?;
            crate::services::live_site::article_changed(state, site, m.id).await;
        }
    }
    // The outlets the publicity department runs and places stories in (阵地), and where the
    // stories went: WeChat for most, the newspapers for some (one still awaiting an answer).
    let outlet = |kind: &str, name: &str, level: &str, owner: &str, dept: usize| crate::services::outlets::OutletInput {
        kind: kind.into(),
        name: name.into(),
        level: level.into(),
        owner_name: owner.into(),
        department_id: depts[dept].id.to_string(),
        ..Default::default()
    };
    let mut outlet_ids = Vec::new();
    for input in [
        outlet("wechat", "医院微信公众号", "", "党委宣传部", 0),
        outlet("video", "医院视频号", "", "党委宣传部", 0),
        outlet("led", "门诊大厅LED屏", "", "信息中心", 6),
        outlet("outside_media", "健康报", "national", "党委宣传部", 0),
        outlet("outside_media", "省卫生健康报", "provincial", "党委宣传部", 0),
        outlet("outside_media", "市日报", "municipal", "党委宣传部", 0),
    ] {
        outlet_ids.push(crate::services::outlets::save(state, &editor, None, &input).await?.outlet.id);
    }
    crate::services::outlets::record_review(state, &editor, outlet_ids[0], "", "内容合规，管理员账号已核对").await?;
    let live = {
        let mut c = state.store.conn().await?;
        yuanxun_store::articles::list(&mut c, site, None, 0, 100).await?
    };
    for (n, a) in live.iter().enumerate() {
        let on = clock::format_date(a.published_at);
        let mut plan = vec![(outlet_ids[0], "")];
        if n % 3 == 0 {
            plan.push((outlet_ids[3 + n % 9 / 3], if n == 0 { "pending" } else { "adopted" }));
        }
        for (outlet_id, adoption) in plan {
            let input = crate::services::outlets::DistributionInput { outlet_id: outlet_id.to_string(), distributed_on: on.clone(), adoption: adoption.into(), ..Default::default() };
            crate::services::outlets::distribute(state, &editor, a.id, &input).await?;
        }
    }
    // The grids' liaisons: the editor follows up every grid's correspondents.
    let grids = {
        let mut c = state.store.conn().await?;
        sites::list_grids(&mut c, site).await?
    };
    for g in grids {
        crate::services::admin::save_grid(state, &admin, Some(g.id), &g.name, &editor.user.id.to_string()).await?;
    }
    // Work that is not a story, for the statistics and the summaries.
    for (kind, title, quantity, days_ago, dept) in [
        ("video", "冬季呼吸道疾病防治科普短视频", "3", 20, 5),
        ("brochure", "儿童用药安全宣传折页", "20000", 35, 7),
        ("expert_notice", "专家坐诊信息", "12", 5, 0),
        ("event", "“关爱骨骼健康”社区义诊宣传", "1", 37, 2),
        ("training", "通讯员新闻写作培训", "1", 50, 0),
    ] {
        let input = crate::services::work::WorkInput {
            kind: kind.into(),
            title: title.into(),
            quantity: quantity.into(),
            done_on: clock::format_date(now - days_ago * 86_400),
            department_id: depts[dept].id.to_string(),
            ..Default::default()
        };
        crate::services::work::record(state, &editor, &input).await?;
    }
    // Points for work that is not a story, with the evidence.
    for (name, dept, kind, title, points, days_ago, evidence) in [
        ("孙悦", 1, "training", "参加通讯员新闻写作培训", "2", 50, "培训签到表"),
        ("郑宁", 2, "clue", "提供“关爱骨骼健康”义诊新闻线索", "1", 38, "宣传部选题记录"),
        ("魏然", 7, "video", "拍摄儿童用药安全科普短视频", "3", 34, "视频号发布链接"),
    ] {
        let input = crate::services::points::ManualInput {
            person_name: name.into(),
            department_id: depts[dept].id.to_string(),
            kind: kind.into(),
            earned_on: clock::format_date(now - days_ago * 86_400),
            points: points.into(),
            title: title.into(),
            evidence: evidence.into(),
            ..Default::default()
        };
        crate::services::points::add_manual(state, &editor, &input, None).await?;
    }
    // The check's site settings: the leaders (names ours, for the title check) and the
    // hospital's public phone number, which the privacy rule then leaves alone.
    for (i, (name, titles)) in [("林建国", "党委书记"), ("周明远", "院长、党委副书记"), ("许文华", "副院长")].into_iter().enumerate() {
        let input = checks::LeaderInput { name: name.into(), titles: titles.into(), sort: Some(i.to_string()) };
        checks::save_leader(state, &chief, 0, &input).await?;
    }
    let phone = checks::ItemInput { list: "phone".into(), term: "0571-88880000".into(), ..Default::default() };
    checks::save_item(state, &chief, 0, &phone).await?;
    // Work in progress for the newsroom screens: a draft, and one waiting for 初审.
    let draft = ManuscriptInput { title: "骨科护理团队获评市级优秀护理团队".into(), channel_id: chans[0].id, body_html: "<p>（草稿）骨科护理团队在全市优秀护理团队评选中获奖。</p>".into(), authors: "陈通讯员".into(), ..Default::default() };
    ms::create(state, &correspondent, &draft).await?;
    // The one waiting for 初审 carries the slips the check exists for: a blank left in the
    // template, a typo, an absolute advertising claim.
    let waiting_body = "<p>11月20日，骨科为膝关节置换术后患者及家属开展康复讲座，主讲人XXX副主任医师讲解术后功能锻炼的方法和注意事项。</p>\
        <p>康复治疗师提醒，功能锻炼要循序渐近，避免过早负重。我院关节外科是全市第一的关节置换中心。</p>\
        <p>讲座结束后，康复治疗师现场指导患者练习。</p>";
    let waiting = ManuscriptInput { title: "骨科开展膝关节置换术后康复讲座".into(), channel_id: chans[2].id, body_html: waiting_body.into(), authors: "陈通讯员".into(), ..Default::default() };
    let w = ms::create(state, &correspondent, &waiting).await?;
    ms::submit(state, &correspondent, w.id).await?;
    seed_monitor(state, &editor).await?;
    seed_ledgers(state, &editor).await?;
    seed_congress(state, &admin, &chief, &correspondent).await?;
    Ok(Some(password))
}

/// The opinion monitor: the hospital's names as a word set, two rules, and mentions pasted
/// in by hand (ours), so the list, the levels and the live rule test have something to show.
/// No feed is set up: a demo must not reach out to the internet.
async fn seed_monitor(state: &AppState, editor: &crate::auth::Actor) -> anyhow::Result<()> {
    use crate::services::monitor;
    monitor::put_set(state, editor, "院名", "院讯示范医院\n示范医院\n示医").await?;
    monitor::put_set(state, editor, "科室", "急诊科\n儿科\n骨科\n心内科\n收费处").await?;
    for (name, expr, weight) in [
        ("本院纠纷与投诉", "(@院名) & (纠纷 | 投诉 | 打人 | 死亡 | 误诊 | 红包 | 乱收费 | 多收费) & !招聘", "5"),
        ("本院服务意见", "(@院名 | @科室) & (排队 | 态度 | 停车 | 等了)", "3"),
        ("本院正面报道", "@院名 & (感谢 | 锦旗 | 点赞 | 成功救治)", "1"),
    ] {
        let input = monitor::RuleInput { name: name.into(), expr: expr.into(), weight: weight.into(), enabled: "1".into() };
        monitor::create_rule(state, editor, &input).await?;
    }
    let mut ids = Vec::new();
    for (url, title, text, reach) in [
        ("https://bbs.example.cn/t/1001", "示范医院急诊科夜里发生纠纷", "有网友发帖说，昨晚在示范医院急诊科，一名醉酒男子因候诊时间长与护士发生争执并动手打人，保安报警后被带走，家属称要投诉医院。", "3"),
        ("https://weibo.example.cn/s/2002", "在示医收费处被多收费", "在示医做检查，收费处把同一项检查收了两次，退费要跑三个窗口，折腾了一上午，太失望了。", "2"),
        ("https://bbs.example.cn/t/1003", "示范医院门口停车难", "每天早上示范医院门口都排长队等车位，能不能多开一个停车场？", "2"),
        ("https://news.example.cn/a/3004", "市民送锦旗感谢示范医院心内科", "一位老人突发心梗，被送到示范医院后半小时打通血管，家属送来锦旗感谢心内科医护人员。", "3"),
        ("", "网传示医儿科停诊", "有人在群里说示医儿科停诊了，经核实是谣言，儿科门诊正常开放。", "2"),
    ] {
        let input = monitor::ManualInput { url: url.into(), title: title.into(), text: text.into(), author: String::new(), reach: reach.into() };
        ids.push(monitor::add_manual(state, editor, &input).await?);
    }
    // The night's dispute becomes an incident, judged and in hand, with a call on record.
    use crate::services::incidents::{self, IncidentInput};
    let deadline = yuanxun_core::clock::format_local_input(yuanxun_core::clock::now() + 2 * 86_400);
    let input = IncidentInput { title: "急诊科夜间纠纷网帖".into(), level: "orange".into(), owner: editor.user.id.to_string(), deadline, ..Default::default() };
    let id = incidents::create(state, editor, &input, &ids[..1]).await?;
    incidents::save(state, editor, id, &input, Some("assess")).await?;
    let judged = IncidentInput { assessment: "网帖所述基本属实：患者家属醉酒后与护士争执并动手，保安已报警。帖子在本地论坛，转载不多，尚未引起媒体关注。建议医务部、保卫科核实后统一口径，必要时发布情况说明。".into(), ..input };
    incidents::save(state, editor, id, &judged, Some("handle")).await?;
    incidents::record(state, editor, id, "contact", "电话联系急诊科护士长，了解当晚经过并调取监控；派出所已出警处理。").await?;
    Ok(())
}

/// The ledgers: two areas of responsibility with their persons and duties, an analysis
/// meeting held last week, and its follow-ups in the rectification ledger (one done).
async fn seed_ledgers(state: &AppState, editor: &crate::auth::Actor) -> anyhow::Result<()> {
    use crate::services::ledgers::{self, AreaInput, AssignInput, MeetingInput, ProgressInput, RectificationInput};
    let mut c = state.store.conn().await?;
    let depts = yuanxun_store::sites::list_departments(&mut c, state.site_id()).await?;
    drop(c);
    let id_of = |name: &str| depts.iter().find(|d| d.name == name).map(|d| d.id.to_string()).unwrap_or_default();
    for (name, description, first, direct, duties) in [
        ("意识形态工作", "党委统一领导，党政齐抓共管，一岗双责", "党委书记 周明", "党委宣传部部长 林岚", &[("骨科", "科室主任负责本科室意识形态工作，审核科室发布的信息"), ("急诊医学科", "加强与患者沟通，发现舆情苗头及时报告宣传部")][..]),
        ("网站与新媒体阵地管理", "医院网站、微信公众号、视频号等阵地的内容安全", "党委副书记 郑华", "党委宣传部副部长 陈晨", &[("信息中心", "负责网站技术安全、防篡改和等级保护")][..]),
    ] {
        let area = ledgers::create_area(state, editor, &AreaInput { name: name.into(), description: description.into() }).await?;
        for (role, person) in [("first", first), ("direct", direct)] {
            ledgers::assign(state, editor, &AssignInput { area: area.to_string(), role: role.into(), person: person.into(), ..Default::default() }).await?;
        }
        for (d, duty) in duties {
            ledgers::assign(state, editor, &AssignInput { area: area.to_string(), role: "department".into(), department: id_of(d), duty: (*duty).into(), ..Default::default() }).await?;
        }
    }
    let now = yuanxun_core::clock::now();
    let held = MeetingInput {
        title: "第四季度意识形态和舆情形势研判会".into(),
        scheduled_at: yuanxun_core::clock::format_local_input(now - 6 * 86_400),
        place: "行政楼三楼会议室".into(),
        chair: "党委书记 周明".into(),
        attendees: "党委委员、各党支部书记、宣传部全体人员".into(),
        minutes: "宣传部通报本季度网络舆情和各科室新媒体平台检查情况；急诊科汇报夜间纠纷网帖的处置经过。".into(),
        conclusions: "总体平稳可控。个别科室公众号推文审核不严，急诊夜间医患沟通仍需加强。".into(),
        held: "on".into(),
    };
    let meeting = ledgers::save_meeting(state, editor, None, &held).await?;
    let later = MeetingInput { title: "2027年第一季度研判会".into(), scheduled_at: yuanxun_core::clock::format_local_input(now + 40 * 86_400), place: "行政楼三楼会议室".into(), ..Default::default() };
    ledgers::save_meeting(state, editor, None, &later).await?;
    let day = |d: i64| yuanxun_core::clock::format_date(now + d * 86_400);
    let first = ledgers::save_rectification(
        state,
        editor,
        None,
        &RectificationInput { problem: "骨科公众号两篇推文未经三审即发布".into(), measure: "建立科室新媒体三审台账，指定审核人，推文一律报宣传部备案".into(), department: id_of("骨科"), owner: "骨科主任".into(), deadline: day(20), meeting: meeting.to_string(), ..Default::default() },
    )
    .await?;
    ledgers::save_rectification(
        state,
        editor,
        None,
        &RectificationInput { problem: "急诊夜间候诊时间长引发争执".into(), measure: "增加夜间分诊护士，候诊超过30分钟主动告知".into(), department: id_of("急诊医学科"), owner: "急诊医学科护士长".into(), deadline: day(30), meeting: meeting.to_string(), ..Default::default() },
    )
    .await?;
    ledgers::save_rectification(
        state,
        editor,
        None,
        &RectificationInput { problem: "门诊楼宣传栏部分内容已过期".into(), measure: "清理并更新宣传栏，每月检查一次".into(), department: id_of("党委宣传部"), owner: "宣传部 王编辑".into(), deadline: day(-3), source: "inspection".into(), ..Default::default() },
    )
    .await?;
    ledgers::progress(state, editor, first, &ProgressInput { evidence: "已建立骨科新媒体三审台账（护士长初审、副主任复审、主任终审），本月推文均已报宣传部备案。".into(), status: "done".into() }).await?;
    Ok(())
}

/// The staff congress: this year's session, the demo's people as delegates, the chief
/// editor on the motions committee, one motion accepted and waiting for the pharmacy's reply,
/// and a resolution ready to be put to the vote.
async fn seed_congress(state: &AppState, admin: &crate::auth::Actor, chief: &crate::auth::Actor, delegate: &crate::auth::Actor) -> anyhow::Result<()> {
    use crate::services::congress::{self, DecisionInput, MotionInput, SessionInput, VoteInput};
    let opens = yuanxun_core::clock::format_date(yuanxun_core::clock::now() + 14 * 86_400);
    let input = SessionInput { term: "5".into(), sitting: "3".into(), opens_on: opens, agenda: "一、听取和审议院长工作报告\n二、听取和审议财务工作报告\n三、听取提案工作报告\n四、表决大会决议".into() };
    let session = congress::create_session(state, admin, &input).await?;
    congress::add_people(state, admin, session, "correspondent 第一代表团（临床）\neditor 第二代表团（机关）\nreviewer 第二代表团（机关）\nchief 第二代表团（机关）", false).await?;
    congress::add_people(state, admin, session, "chief", true).await?;
    let motion = MotionInput {
        title: "关于延长门诊药房午间服务时间的提案".into(),
        reason: "午间门诊药房只开一个取药窗口，上午门诊结束后取药患者集中，排队常超过半小时。".into(),
        proposal: "建议午间增开两个窗口，药师实行错峰就餐和弹性排班。".into(),
        co_signers: String::new(),
    };
    let m = congress::submit(state, delegate, session, &motion).await?;
    let mut c = state.store.conn().await?;
    let pharmacy = yuanxun_store::sites::list_departments(&mut c, state.site_id()).await?.into_iter().find(|d| d.name == "药学部").map(|d| d.id.to_string()).unwrap_or_default();
    drop(c);
    let deadline = yuanxun_core::clock::format_date(yuanxun_core::clock::now() + 30 * 86_400);
    congress::decide(state, chief, m, &DecisionInput { decision: "accept".into(), note: "同意立案，请药学部会同门诊部办理。".into(), department: pharmacy, deadline }).await?;
    congress::create_vote(state, chief, session, &VoteInput { title: "关于院长工作报告的决议".into(), body: "大会同意院长所作的工作报告。".into(), secret: "on".into() }).await?;
    Ok(())
}

/// A photo-like picture: a sky-to-ground gradient with a sun and hills, coloured per story.
pub fn demo_photo(n: usize) -> Vec<u8> {
    let (w, h) = (960u32, 640u32);
    let hue = (n as f32 * 47.0) % 360.0;
    let (r0, g0, b0) = hsv(hue, 0.35, 0.95);
    let (r1, g1, b1) = hsv((hue + 40.0) % 360.0, 0.55, 0.55);
    let sun = ((200 + (n as u32 * 97) % 560) as f32, 170.0f32);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let t = y as f32 / h as f32;
        let hill = 430.0 + 60.0 * ((x as f32 / 140.0 + n as f32).sin()) + 30.0 * ((x as f32 / 57.0).cos());
        if (y as f32) > hill {
            let d = ((y as f32 - hill) / 200.0).min(1.0);
            return Rgb([(r1 * (1.0 - 0.4 * d)) as u8, (g1 * (1.0 - 0.4 * d)) as u8, (b1 * (1.0 - 0.4 * d)) as u8]);
        }
        let dx = x as f32 - sun.0;
        let dy = y as f32 - sun.1;
        if dx * dx + dy * dy < 60.0 * 60.0 {
            return Rgb([255, 236, 180]);
        }
        Rgb([(r0 * (1.0 - 0.3 * t)) as u8, (g0 * (1.0 - 0.2 * t)) as u8, (b0 * (1.0 - 0.1 * t)) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).expect("encode demo photo");
    out
}

fn hsv(h: f32, s: f32, v: f32) -> (f32, f32, f32) {
    let c = v * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = v - c;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    ((r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0)
}
