//! Bulk import of people from Excel (.xlsx) and CSV (UTF-8 or GBK): every row checked, a
//! report of what is wrong with each, nothing imported from a file with any problem, and
//! hostile files (a zip bomb, a file that is not a workbook) refused.

use std::io::Write;

use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

/// An .xlsx with `rows` under the usual header (the 初始密码 column written as a number
/// where it looks like one, as Excel users type it).
fn workbook(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["姓名", "登录名", "科室", "角色", "初始密码"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// Whether `username` can sign in with `password`.
async fn signs_in(app: &TestApp, username: &str, password: &str) -> bool {
    let r = app.client().post(format!("{}/api/v1/session", app.base)).json(&json!({"username": username, "password": password})).send().await.unwrap();
    r.status() == 200
}

#[tokio::test]
async fn people_are_imported_from_excel_only_when_every_row_is_right() {
    let app = spawn_app().await;
    let admin = app.web("security").await;
    let users_before = admin.get("/admin/users").await.1;

    // Five problems in one file: every row is reported, and nothing is imported.
    let bad = workbook(&[
        ["李明", "liming", "眼科", "", ""],
        ["王芳", "wang fang", "骨科", "通讯员", ""],
        ["赵强", "liming", "眼科", "", ""],
        ["钱多", "qianduo", "", "通讯员", ""],
        ["孙丽", "sunli", "骨科", "主任", ""],
        ["周到", "corr_a", "骨科", "", "short"],
    ]);
    let (s, _, page) = admin.upload("/admin/users/import", "通讯员名单.xlsx", bad, &[]).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("5 行有问题") && page.contains("什么也没有导入"), "{page}");
    for says in ["登录名只能包含字母", "在文件中出现了不止一次", "通讯员必须填写科室", "角色“主任”无法识别", "登录名“corr_a”已被使用", "初始密码不合要求"] {
        assert!(page.contains(says), "{says} in {page}");
    }
    assert!(!signs_in(&app, "liming", "anything").await);
    let (_, depts) = admin.get("/admin/departments").await;
    assert!(!depts.contains("眼科"), "no department half-imported");
    assert_eq!(admin.get("/admin/users").await.1.matches("<tr>").count(), users_before.matches("<tr>").count());

    // Corrected: imported, with a new department and passwords generated where none given.
    let good = workbook(&[["李明", "liming", "眼科", "", ""], ["王芳", "wangfang", "骨科", "通讯员", "Welcome2026"], ["孙丽", "sunli", "骨科", "编辑", ""]]);
    let (s, _, page) = admin.upload("/admin/users/import", "通讯员名单.xlsx", good, &[]).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("已导入 3 人") && page.contains("新增科室 眼科"), "{page}");
    let generated: Vec<String> = page.split("<code>").skip(1).map(|p| p.split("</code>").next().unwrap().to_string()).collect();
    assert_eq!(generated.len(), 2, "{page}");
    assert!(signs_in(&app, "liming", &generated[0]).await, "the generated password works");
    assert!(signs_in(&app, "wangfang", "Welcome2026").await);
    let (_, list) = admin.get("/admin/users").await;
    assert!(list.contains("李明") && list.contains("眼科") && list.contains("孙丽"), "{list}");
    let (_, log) = app.web("auditor").await.get("/admin/audit?action=people_import").await;
    assert!(log.contains("导入 3 人，新增科室 1 个"), "{log}");
    // Importing the same file again is refused row by row (the names are taken).
    let again = workbook(&[["李明", "liming", "眼科", "", ""]]);
    assert_eq!(admin.upload("/admin/users/import", "again.xlsx", again, &[]).await.0, 422);

    // Only administrators import.
    assert_eq!(app.web("editor").await.upload("/admin/users/import", "x.xlsx", workbook(&[["甲", "jia", "骨科", "", ""]]), &[]).await.0, 403);
}

#[tokio::test]
async fn a_gbk_csv_from_chinese_excel_imports_and_hostile_files_are_refused() {
    let app = spawn_app().await;
    let admin = app.web("security").await;
    // Excel on Chinese Windows saves CSV in GBK; the header may sit in any order.
    let text = "登录名,姓名,科室\r\nchenjing,陈静,儿科\r\nhuanglei,黄磊,宣传中心\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let (s, _, page) = admin.upload("/admin/users/import", "名单.csv", gbk.into_owned(), &[]).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("陈静") && page.contains("新增科室 宣传中心"), "{page}");

    // A zip bomb dressed as a workbook: 200 MB of zeros in a few hundred kilobytes.
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file("xl/worksheets/sheet1.xml", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        bomb.write_all(&zeros).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < 1 << 20);
    let (s, _, page) = admin.upload("/admin/users/import", "名单.xlsx", bomb, &[]).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("解压后过大"), "{page}");

    for (name, bytes, says) in [
        ("名单.xlsx", b"not a zip at all".to_vec(), "不是 Excel 工作簿"),
        ("名单.xls", b"\xD0\xCF\x11\xE0".to_vec(), "另存为 .xlsx"),
        ("名单.csv", "姓名,科室\n张三,骨科\n".as_bytes().to_vec(), "没有“登录名”列"),
        ("名单.csv", "姓名,登录名\n".as_bytes().to_vec(), "只有表头"),
    ] {
        let (s, _, page) = admin.upload("/admin/users/import", name, bytes, &[]).await;
        assert_eq!(s, 422, "{name}: {page}");
        assert!(page.contains(says), "{says} in {page}");
    }
}

#[tokio::test]
async fn grids_group_departments_under_a_liaison() {
    let app = spawn_app().await;
    let admin = app.web("admin").await;
    let editor_id = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::users::by_username(&mut c, 1, "editor").await.unwrap().unwrap().id
    };
    let (s, _, page) = admin.form("/admin/grids", &[("name", "外科网格"), ("liaison_id", &editor_id.to_string())]).await;
    assert_eq!(s, 303, "{page}");
    assert_eq!(admin.form("/admin/grids", &[("name", "外科网格")]).await.0, 409, "names are unique");
    assert_eq!(admin.form("/admin/grids", &[("name", "内科网格"), ("liaison_id", "9999")]).await.0, 422);
    let grid = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::sites::list_grids(&mut c, 1).await.unwrap()[0].clone()
    };
    assert_eq!(grid.liaison_id, Some(editor_id));
    let ortho = app.fx.ortho;
    assert_eq!(admin.form(&format!("/admin/departments/{ortho}/grid"), &[("grid_id", &grid.id.to_string())]).await.0, 303);
    assert_eq!(admin.form(&format!("/admin/departments/{ortho}/grid"), &[("grid_id", "9999")]).await.0, 422);

    let (_, html) = admin.get("/admin/departments").await;
    let grids = html.split("<h2>网格</h2>").nth(1).unwrap();
    assert!(grids.contains("外科网格") && grids.contains("selected>王编辑") && grids.contains("<td>骨科</td>"), "{grids}");
    // Each department lists its correspondents; one without any is flagged.
    let rows = html.split("<h2>新增科室</h2>").next().unwrap();
    assert!(rows.contains("尚无通讯员"), "{rows}");
    let (_, log) = app.web("auditor").await.get("/admin/audit?action=department_grid").await;
    assert!(log.contains("骨科 划入网格 外科网格"), "{log}");
    // Taken out again; only administrators arrange grids.
    assert_eq!(admin.form(&format!("/admin/departments/{ortho}/grid"), &[("grid_id", "")]).await.0, 303);
    assert!(admin.get("/admin/departments").await.1.contains("（尚未划入科室）"));
    assert_eq!(app.web("editor").await.form("/admin/grids", &[("name", "x")]).await.0, 403);
}
