//! The ledgers: the responsibility matrix with its history, analysis meetings whose
//! follow-ups become rectifications, the rectification ledger seen per department, progress
//! and proof reported by the department, overdue reminders, and the filed forms (.xlsx, .docx).

use std::io::Read;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_responsibility_matrix_keeps_who_answered_before() {
    let app = spawn_app().await;
    let web = app.web("editor").await;
    assert_eq!(web.form("/admin/responsibilities/areas", &[("name", "意识形态工作"), ("description", "党委统一领导，一岗双责")]).await.0, 303);
    let (status, _, body) = web.form("/admin/responsibilities/areas", &[("name", "意识形态工作")]).await;
    assert_eq!(status, 409, "the same area twice: {body}");
    let (_, page) = web.get("/admin/responsibilities").await;
    let area = page.split("name=\"area\"><option value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(page.contains("未设定"), "no one yet");
    for (role, person, dept, duty) in [("first", "党委书记 张某", "", ""), ("direct", "宣传部部长 李某", "", ""), ("first", "党委书记 王某", "", ""), ("department", "陈主任", &*app.fx.ortho.to_string(), "负责本科室公众号内容审核")] {
        let (status, _, body) = web.form("/admin/responsibilities/assign", &[("area", &area), ("role", role), ("person", person), ("department", dept), ("duty", duty)]).await;
        assert_eq!(status, 303, "{role}: {body}");
    }
    // A department's duty needs the duty written.
    let (status, _, body) = web.form("/admin/responsibilities/assign", &[("area", &area), ("role", "department"), ("department", &app.fx.paeds.to_string()), ("person", "林主任")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("请填写职责"), "{body}");
    let (_, page) = web.get("/admin/responsibilities").await;
    let row = &page[page.find("<th scope=\"row\">意识形态工作").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("党委书记 王某") && !row.contains("张某"), "the current first-responsible person: {row}");
    assert!(row.contains("宣传部部长 李某"));
    assert!(row.contains("负责本科室公众号内容审核"));
    assert!(page.contains("<th>骨科</th>"), "the department is a column");
    assert!(page.contains("第一责任人：党委书记 张某（"), "the predecessor stays in history");
    // Correspondents do not keep the matrix.
    assert_eq!(app.web("corr_a").await.get("/admin/responsibilities").await.0, 403);
    assert_eq!(app.web("corr_a").await.form("/admin/responsibilities/areas", &[("name", "x")]).await.0, 403);
}

#[tokio::test]
async fn a_meeting_follow_up_becomes_a_rectification_its_department_reports_on_and_the_ledger_is_filed() {
    let app = spawn_app().await;
    let web = app.web("editor").await;
    let when = yuanxun_core::clock::format_local_input(yuanxun_core::clock::now() + 86_400);
    let (status, loc, body) = web.form("/admin/meetings", &[("title", "第四季度意识形态工作研判会"), ("scheduled_at", &when), ("place", "行政楼三楼会议室"), ("chair", "党委书记")]).await;
    assert_eq!(status, 303, "{body}");
    let meeting = loc.trim_start_matches("/admin/meetings/").split('?').next().unwrap().to_string();
    let path = format!("/admin/meetings/{meeting}");
    // Held needs the minutes and the conclusions.
    let (status, _, body) = web.form(&path, &[("title", "第四季度意识形态工作研判会"), ("scheduled_at", &when), ("held", "on")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("会议记录和研判结论"), "{body}");
    let (status, _, _) = web
        .form(&path, &[("title", "第四季度意识形态工作研判会"), ("scheduled_at", &when), ("attendees", "党委委员、各支部书记"), ("minutes", "通报本季度网络平台检查情况。"), ("conclusions", "总体可控，个别科室公众号审核不严。"), ("held", "on")])
        .await;
    assert_eq!(status, 303);

    // Follow-ups from the meeting: one for orthopaedics, one for paediatrics.
    let deadline = yuanxun_core::clock::format_date(yuanxun_core::clock::now() + 30 * 86_400);
    let (status, loc, body) = web
        .form("/admin/rectifications", &[("problem", "骨科公众号推文未经三审发布"), ("measure", "建立科室公众号三审台账，专人审核"), ("department", &app.fx.ortho.to_string()), ("owner", "陈主任"), ("deadline", &deadline), ("meeting", &meeting), ("source", "analysis")])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(loc, format!("{path}?msg=saved"), "back to the meeting");
    let (status, _, body) = web
        .form("/admin/rectifications", &[("problem", "儿科宣传栏内容过期"), ("measure", "更新宣传栏"), ("department", &app.fx.paeds.to_string()), ("owner", "林主任"), ("deadline", &deadline), ("source", "inspection")])
        .await;
    assert_eq!(status, 303, "{body}");
    // Missing pieces are named.
    let (status, _, body) = web.form("/admin/rectifications", &[("problem", "x"), ("measure", "y"), ("department", &app.fx.ortho.to_string()), ("owner", "z"), ("deadline", "下个月")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("2026-12-31"), "{body}");
    let (_, page) = web.get(&path).await;
    assert!(page.contains("骨科公众号推文未经三审发布") && !page.contains("儿科宣传栏"), "the meeting lists its own follow-ups");

    // The orthopaedics correspondent is told, sees only the department's line, and reports.
    let corr = app.web("corr_a").await;
    let (_, notes) = corr.get("/admin/notifications").await;
    assert!(notes.contains("本科室有新的整改事项：骨科公众号推文未经三审发布"), "{notes}");
    let (_, ledger) = corr.get("/admin/rectifications?department=").await;
    assert!(ledger.contains("骨科公众号推文未经三审发布") && !ledger.contains("儿科宣传栏"), "{ledger}");
    let (_, ledger) = corr.get(&format!("/admin/rectifications?department={}", app.fx.paeds)).await;
    assert!(!ledger.contains("儿科宣传栏"), "asking for another department shows nothing of it");
    let ids = {
        let state = &app.running.as_ref().unwrap().state;
        let mut c = state.store.conn().await.unwrap();
        yuanxun_store::ledgers::list_rectifications(&mut c, state.site_id(), &Default::default()).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>()
    };
    let (ortho, paeds) = (format!("/admin/rectifications/{}", ids[0]), format!("/admin/rectifications/{}", ids[1]));
    assert_eq!(corr.get(&paeds).await.0, 404);
    assert_eq!(corr.form(&format!("{paeds}/progress"), &[("evidence", "已更新宣传栏内容"), ("status", "done")]).await.0, 404);
    let (status, _, body) = corr.form(&format!("{ortho}/progress"), &[("evidence", "已整改"), ("status", "done")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("完成情况和佐证材料"), "{body}");
    let proof = "已建立科室公众号三审台账（见附件《骨科公众号审核台账.xlsx》），指定护士长为审核人。";
    assert_eq!(corr.form(&format!("{ortho}/progress"), &[("evidence", proof), ("status", "done")]).await.0, 303);
    let (_, page) = corr.get(&ortho).await;
    assert!(page.contains("已整改") && page.contains("整改完成：已建立科室公众号三审台账"), "{page}");
    // Only the publicity staff send it back.
    let (status, _, _) = corr.form(&format!("{ortho}/progress"), &[("evidence", "再看看"), ("status", "open")]).await;
    assert_eq!(status, 403);

    // The filed forms: the spreadsheet and the Word document carry every line.
    let r = web.client.get(format!("{}/admin/rectifications.xlsx?year=", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("整改台账").unwrap();
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty).to_string();
    assert!(cell(0, 0).ends_with("意识形态工作问题整改台账"), "{}", cell(0, 0));
    assert_eq!((cell(2, 1), cell(2, 8)), ("存在问题".to_string(), "完成情况及佐证材料".to_string()));
    assert_eq!((cell(3, 1), cell(3, 2), cell(3, 4), cell(3, 7)), ("骨科公众号推文未经三审发布".into(), "研判会".into(), "骨科".into(), "已整改".into()));
    assert_eq!(cell(3, 8), proof);
    assert_eq!((cell(4, 1), cell(4, 7)), ("儿科宣传栏内容过期".into(), "整改中".into()));
    let r = web.client.get(format!("{}/admin/rectifications.docx", app.base)).send().await.unwrap();
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    for t in ["意识形态工作问题整改台账", "共梳理问题 2 个，已整改到位 1 个，正在整改 1 个。", "存在问题", "儿科宣传栏内容过期", "骨科公众号审核台账"] {
        assert!(xml.contains(t), "the document has {t}");
    }
    // The correspondent's export is the department's alone.
    let r = corr.client.get(format!("{}/admin/rectifications.xlsx", app.base)).send().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("整改台账").unwrap();
    assert_eq!(sheet.height(), 4, "title, time, header and one line");

    // Past its deadline, an open line reminds the department and the editors, once.
    let (status, _, body) = web
        .form(&paeds, &[("problem", "儿科宣传栏内容过期"), ("measure", "更新宣传栏"), ("department", &app.fx.paeds.to_string()), ("owner", "林主任"), ("deadline", "2026-01-05"), ("source", "inspection")])
        .await;
    assert_eq!(status, 303, "{body}");
    let paeds_corr = app.web("corr_b").await;
    let mut told = false;
    for _ in 0..50 {
        let (_, notes) = paeds_corr.get("/admin/notifications").await;
        if notes.contains("整改逾期：儿科宣传栏内容过期") {
            told = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(told, "the department is reminded");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let (_, page) = web.get(&paeds).await;
    assert_eq!(page.matches("已超过整改时限").count(), 1, "once per deadline");
    assert!(page.contains("逾期未整改"));
    let (_, notes) = web.get("/admin/notifications").await;
    assert!(notes.contains("整改逾期：儿科宣传栏内容过期"), "the editors too");
    // An incident's lesson goes into the same ledger, marked as coming from it.
    let (status, loc, _) = web.form("/admin/incidents", &[("title", "急诊候诊纠纷"), ("level", "orange")]).await;
    assert_eq!(status, 303);
    let incident = loc.trim_start_matches("/admin/incidents/").split('?').next().unwrap().to_string();
    let (status, loc, body) = web
        .form("/admin/rectifications", &[("problem", "急诊夜间候诊告知不到位"), ("measure", "候诊超过30分钟主动告知"), ("department", &app.fx.ortho.to_string()), ("owner", "护士长"), ("deadline", &deadline), ("incident", &incident), ("source", "incident")])
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, page) = web.get(&loc).await;
    assert!(page.contains("舆情事件"), "{page}");
    let (_, page) = web.get(&format!("/admin/incidents/{incident}")).await;
    assert!(page.contains("急诊夜间候诊告知不到位"), "the incident lists its rectification");
    let (_, audit) = app.web("auditor").await.get("/admin/audit").await;
    for action in ["meeting_save", "rectification_save", "rectification_progress"] {
        assert!(audit.contains(action), "audit has {action}");
    }
}
