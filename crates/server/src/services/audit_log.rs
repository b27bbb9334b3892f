//! The audit log as the auditor reads it: filtered by person, action, object and any range
//! of days, on the page and exported whole as .xlsx or .csv. Reading it is the auditor's
//! right alone (三员分立); every export is itself a row of the log. Nothing here or anywhere
//! else deletes or changes a row (the store has no such function, and the hash chain that
//! `yuanxun audit verify` checks would show it).

use serde::Deserialize;
use yuanxun_core::clock;
use yuanxun_store::audit::{self, Query};
use yuanxun_store::AuditEntry;

use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// The most rows one export holds (about ten years of a busy newsroom); a narrower range
/// of days exports the rest.
pub const MAX_EXPORT_ROWS: i64 = 200_000;

/// The filters as the page's form sends them: days as `2026-11-24`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct Filter {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub object_type: String,
    /// The first day included.
    #[serde(default)]
    pub from: String,
    /// The last day included.
    #[serde(default)]
    pub to: String,
}

impl Filter {
    /// The store's query, or a Chinese sentence naming the day that is not a date.
    pub fn query(&self) -> ServiceResult<Query> {
        let day = |s: &str, what: &str| -> ServiceResult<Option<time::Date>> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            // The forms' own reading of a typed date (2026-11-24, 2026/11/24, 2026年11月24日).
            yuanxun_core::outlet::parse_date(s).map(Some).ok_or_else(|| ServiceError::Invalid(format!("{what}“{s}”不是日期，请写成 2026-11-24 的形式")))
        };
        let (from, to) = (day(&self.from, "开始日期")?, day(&self.to, "结束日期")?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(ServiceError::Invalid("开始日期晚于结束日期，请调换后重试".into()));
            }
        }
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Query { actor: text(&self.actor), action: text(&self.action), object_type: text(&self.object_type), from: from.map(clock::start_of_day), to: to.map(|d| clock::end_of_day(d) + 1) })
    }

    /// The range in words, for file names and the export's own audit row.
    fn range(&self) -> String {
        match (self.from.trim(), self.to.trim()) {
            ("", "") => "全部".into(),
            (f, "") => format!("{f}起"),
            ("", t) => format!("至{t}"),
            (f, t) => format!("{f}至{t}"),
        }
    }
}

fn require_auditor(actor: &Actor) -> ServiceResult<()> {
    if actor.user.role.reads_audit() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!("{}无权查看审计日志（审计日志仅由审计员查看）", actor.user.role.label())))
    }
}

/// The newest `limit` rows matching `filter`.
pub async fn list(state: &AppState, actor: &Actor, filter: &Filter, limit: i64) -> ServiceResult<Vec<AuditEntry>> {
    require_auditor(actor)?;
    let q = filter.query()?;
    let mut c = state.store.conn().await?;
    Ok(audit::list(&mut c, state.site_id(), &q, limit).await?)
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

const COLUMNS: [(&str, f64); 9] = [("序号", 8.0), ("时间", 17.0), ("操作人", 12.0), ("操作", 20.0), ("对象类型", 12.0), ("对象编号", 10.0), ("详情", 60.0), ("IP 地址", 16.0), ("校验值", 20.0)];

fn cells(e: &AuditEntry) -> [String; 9] {
    [e.seq.to_string(), clock::format_minute(e.at), e.actor_name.clone(), e.action.clone(), e.object_type.clone(), e.object_id.clone(), e.detail.clone(), e.ip.clone(), e.hash.clone()]
}

/// Every row matching `filter`, oldest first, as a file: its bytes and the name to save it
/// under. The export is audited.
pub async fn export(state: &AppState, actor: &Actor, filter: &Filter, format: Format) -> ServiceResult<(Vec<u8>, String)> {
    require_auditor(actor)?;
    let q = filter.query()?;
    let mut rows = {
        let mut c = state.store.conn().await?;
        audit::list(&mut c, state.site_id(), &q, MAX_EXPORT_ROWS + 1).await?
    };
    if rows.len() as i64 > MAX_EXPORT_ROWS {
        return Err(ServiceError::Invalid(format!("符合条件的记录超过 {MAX_EXPORT_ROWS} 条，请缩小日期范围后分次导出")));
    }
    rows.reverse();
    let title = format!("{}审计日志（{}）", state.site.name, filter.range());
    let n = rows.len();
    let (bytes, ext) = match format {
        Format::Csv => (crate::heavy::run(move || csv_bytes(&rows)).await??, "csv"),
        Format::Xlsx => {
            let t = title.clone();
            (crate::heavy::run(move || xlsx_bytes(&t, &rows)).await??, "xlsx")
        }
    };
    let mut tx = state.store.begin().await?;
    super::audit(tx.conn(), state.site_id(), actor, "audit_export", "audit_log", 0, format!("导出 {} 条（{}），格式 {ext}", n, filter.range())).await?;
    tx.commit().await?;
    Ok((bytes, format!("{title}.{ext}")))
}

fn csv_bytes(rows: &[AuditEntry]) -> ServiceResult<Vec<u8>> {
    // With a byte-order mark, so Excel opens the Chinese as UTF-8.
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let failed = |e: csv::Error| ServiceError::Internal(format!("csv: {e}"));
    w.write_record(COLUMNS.iter().map(|c| c.0)).map_err(failed)?;
    for e in rows {
        w.write_record(cells(e).iter().map(|c| defuse(c))).map_err(failed)?;
    }
    w.into_inner().map_err(|e| ServiceError::Internal(format!("csv: {e}")))
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first: a detail an
/// attacker wrote into a title, say) is written with a leading apostrophe (CSV injection).
fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn xlsx_bytes(title: &str, rows: &[AuditEntry]) -> ServiceResult<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("审计日志")?;
        let heading = Format::new().set_bold().set_font_size(14);
        let head = Format::new().set_bold().set_background_color(Color::RGB(0xDCE6F1)).set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
        let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
        ws.write_string_with_format(0, 0, title, &heading)?;
        ws.write_string(1, 0, format!("导出时间：{}，共 {} 条；日志只能追加，校验值链接前一条记录", clock::format_minute(clock::now()), rows.len()))?;
        for (i, (h, w)) in COLUMNS.iter().enumerate() {
            ws.write_string_with_format(2, i as u16, *h, &head)?;
            ws.set_column_width(i as u16, *w)?;
        }
        for (i, e) in rows.iter().enumerate() {
            // Strings, never formulas: write_string stores the text as it is.
            for (j, v) in cells(e).iter().enumerate() {
                ws.write_string_with_format(i as u32 + 3, j as u16, v, &cell)?;
            }
        }
        ws.set_freeze_panes(3, 0)?;
        ws.autofilter(2, 0, (rows.len() as u32 + 2).max(3), COLUMNS.len() as u16 - 1)?;
        // Printed for the file: landscape, every column on the page's width, the header
        // on every page.
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(2, 2)?;
        wb.save_to_buffer()
    };
    build().map_err(|e| ServiceError::Internal(format!("xlsx: {e}")))
}
