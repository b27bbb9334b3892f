//! The text the rules read, and the way back to the original. An input (plain text or
//! sanitised HTML) becomes a [`Stream`] of visible characters; folding and noise removal
//! derive further streams. Every character of every stream carries the byte span of the
//! original character(s) it came from, so any match maps back to an exact original span.

use crate::normalize::{fold, is_noise};

/// Characters with, for each, the byte span in the original input it came from.
#[derive(Debug, Default, Clone)]
pub struct Stream {
    pub text: String,
    /// For the char starting at byte `i` of `text`: original start (`starts[i]`) and end
    /// (`ends[i]`). Entries at continuation bytes are unused.
    starts: Vec<u32>,
    ends: Vec<u32>,
}

impl Stream {
    /// The original start offset of the visible char at byte `i` of `text`.
    pub fn original_start(&self, i: usize) -> usize {
        self.starts[i] as usize
    }

    fn with_capacity(n: usize) -> Stream {
        Stream { text: String::with_capacity(n), starts: Vec::with_capacity(n), ends: Vec::with_capacity(n) }
    }

    #[inline]
    fn push(&mut self, c: char, start: usize, end: usize) {
        let len = c.len_utf8();
        self.text.push(c);
        for _ in 0..len {
            self.starts.push(start as u32);
            self.ends.push(end as u32);
        }
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
        (self.starts[a] as usize, self.ends[last] as usize)
    }

    /// Iterates `(byte index in this stream, char, original start, original end)`.
    pub fn chars(&self) -> impl Iterator<Item = (usize, char, usize, usize)> + '_ {
        self.text.char_indices().map(|(i, c)| (i, c, self.starts[i] as usize, self.ends[i] as usize))
    }

    /// A stream from plain text: every char maps to itself.
    pub fn from_text(s: &str) -> Stream {
        let mut out = Stream::with_capacity(s.len());
        for (i, c) in s.char_indices() {
            out.push(c, i, i + c.len_utf8());
        }
        out
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
                    let c = s[i..].chars().next().expect("char boundary");
                    out.push(c, i, i + c.len_utf8());
                    i += c.len_utf8();
                }
            }
        }
        out
    }

    /// Folded for matching (width, script, case), one char per char.
    pub fn folded(&self) -> Stream {
        let mut out = Stream::with_capacity(self.text.len());
        for (i, c) in self.text.char_indices() {
            out.push(fold(c), self.starts[i] as usize, self.ends[i] as usize);
        }
        out
    }

    /// Without noise characters (for sensitive terms with inserted symbols or spaces).
    pub fn dense(&self) -> Stream {
        let mut out = Stream::with_capacity(self.text.len());
        for (i, c) in self.text.char_indices() {
            if !is_noise(c) {
                out.push(c, self.starts[i] as usize, self.ends[i] as usize);
            }
        }
        out
    }
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
        let s = Stream::from_text("新*葡 京，赌。博").folded().dense();
        assert_eq!(s.text, "新葡京,赌。博");
    }
}
