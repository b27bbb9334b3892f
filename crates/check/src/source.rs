//! The text the rules read, and the way back to the original. An input (plain text or
//! sanitised HTML) becomes a [`Stream`] of visible characters; folding and noise removal
//! derive further streams. Every character of every stream carries the byte span of the
//! original character(s) it came from, so any match maps back to an exact original span.

use crate::normalize::{fold, han_at, is_han, is_noise, Folder};

/// Characters with, for each, the byte span in the original input it came from.
///
/// The map is kept in pieces rather than per character: a *run* maps a stretch of characters
/// that have the same byte length as their originals and follow each other there (most of a
/// text: untouched, or traditional → simplified, or ASCII case), a *single* maps one character
/// whose original differs in length (a full-width `，` folded to `,`, an `&amp;` decoded to
/// `&`, a line break standing for a `<p>` tag). A plain-text stream is one run; folding adds a
/// piece per full-width mark, noise removal a piece per gap. Lookups are binary searches.
#[derive(Debug, Clone)]
pub struct Stream {
    pub text: String,
    map: Vec<Piece>,
    /// The original offset a char must start at to extend the last piece, when that piece is a
    /// run (`RUN` otherwise): appending such a char is all `push` has to do.
    run_end: u32,
}

/// Stream bytes from `at` up to the next piece map back to the original as described above.
#[derive(Debug, Clone, Copy)]
struct Piece {
    at: u32,
    orig: u32,
    /// `RUN` for a run; otherwise the original end of the single character at `at`.
    end: u32,
}

const RUN: u32 = u32::MAX;

impl Piece {
    /// The original span of the char of `len` bytes at stream byte `i` (inside this piece).
    #[inline]
    fn span(&self, i: usize, len: usize) -> (usize, usize) {
        if self.end == RUN {
            let start = self.orig as usize + (i - self.at as usize);
            (start, start + len)
        } else {
            (self.orig as usize, self.end as usize)
        }
    }
}

impl Stream {
    fn with_capacity(n: usize) -> Stream {
        Stream { text: String::with_capacity(n), map: Vec::new(), run_end: RUN }
    }

    /// Appends `c`, which came from `original[start..end]`.
    #[inline]
    fn push(&mut self, c: char, start: usize, end: usize) {
        let (start, end) = (start as u32, end as u32);
        let same_length = end - start == c.len_utf8() as u32;
        if !(same_length && start == self.run_end) {
            let at = self.text.len() as u32;
            self.map.push(Piece { at, orig: start, end: if same_length { RUN } else { end } });
        }
        self.run_end = if same_length { end } else { RUN };
        self.text.push(c);
    }

    /// The piece holding stream byte `i`.
    #[inline]
    fn piece(&self, i: usize) -> &Piece {
        let k = self.map.partition_point(|p| p.at as usize <= i);
        &self.map[k.max(1) - 1]
    }

    /// The original span of the char starting at byte `i` of `text`.
    #[inline]
    fn span_at(&self, i: usize) -> (usize, usize) {
        let len = self.text[i..].chars().next().map_or(0, char::len_utf8);
        self.piece(i).span(i, len)
    }

    /// The original byte span of `text[a..b]` (both char boundaries of `text`, `a < b`).
    #[inline]
    pub fn original(&self, a: usize, b: usize) -> (usize, usize) {
        debug_assert!(a < b);
        // The last char of the range starts at the last char boundary before b.
        let mut last = b - 1;
        while !self.text.is_char_boundary(last) {
            last -= 1;
        }
        (self.span_at(a).0, self.span_at(last).1)
    }

    /// The original offsets at which paragraphs (runs of text between line breaks) start.
    pub fn paragraph_starts(&self) -> Vec<usize> {
        let t = self.text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if t[i] == b'\n' {
                i += 1;
                continue;
            }
            out.push(self.span_at(i).0);
            match memchr::memchr(b'\n', &t[i..]) {
                Some(n) => i += n + 1,
                None => break,
            }
        }
        out
    }

    /// The paragraphs (lines) of the text with the stream offset each starts at.
    pub fn paragraphs(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.text.split('\n').scan(0, |pos, line| {
            let at = *pos;
            *pos += line.len() + 1;
            Some((at, line))
        })
    }

    /// A stream from plain text: every char maps to itself.
    pub fn from_text(s: &str) -> Stream {
        Stream { text: s.to_string(), map: vec![Piece { at: 0, orig: 0, end: RUN }], run_end: s.len() as u32 }
    }

    /// The visible text of (sanitised) HTML: tags removed, block elements and `<br>` turned
    /// into line breaks that map to the tag (zero width), `<script>`/`<style>` content and
    /// comments dropped, character references decoded (mapping to the whole reference).
    pub fn from_html(s: &str) -> Stream {
        let bytes = s.as_bytes();
        let mut out = Stream::with_capacity(s.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'<' => {
                    if s[i..].starts_with("<!--") {
                        i = s[i + 4..].find("-->").map(|e| i + 4 + e + 3).unwrap_or(s.len());
                        continue;
                    }
                    let end = tag_end(bytes, i);
                    let name = tag_name(&s[i + 1..end]);
                    let closing = bytes.get(i + 1) == Some(&b'/');
                    if !closing && (name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style")) {
                        let close = format!("</{}", name.to_ascii_lowercase());
                        let rest = s[end..].to_ascii_lowercase();
                        i = rest.find(&close).map(|p| end + p).unwrap_or(s.len());
                        continue;
                    }
                    if is_block(name) && !out.text.ends_with('\n') && !out.text.is_empty() {
                        out.push('\n', i, i);
                    }
                    i = end;
                }
                b'&' => {
                    if let Some((c, len)) = decode_entity(&s[i..]) {
                        out.push(c, i, i + len);
                        i += len;
                    } else {
                        out.push('&', i, i + 1);
                        i += 1;
                    }
                }
                _ => {
                    // Text up to the next tag or reference, copied in one piece.
                    let n = bytes[i..].iter().position(|&b| b == b'<' || b == b'&').unwrap_or(bytes.len() - i);
                    out.push_str(&s[i..i + n], i);
                    i += n;
                }
            }
        }
        out
    }

    /// Appends `text`, which is `original[start..start + text.len()]` as written (a stretch of
    /// a run: it extends the last piece when it follows it in the original).
    #[inline]
    fn push_str(&mut self, text: &str, start: usize) {
        if text.is_empty() {
            return;
        }
        if start as u32 != self.run_end {
            self.map.push(Piece { at: self.text.len() as u32, orig: start as u32, end: RUN });
        }
        self.text.push_str(text);
        self.run_end = (start + text.len()) as u32;
    }

    /// Folded for matching (width, script, case; one char per char), and the same without
    /// noise characters (for sensitive terms with inserted symbols or spaces), in one pass.
    ///
    /// Most characters fold to themselves and are not noise: they are copied in stretches,
    /// and only the few that change (a full-width comma, an upper-case letter, a traditional
    /// character) or that the dense stream drops cost more than a look at their code point.
    pub fn folded_and_dense(&self) -> (Stream, Stream) {
        let mut folded = Stream::with_capacity(self.text.len());
        let mut dense = Stream::with_capacity(self.text.len());
        for (k, p) in self.map.iter().enumerate() {
            let at = p.at as usize;
            let to = self.map.get(k + 1).map_or(self.text.len(), |q| q.at as usize);
            let seg = &self.text[at..to];
            if p.end == RUN {
                fold_run(seg, p.orig as usize, &mut folded, &mut dense);
            } else {
                // A single: one char standing for original[orig..end].
                for c in seg.chars() {
                    let f = fold(c);
                    folded.push(f, p.orig as usize, p.end as usize);
                    if !is_noise(f) {
                        dense.push(f, p.orig as usize, p.end as usize);
                    }
                }
            }
        }
        (folded, dense)
    }
}

/// Folds `seg`, a run of the source stream starting at original byte `orig`, onto both
/// streams. `fs`/`ds`: where the stretch not yet copied to each stream starts.
fn fold_run(seg: &str, orig: usize, folded: &mut Stream, dense: &mut Stream) {
    let folder = Folder::get();
    let b = seg.as_bytes();
    let (mut fs, mut ds) = (0usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        // Chinese characters that fold to themselves (never noise): the bulk of a story.
        if han_at(b, i) && folder.han_stays(b, i) {
            i += 3;
            continue;
        }
        let c = seg[i..].chars().next().expect("a char boundary");
        let end = i + c.len_utf8();
        let f = folder.fold(c);
        let noise = !is_han(f) && is_noise(f);
        if f == c && !noise {
            i = end;
            continue;
        }
        if f != c {
            folded.push_str(&seg[fs..i], orig + fs);
            folded.push(f, orig + i, orig + end);
            fs = end;
        }
        dense.push_str(&seg[ds..i], orig + ds);
        if !noise {
            dense.push(f, orig + i, orig + end);
        }
        ds = end;
        i = end;
    }
    folded.push_str(&seg[fs..], orig + fs);
    dense.push_str(&seg[ds..], orig + ds);
}

/// The index just past the `>` closing the tag that starts at `i` (quotes respected).
fn tag_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    let mut quote = 0u8;
    while j < bytes.len() {
        let b = bytes[j];
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'"' || b == b'\'' {
            quote = b;
        } else if b == b'>' {
            return j + 1;
        }
        j += 1;
    }
    bytes.len()
}

fn tag_name(inner: &str) -> &str {
    let inner = inner.trim_start_matches('/');
    let end = inner.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(inner.len());
    &inner[..end]
}

fn is_block(name: &str) -> bool {
    const BLOCKS: &[&str] = &[
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table", "thead", "tbody", "tfoot",
        "blockquote", "figure", "figcaption", "hr", "section", "article", "caption", "header", "footer", "pre", "title",
    ];
    BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(name))
}

/// Decodes a character reference at the start of `s`: the char and the reference's length.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let semi = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let cp = if let Some(hex) = num.strip_prefix(['x', 'X']) { u32::from_str_radix(hex, 16).ok()? } else { num.parse().ok()? };
        char::from_u32(cp).filter(|c| *c != '\0')?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            "ldquo" => '“',
            "rdquo" => '”',
            "lsquo" => '‘',
            "rsquo" => '’',
            "mdash" => '—',
            "hellip" => '…',
            "middot" => '·',
            "times" => '×',
            _ => return None,
        }
    };
    Some((c, semi + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_maps_back_to_the_original() {
        let html = "<p>医院&amp;<b>骨科</b></p><p>第二段&#x4E00;</p><script>var x='赌博'</script>";
        let s = Stream::from_html(html);
        assert_eq!(s.text, "医院&骨科\n第二段一\n");
        let a = s.text.find("骨科").unwrap();
        let (o1, o2) = s.original(a, a + "骨科".len());
        assert_eq!(&html[o1..o2], "骨科");
        let amp = s.text.find('&').unwrap();
        assert_eq!(s.original(amp, amp + 1), (html.find("&amp;").unwrap(), html.find("&amp;").unwrap() + 5));
        // A span across a tag keeps the tag in the original surface.
        let a = s.text.find("&骨").unwrap();
        let (o1, o2) = s.original(a, a + "&骨".len());
        assert_eq!(&html[o1..o2], "&amp;<b>骨");
    }

    #[test]
    fn dense_skips_inserted_symbols() {
        let (f, d) = Stream::from_text("新*葡 京，赌。博").folded_and_dense();
        assert_eq!((f.text.as_str(), d.text.as_str()), ("新*葡 京,赌。博", "新葡京,赌。博"));
        let a = d.text.find("京").unwrap();
        assert_eq!(d.original(0, a + "京".len()), (0, "新*葡 京".len()));
    }
}
