//! Full-text search of the public site's live articles: a tantivy index with two analyses of
//! every title and body.
//!
//! - **jieba** (`tantivy-jieba`, search mode) cuts text into words (骨科 / 医院 / 骨科医院), so
//!   results rank by words and snippets highlight whole words.
//! - **CJK bigrams** ([`Bigrams`]) index every pair of neighbouring Han characters with its
//!   position, so any two-character word is found even where jieba cut the sentence
//!   differently (党建引领 → 党建 / 建引 / 引领), and a longer query matches as an exact phrase.
//!
//! A query word matches if either analysis finds it; all words of a query must match. The
//! index is changed one article at a time ([`SearchIndex::upsert`], [`SearchIndex::remove`]:
//! committed and visible to searches when they return) or rebuilt whole
//! ([`SearchIndex::rebuild`]). Every document carries its site, so one index serves every
//! hospital of a deployment.

mod bigram;

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING};
use tantivy::snippet::SnippetGenerator;
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use bigram::Bigrams;
use yuanxun_core::text::escape_html;

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("搜索索引出错：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("无法打开搜索索引目录 {path}：{source}")]
    Open { path: String, source: tantivy::TantivyError },
    #[error("搜索索引目录 {path} 正被另一个院讯进程（运行中的 serve）使用：请先停止它，或在工作台“站点设置”中重建索引")]
    Busy { path: String },
    #[error("搜索索引目录 {path} 无法创建：{source}")]
    Dir { path: String, source: std::io::Error },
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// One live article as the index sees it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub site_id: i64,
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    pub title: String,
    pub subtitle: String,
    /// The body as plain text (no markup).
    pub body: String,
    pub published_at: i64,
    /// The article's version in the database (1 when published, one more for every correction
    /// or change of date): what [`SearchIndex::versions`] gives back, so that after a crash
    /// `serve` can tell which documents are behind the database.
    pub version: i64,
}

/// A search: words, optional channel and publication-time range (`from..to`, seconds,
/// `to` exclusive), and the page wanted.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery<'a> {
    pub site_id: i64,
    pub text: &'a str,
    pub channel_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

/// One result; `title_html` and `snippet_html` are escaped text with `<mark>` around the
/// matched words.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    pub published_at: i64,
    pub title_html: String,
    pub snippet_html: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Results {
    /// How many articles match in all (for pagination).
    pub total: usize,
    pub hits: Vec<Hit>,
}

const JIEBA: &str = "jieba";
const BIGRAM: &str = "cjk_bigram";
/// How long a snippet may be, in bytes: about 80 Chinese characters.
const SNIPPET_BYTES: usize = 240;
/// Longer than any title, so a title is highlighted whole.
const TITLE_BYTES: usize = 4096;
/// The writer's memory budget: tantivy's minimum is 15 MB per thread; one thread is plenty
/// for a newsroom's rate of publishing, and a rebuild of 100,000 articles.
const WRITER_BUDGET: usize = 40_000_000;

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    site: Field,
    id: Field,
    channel: Field,
    channel_name: Field,
    published: Field,
    title: Field,
    title_bigram: Field,
    body: Field,
    body_bigram: Field,
    version: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(JIEBA).set_index_option(IndexRecordOption::WithFreqsAndPositions));
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let bigrams = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(BIGRAM).set_index_option(IndexRecordOption::WithFreqsAndPositions));
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        site: b.add_i64_field("site", INDEXED | FAST),
        id: b.add_i64_field("id", STORED | FAST),
        channel: b.add_i64_field("channel", INDEXED | STORED),
        channel_name: b.add_text_field("channel_name", STORED),
        published: b.add_i64_field("published", INDEXED | FAST | STORED),
        title: b.add_text_field("title", words(true)),
        title_bigram: b.add_text_field("title_bigram", bigrams.clone()),
        body: b.add_text_field("body", words(true)),
        body_bigram: b.add_text_field("body_bigram", bigrams),
        version: b.add_i64_field("version", FAST),
    };
    (b.build(), fields)
}

/// jieba in search mode (骨科医院 → 骨科, 医院, 骨科医院), its tokens put in text order.
/// Search mode emits a long word's parts before or after the word itself; tantivy's snippet
/// generator assumes tokens come in order of their offsets (it panics or mis-cuts fragments
/// otherwise), so they are sorted here.
#[derive(Clone, Copy, Default)]
struct Words;

impl tantivy::tokenizer::Tokenizer for Words {
    type TokenStream<'a> = tantivy::tokenizer::PreTokenizedStream;

    fn token_stream(&mut self, text: &str) -> Self::TokenStream<'_> {
        use tantivy::tokenizer::TokenStream;
        let mut inner = tantivy_jieba::JiebaTokenizer {};
        let mut stream = tantivy::tokenizer::Tokenizer::token_stream(&mut inner, text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
        tokens.sort_by_key(|t| (t.offset_from, t.offset_to));
        tantivy::tokenizer::PreTokenizedStream::from(tantivy::tokenizer::PreTokenizedString { text: text.to_string(), tokens })
    }
}

/// The search index: one writer behind a lock, a reader reloaded after every commit.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if there is none. The flag says whether the index
    /// is new (or was made anew because its schema changed) and so needs a [`rebuild`].
    ///
    /// [`rebuild`]: SearchIndex::rebuild
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool)> {
        let (schema, fields) = schema();
        let path = dir.display().to_string();
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Dir { path: path.clone(), source })?;
        let existing = Index::open_in_dir(dir).ok().filter(|i| i.schema() == schema);
        let fresh = existing.is_none();
        let index = match existing {
            Some(i) => i,
            None => {
                // No index, or one of an older schema: start again (the caller rebuilds).
                if let Ok(entries) = std::fs::read_dir(dir) {
                    for e in entries.flatten() {
                        let _ = if e.path().is_dir() { std::fs::remove_dir_all(e.path()) } else { std::fs::remove_file(e.path()) };
                    }
                }
                Index::create_in_dir(dir, schema).map_err(|source| SearchError::Open { path: path.clone(), source })?
            }
        };
        let ix = Self::with_index(index, fields).map_err(|e| match e {
            SearchError::Index(tantivy::TantivyError::LockFailure(..)) => SearchError::Busy { path },
            e => e,
        })?;
        Ok((ix, fresh))
    }

    /// An index held in memory (for tests and one-off tools).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<SearchIndex> {
        index.tokenizers().register(JIEBA, Words);
        index.tokenizers().register(BIGRAM, Bigrams);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), fields })
    }

    /// Loads jieba's dictionary now rather than on the first search.
    pub fn warm_up() {
        use tantivy::tokenizer::{TokenStream, Tokenizer};
        let mut t = tantivy_jieba::JiebaTokenizer {};
        let mut s = t.token_stream("院讯");
        while s.advance() {}
    }

    fn key(&self, site_id: i64, id: i64) -> Term {
        Term::from_field_text(self.fields.key, &format!("{site_id}:{id}"))
    }

    fn document(&self, d: &Doc) -> TantivyDocument {
        let f = self.fields;
        let title = if d.subtitle.is_empty() { d.title.clone() } else { format!("{}　{}", d.title, d.subtitle) };
        doc!(
            f.key => format!("{}:{}", d.site_id, d.id),
            f.site => d.site_id,
            f.id => d.id,
            f.channel => d.channel_id,
            f.channel_name => d.channel_name.as_str(),
            f.published => d.published_at,
            f.title => title.as_str(),
            f.title_bigram => title.as_str(),
            f.body => d.body.as_str(),
            f.body_bigram => d.body.as_str(),
            f.version => d.version,
        )
    }

    fn commit(&self, w: &mut IndexWriter) -> Result<()> {
        w.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock leaves nothing half-written that a commit would
        // publish (tantivy only publishes on commit), so the writer stays usable.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds or replaces one article; searchable when this returns.
    pub fn upsert(&self, d: &Doc) -> Result<()> {
        let mut w = self.writer();
        w.delete_term(self.key(d.site_id, d.id));
        w.add_document(self.document(d))?;
        self.commit(&mut w)
    }

    /// Removes one article (retracted); gone from searches when this returns.
    pub fn remove(&self, site_id: i64, id: i64) -> Result<()> {
        let mut w = self.writer();
        w.delete_term(self.key(site_id, id));
        self.commit(&mut w)
    }

    /// Replaces everything of `site_id` with `docs`, calling `progress` after each document.
    /// Searches see the old index until the single commit at the end.
    pub fn rebuild(&self, site_id: i64, docs: impl IntoIterator<Item = Doc>, mut progress: impl FnMut(usize)) -> Result<usize> {
        let mut w = self.writer();
        w.delete_query(Box::new(TermQuery::new(Term::from_field_i64(self.fields.site, site_id), IndexRecordOption::Basic)))?;
        let mut n = 0;
        for d in docs {
            w.add_document(self.document(&d))?;
            n += 1;
            progress(n);
        }
        self.commit(&mut w)?;
        Ok(n)
    }

    /// The id and version of every article of `site_id` the index holds.
    pub fn versions(&self, site_id: i64) -> Result<std::collections::HashMap<i64, i64>> {
        let searcher = self.reader.searcher();
        let mut out = std::collections::HashMap::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (site, id, version) = (fast.i64("site")?, fast.i64("id")?, fast.i64("version")?);
            for doc in segment.doc_ids_alive() {
                if site.first(doc) == Some(site_id) {
                    if let (Some(id), Some(v)) = (id.first(doc), version.first(doc)) {
                        out.insert(id, v);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Adds or replaces `docs` and removes `gone` (ids of `site_id`) in one commit.
    pub fn mend(&self, site_id: i64, docs: &[Doc], gone: &[i64]) -> Result<()> {
        let mut w = self.writer();
        for id in gone {
            w.delete_term(self.key(site_id, *id));
        }
        for d in docs {
            w.delete_term(self.key(d.site_id, d.id));
            w.add_document(self.document(d))?;
        }
        self.commit(&mut w)
    }

    /// How many articles of `site_id` are indexed.
    pub fn count(&self, site_id: i64) -> Result<usize> {
        let q = TermQuery::new(Term::from_field_i64(self.fields.site, site_id), IndexRecordOption::Basic);
        Ok(self.reader.searcher().search(&q, &Count)?)
    }

    /// Articles like `id`: those sharing words with its title, best first (相关文章).
    pub fn related(&self, site_id: i64, id: i64, title: &str, limit: usize) -> Result<Vec<Hit>> {
        use tantivy::tokenizer::{TokenStream, Tokenizer};
        let f = self.fields;
        // Any of the title's words of two or more characters, in a title (weighted) or a body.
        let mut words: Vec<String> = Vec::new();
        let mut stream = Words.token_stream(title);
        while stream.advance() {
            let t = &stream.token().text;
            if t.chars().count() >= 2 && t.chars().all(char::is_alphanumeric) && !words.contains(t) {
                words.push(t.clone());
            }
        }
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in &words {
            let in_title = TermQuery::new(Term::from_field_text(f.title, w), IndexRecordOption::WithFreqs);
            any.push((Occur::Should, Box::new(tantivy::query::BoostQuery::new(Box::new(in_title), 3.0))));
            any.push((Occur::Should, Box::new(TermQuery::new(Term::from_field_text(f.body, w), IndexRecordOption::WithFreqs))));
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(any))),
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_i64(f.site, site_id), IndexRecordOption::Basic))),
            (Occur::MustNot, Box::new(TermQuery::new(self.key(site_id, id), IndexRecordOption::Basic))),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit))?;
        let mut hits = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let int = |field: Field| d.get_first(field).and_then(|v| v.as_i64()).unwrap_or_default();
            let string = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            hits.push(Hit { id: int(f.id), channel_id: int(f.channel), channel_name: string(f.channel_name), published_at: int(f.published), title_html: escape_html(&string(f.title)), snippet_html: String::new() });
        }
        Ok(hits)
    }

    /// Runs a search. Query syntax errors are forgiven (the words are searched as typed); an
    /// empty query finds nothing.
    pub fn search(&self, q: &SearchQuery<'_>) -> Result<Results> {
        let f = self.fields;
        let text = q.text.trim();
        if text.is_empty() || q.limit == 0 {
            return Ok(Results::default());
        }
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.title_bigram, f.body, f.body_bigram]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.title_bigram, 2.0);
        parser.set_field_boost(f.body_bigram, 0.5);
        // Operators are not for readers: quotes, colons and brackets are searched as text.
        let cleaned: String = text.chars().map(|c| if "+-:()[]{}^\"~*?\\/!'<>=".contains(c) { ' ' } else { c }).collect();
        let (words, _) = parser.parse_query_lenient(&cleaned);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, words.box_clone()),
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_i64(f.site, q.site_id), IndexRecordOption::Basic))),
        ];
        if let Some(ch) = q.channel_id {
            clauses.push((Occur::Must, Box::new(TermQuery::new(Term::from_field_i64(f.channel, ch), IndexRecordOption::Basic))));
        }
        if q.from.is_some() || q.to.is_some() {
            let lower = q.from.map_or(Bound::Unbounded, Bound::Included);
            let upper = q.to.map_or(Bound::Unbounded, Bound::Excluded);
            clauses.push((Occur::Must, Box::new(RangeQuery::new_i64_bounds("published".into(), lower, upper))));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let (top, total) = searcher.search(&query, &(TopDocs::with_limit(q.limit).and_offset(q.offset), Count))?;
        let snippets = |field: Field, max: usize| -> Result<SnippetGenerator> {
            let mut g = SnippetGenerator::create(&searcher, &*words, field)?;
            g.set_max_num_chars(max);
            Ok(g)
        };
        let (title_words, title_pairs) = (snippets(f.title, TITLE_BYTES)?, snippets(f.title_bigram, TITLE_BYTES)?);
        let (body_words, body_pairs) = (snippets(f.body, SNIPPET_BYTES)?, snippets(f.body_bigram, SNIPPET_BYTES)?);
        let mut hits = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let int = |field: Field| d.get_first(field).and_then(|v| v.as_i64()).unwrap_or_default();
            let string = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let (title, body) = (string(f.title), string(f.body));
            hits.push(Hit {
                id: int(f.id),
                channel_id: int(f.channel),
                channel_name: string(f.channel_name),
                published_at: int(f.published),
                title_html: highlight(&title_words, &title_pairs, &title, None),
                snippet_html: highlight(&body_words, &body_pairs, &body, Some(SNIPPET_BYTES)),
            });
        }
        Ok(Results { total, hits })
    }
}

/// `text` escaped, with the query's words marked: by jieba's words where they occur, else by
/// bigrams. `max` is the snippet's length in bytes (tantivy measures fragments in bytes);
/// `None` marks the whole text (a title). A text without any match is cut to `max`.
fn highlight(words: &SnippetGenerator, pairs: &SnippetGenerator, text: &str, max: Option<usize>) -> String {
    for g in [words, pairs] {
        let s = g.snippet(text);
        if s.is_empty() {
            continue;
        }
        if max.is_none() {
            // One fragment that starts at 0 (the generator's limit is larger than any
            // title), so its ranges are ranges of the whole title.
            return mark(text, s.highlighted());
        }
        let before = if text.starts_with(s.fragment()) { "" } else { "…" };
        let after = if text.ends_with(s.fragment()) { "" } else { "…" };
        return format!("{before}{}{after}", mark(s.fragment(), s.highlighted()));
    }
    let max = max.unwrap_or(usize::MAX);
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    escape_html(&text[..end]) + if end < text.len() { "…" } else { "" }
}

/// `text` escaped with `<mark>` around `ranges` (byte ranges, possibly overlapping).
fn mark(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len() + 16 * ranges.len());
    let mut at = 0;
    for r in sorted {
        let start = r.start.max(at);
        if r.end <= start || r.end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&escape_html(&text[at..start]));
        out.push_str("<mark>");
        out.push_str(&escape_html(&text[start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape_html(&text[at..]));
    out.replace("</mark><mark>", "")
}

#[cfg(test)]
mod tests;
