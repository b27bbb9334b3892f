//! Bulk import of people (correspondents, editors …) and their departments from a
//! spreadsheet: .xlsx (calamine) or .csv (UTF-8, or GB18030 as Excel on Chinese Windows
//! saves it). Every row is checked first and the report says what is wrong with each; only
//! a file without a single error is imported, in one transaction: nothing half-imported.
//!
//! Columns are found by their header: 姓名, 登录名 (or 用户名), 科室, 角色 (default 通讯员),
//! 初始密码 (generated when empty; shown once in the report).

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use serde::Serialize;
use yuanxun_core::Role;
use yuanxun_store::{sites, users};

use super::{audit, line};
use crate::auth::{hash_password, Actor};
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// Rows in one file at most (a hospital has hundreds of correspondents, not tens of
/// thousands).
pub const MAX_ROWS: usize = 3000;
/// What an .xlsx may unpack to at most: a sheet of 3,000 people is well under 10 MB.
const MAX_UNPACKED: u64 = 50 << 20;

/// One row's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct RowReport {
    /// The row's line in the file (the header is line 1).
    pub line: usize,
    pub name: String,
    pub username: String,
    pub department: String,
    pub role: String,
    /// Empty when the row is fine; otherwise what is wrong and how to fix it.
    pub problems: Vec<String>,
    /// A generated initial password, shown once after a successful import.
    pub password: Option<String>,
}

/// What an import found and did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file_name: String,
    /// Whether anything was written (only when no row has a problem).
    pub imported: bool,
    pub rows: Vec<RowReport>,
    pub rows_with_problems: usize,
    pub new_departments: Vec<String>,
}

/// Reads the file's first sheet as rows of text (the header first).
pub fn read_table(file_name: &str, bytes: &[u8]) -> ServiceResult<Vec<Vec<String>>> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        read_xlsx(bytes)
    } else if lower.ends_with(".csv") {
        read_csv(bytes)
    } else {
        Err(ServiceError::Invalid("请上传 .xlsx 或 .csv 文件（Excel 中“另存为”可选择这两种格式；.xls 请先另存为 .xlsx）".into()))
    }
}

fn read_xlsx(bytes: &[u8]) -> ServiceResult<Vec<Vec<String>>> {
    use calamine::Reader;
    let bad = || ServiceError::Invalid("无法读取这个 .xlsx 文件：文件已损坏或不是 Excel 工作簿。请用 Excel 重新保存后再上传".into());
    // A zip bomb is refused before anything is unpacked: the sizes its entries declare
    // are checked, and each entry is then read no further than the budget allows.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| bad())?;
    let mut budget = MAX_UNPACKED;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| bad())?;
        if entry.size() > budget {
            return Err(ServiceError::Invalid("这个 .xlsx 文件解压后过大，不像一份人员名单。请只保留名单所在的工作表后重新上传".into()));
        }
        let read = std::io::copy(&mut (&mut entry).take(budget + 1), &mut std::io::sink()).map_err(|_| bad())?;
        if read > budget {
            return Err(ServiceError::Invalid("这个 .xlsx 文件解压后过大，不像一份人员名单。请只保留名单所在的工作表后重新上传".into()));
        }
        budget -= read;
    }
    // calamine panics on some malformed sheets (an index out of bounds in its cell reader,
    // found by fuzzing): a panic is a broken workbook too.
    let read = std::panic::catch_unwind(|| -> ServiceResult<Vec<Vec<String>>> {
        let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| bad())?;
        let range = book.worksheet_range_at(0).ok_or_else(|| ServiceError::Invalid("这个工作簿没有工作表".into()))?.map_err(|_| bad())?;
        Ok(range.rows().map(|r| r.iter().map(|c| c.to_string().trim().to_string()).collect()).collect())
    });
    read.unwrap_or_else(|_| Err(bad()))
}

fn read_csv(bytes: &[u8]) -> ServiceResult<Vec<Vec<String>>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        // Excel on Chinese Windows saves CSV in GBK; GB18030 reads it.
        Err(_) => {
            let (t, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(ServiceError::Invalid("无法识别这个 .csv 文件的编码。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新上传".into()));
            }
            t.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| ServiceError::Invalid(format!("无法读取这个 .csv 文件（{e}）。请用 Excel 打开检查后重新保存")))?;
        rows.push(r.iter().map(|c| c.trim().to_string()).collect());
    }
    Ok(rows)
}

/// The column of each field, by the header's wording.
#[derive(Debug)]
struct Columns {
    name: usize,
    username: usize,
    department: Option<usize>,
    role: Option<usize>,
    password: Option<usize>,
}

fn columns(header: &[String]) -> ServiceResult<Columns> {
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.trim()));
    let name = find(&["姓名", "name"]).ok_or_else(|| ServiceError::Invalid("第 1 行（表头）没有“姓名”列。表头应为：姓名、登录名、科室、角色、初始密码".into()))?;
    let username = find(&["登录名", "用户名", "账号", "username"]).ok_or_else(|| ServiceError::Invalid("第 1 行（表头）没有“登录名”列。表头应为：姓名、登录名、科室、角色、初始密码".into()))?;
    Ok(Columns { name, username, department: find(&["科室", "部门", "department"]), role: find(&["角色", "role"]), password: find(&["初始密码", "密码", "password"]) })
}

/// A readable initial password: 12 characters from an alphabet without look-alikes.
pub fn generated_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut p: String = (0..10).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    // Always a digit and a letter of each case, whatever the draw (the policy's three kinds).
    p.push_str(&format!("{}", rng.gen_range(2..10)));
    p.insert(0, ALPHABET[rng.gen_range(0..23)] as char);
    p.insert(0, 'Y');
    p
}

/// Checks every row of `file_name` and, when none has a problem, creates its departments
/// and people in one transaction.
pub async fn import_people(state: &AppState, actor: &Actor, file_name: &str, bytes: &[u8]) -> ServiceResult<ImportReport> {
    if !actor.user.role.manages_accounts() {
        return Err(ServiceError::Forbidden("只有安全管理员可以批量导入人员".into()));
    }
    // Unzipping and parsing a spreadsheet is CPU work: on the blocking pool.
    let (name, data) = (file_name.to_string(), bytes.to_vec());
    let table = crate::heavy::run(move || read_table(&name, &data)).await??;
    let mut rows = table.into_iter().enumerate().filter(|(_, r)| r.iter().any(|c| !c.is_empty()));
    let Some((_, header)) = rows.next() else { return Err(ServiceError::Invalid("文件是空的：第 1 行应为表头（姓名、登录名、科室、角色、初始密码），其下每行一人".into())) };
    let cols = columns(&header)?;
    let body: Vec<(usize, Vec<String>)> = rows.collect();
    if body.is_empty() {
        return Err(ServiceError::Invalid("文件只有表头，没有人员。请在表头下每行填写一人".into()));
    }
    if body.len() > MAX_ROWS {
        return Err(ServiceError::Invalid(format!("一次最多导入 {MAX_ROWS} 人，这个文件有 {} 行。请分成几个文件导入", body.len())));
    }
    let site = state.site_id();
    let (known_departments, known_users) = {
        let mut c = state.store.conn().await?;
        let depts: HashMap<String, i64> = sites::list_departments(&mut c, site).await?.into_iter().map(|d| (d.name, d.id)).collect();
        let names: HashSet<String> = users::list(&mut c, site).await?.into_iter().map(|u| u.username.to_lowercase()).collect();
        (depts, names)
    };
    let cell = |r: &[String], i: Option<usize>| i.and_then(|i| r.get(i)).cloned().unwrap_or_default();
    let mut seen = HashSet::new();
    let mut report = Vec::new();
    let mut parsed = Vec::new();
    for (i, r) in &body {
        let mut problems = Vec::new();
        let (name_raw, username_raw, dept, role_raw, password_raw) = (cell(r, Some(cols.name)), cell(r, Some(cols.username)), cell(r, cols.department), cell(r, cols.role), cell(r, cols.password));
        let name = line(&name_raw, "姓名", true, 40).unwrap_or_else(|e| {
            problems.push(e.to_string());
            String::new()
        });
        let username = username_raw.trim().to_string();
        if username.is_empty() {
            problems.push("请填写登录名".into());
        } else if username.chars().count() > 40 || !super::admin::valid_username(&username) {
            problems.push("登录名只能包含字母、数字、下划线、点和连字符（如 zhangsan 或 zhang.san），不超过 40 个字符".into());
        } else if known_users.contains(&username.to_lowercase()) {
            problems.push(format!("登录名“{username}”已被使用，请换一个"));
        } else if !seen.insert(username.to_lowercase()) {
            problems.push(format!("登录名“{username}”在文件中出现了不止一次"));
        }
        let role = match role_raw.trim() {
            "" => Some(Role::Correspondent),
            s => Role::ALL.into_iter().find(|r| r.label() == s || r.as_str() == s),
        };
        if role.is_none() {
            problems.push(format!("角色“{role_raw}”无法识别，请填写：通讯员、编辑、审核人、总编辑、系统管理员或审计员"));
        }
        let dept = dept.trim().to_string();
        if dept.chars().count() > 60 {
            problems.push("科室名称不能超过 60 个字".into());
        }
        if role == Some(Role::Correspondent) && dept.is_empty() {
            problems.push("通讯员必须填写科室".into());
        }
        let password = match password_raw.as_str() {
            "" => None,
            p => {
                if let Err(e) = super::accounts::check_password_policy(p, &username) {
                    problems.push(format!("初始密码不合要求：{e}（也可以留空，由系统生成）"));
                }
                Some(p.to_string())
            }
        };
        report.push(RowReport { line: i + 1, name: name.clone(), username: username.clone(), department: dept.clone(), role: role.map_or(role_raw, |r| r.label().to_string()), problems: problems.clone(), password: None });
        if problems.is_empty() {
            parsed.push((name, username, dept, role.unwrap_or(Role::Correspondent), password));
        }
    }
    let rows_with_problems = report.iter().filter(|r| !r.problems.is_empty()).count();
    let mut new_departments: Vec<String> = Vec::new();
    for (_, _, d, _, _) in &parsed {
        if !d.is_empty() && !known_departments.contains_key(d) && !new_departments.contains(d) {
            new_departments.push(d.clone());
        }
    }
    if rows_with_problems > 0 {
        return Ok(ImportReport { file_name: file_name.to_string(), imported: false, rows: report, rows_with_problems, new_departments });
    }
    // Passwords are hashed (argon2id, deliberately slow) before the write lock is taken.
    let plain: Vec<(String, bool)> = parsed.iter().map(|p| p.4.clone().map_or_else(|| (generated_password(), true), |p| (p, false))).collect();
    let to_hash: Vec<String> = plain.iter().map(|(p, _)| p.clone()).collect();
    let hashes = crate::heavy::run(move || to_hash.iter().map(|p| hash_password(p)).collect::<Vec<_>>()).await?;
    let mut tx = state.store.begin().await?;
    let mut departments = known_departments;
    for d in &new_departments {
        let made = sites::create_department(tx.conn(), site, d).await?;
        departments.insert(d.clone(), made.id);
    }
    for ((name, username, dept, role, _), hash) in parsed.iter().zip(&hashes) {
        let new = users::NewUser { username, display_name: name, password_hash: hash, role: *role, department_id: departments.get(dept).copied(), review_level: None };
        let user = users::create(tx.conn(), site, &new).await?;
        audit(tx.conn(), site, actor, "user_create", "user", user.id, format!("{username} 角色 {}（批量导入）", role.label())).await?;
    }
    audit(tx.conn(), site, actor, "people_import", "site", site, format!("从 {file_name} 导入 {} 人，新增科室 {} 个", parsed.len(), new_departments.len())).await?;
    tx.commit().await?;
    for (row, (p, generated)) in report.iter_mut().zip(plain) {
        if generated {
            row.password = Some(p);
        }
    }
    Ok(ImportReport { file_name: file_name.to_string(), imported: true, rows: report, rows_with_problems: 0, new_departments })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook with one sheet whose cells are `cells` (the inside of `<sheetData>`).
    fn workbook(cells: &str, shared: Option<&str>) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        let mut put = |name: &str, text: &str| {
            z.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(text.as_bytes()).unwrap();
        };
        put("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#);
        put("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
        put("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
        let mut rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#.to_string();
        if shared.is_some() {
            rels += r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#;
        }
        put("xl/_rels/workbook.xml.rels", &(rels + "</Relationships>"));
        put("xl/worksheets/sheet1.xml", &format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#));
        if let Some(strings) = shared {
            put("xl/sharedStrings.xml", &format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>"#));
        }
        z.finish().unwrap();
        out.into_inner()
    }

    /// Found by `bench/fuzz.sh` (target `people_table`): a cell naming a shared string the
    /// workbook does not have made calamine index out of bounds. The administrator gets the
    /// broken-workbook message; a sound workbook beside it still reads.
    #[test]
    fn a_workbook_whose_cell_names_a_missing_shared_string_is_refused_not_a_panic() {
        let sound = workbook(r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>42</v></c></row>"#, Some("<si><t>姓名</t></si><si><t>登录名</t></si>"));
        assert_eq!(read_table("名单.xlsx", &sound).unwrap(), vec![vec!["姓名".to_string(), "登录名".into()], vec!["张三".into(), "42".into()]]);
        let broken = workbook(r#"<row r="1"><c r="A1" t="s"><v>7</v></c></row>"#, Some("<si><t>姓名</t></si>"));
        let e = read_table("名单.xlsx", &broken).unwrap_err();
        assert!(e.to_string().contains("无法读取这个 .xlsx 文件"), "{e}");
        let no_strings = workbook(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#, None);
        assert!(read_table("名单.xlsx", &no_strings).unwrap_err().to_string().contains("无法读取这个 .xlsx 文件"));
    }

    #[test]
    fn generated_passwords_meet_the_password_rules_and_differ() {
        let all: HashSet<String> = (0..200).map(|_| generated_password()).collect();
        assert_eq!(all.len(), 200);
        for p in &all {
            assert!(super::super::accounts::check_password_policy(p, "liming").is_ok(), "{p}");
            assert!(!p.chars().any(|c| "0O1lI".contains(c)), "no look-alikes: {p}");
        }
    }

    #[test]
    fn headers_are_found_by_their_wording_in_any_order() {
        let h = |cols: &[&str]| cols.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let c = columns(&h(&["序号", "科室", "用户名", "姓名", "密码"])).unwrap();
        assert_eq!((c.name, c.username, c.department, c.role, c.password), (3, 2, Some(1), None, Some(4)));
        assert!(columns(&h(&["姓名", "科室"])).unwrap_err().to_string().contains("登录名"));
    }
}
