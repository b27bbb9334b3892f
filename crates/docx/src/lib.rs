//! Word (.docx) in: a manuscript's title, body HTML and photos, read defensively.
//!
//! Every upload is hostile until proven otherwise. [`read_docx`] checks the container
//! before it trusts it: the file must be a zip, must be a Word document, may not expand
//! beyond [`Limits`], and every embedded picture is decoded under pixel limits and re-encoded
//! ([`clean_image`]) so that EXIF metadata (GPS positions, phone models) never reaches the
//! site. Errors carry a Chinese message that says what to do next.
//!
//! The body HTML uses only the tags the server's sanitiser allows; images stand as
//! `<img data-import="N">` for the caller to replace with the stored media's URL.

mod document;
mod image_clean;
mod writer;
#[doc(hidden)]
pub mod testdata;

pub use document::{read_docx, Imported, ImportedImage};
pub use image_clean::{clean_image, print_image, CleanImage, PRINT_IMAGE_SIDE};
pub use writer::{html_blocks, write_docx, ArticleDoc, Block, Picture};

/// Bounds on what an upload may make us read or decode.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest .docx accepted, in bytes.
    pub max_file: usize,
    /// The most entries in the zip.
    pub max_entries: usize,
    /// The most one entry may expand to.
    pub max_entry: u64,
    /// The most all entries read may expand to together.
    pub max_total: u64,
    /// The widest or tallest picture decoded.
    pub max_image_side: u32,
    /// The most pixels one picture may have.
    pub max_image_pixels: u64,
    /// Pictures larger than this on their long side are scaled down for the web.
    pub web_image_side: u32,
    /// The most different pictures one document may hold (a picture used twice counts once).
    pub max_images: usize,
    /// The most pixels all of one document's pictures may have together: what decoding
    /// them costs, known from their headers before any is decoded.
    pub max_document_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file: 50 * 1024 * 1024,
            max_entries: 2_000,
            max_entry: 64 * 1024 * 1024,
            max_total: 256 * 1024 * 1024,
            max_image_side: 20_000,
            max_image_pixels: 60_000_000,
            web_image_side: 2_560,
            max_images: 300,
            max_document_pixels: 600_000_000,
        }
    }
}

/// Why a file was refused. The text is shown to the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocxError {
    #[error("文件过大（{size_mb} MB）：Word 文件不能超过 {limit_mb} MB。请压缩其中的图片（在 Word 中选中图片 →“压缩图片”）后重新上传。")]
    TooLarge { size_mb: u64, limit_mb: u64 },
    #[error("这是旧版 Word（.doc）文件，无法直接读取。请在 Word 中“文件 → 另存为”，选择“Word 文档（*.docx）”后再上传。")]
    LegacyDoc,
    #[error("这不是 Word 文档（.docx）：文件内容不是 docx 格式。请确认上传的是用 Word 或 WPS 保存的 .docx 文件。")]
    NotZip,
    #[error("文件已损坏，无法打开（{0}）。请在 Word 中打开该文件，重新“另存为” .docx 后再上传。")]
    Malformed(String),
    #[error("这个压缩包不是 Word 文档：缺少正文（word/document.xml）。请上传用 Word 或 WPS 保存的 .docx 文件。")]
    NotDocx,
    #[error("文件解压后异常巨大（疑似“压缩炸弹”），已拒绝。如确为正常文档，请删减内容或图片后重新上传。")]
    ZipBomb,
    #[error("图片“{name}”尺寸异常（{width}×{height} 像素），已拒绝。请将图片缩小到 {max} 像素以内后重新插入。")]
    ImageTooLarge { name: String, width: u32, height: u32, max: u32 },
    #[error("图片“{name}”无法识别或已损坏。请重新插入 JPG 或 PNG 格式的图片。")]
    BadImage { name: String },
    #[error("文档中没有文字内容。请确认文件不是空白文档。")]
    Empty,
    #[error("文档中的图片超过 {max} 张，已拒绝。请把稿件分成几篇，或删去部分图片后重新上传。")]
    TooManyImages { max: usize },
    #[error("文档中的图片合计约 {megapixels} 百万像素，超过一篇稿件 {max} 百万像素的上限，已拒绝。请在 Word 中选中图片 →“压缩图片”后重新上传。")]
    ImagesTooLarge { megapixels: u64, max: u64 },
}
