//! Incremental server-sent events parsing (WHATWG rules) and NDJSON line
//! splitting, fed with network chunks as they arrive: an event may be split
//! across chunks anywhere, even inside a UTF-8 character or between `\r` and `\n`.

/// One dispatched SSE event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `message` when absent.
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    pub id: Option<String>,
}

/// Splits a byte stream into complete lines (`\n`, `\r\n` or `\r`).
#[derive(Debug, Default)]
pub struct LineBuffer {
    buf: Vec<u8>,
}

impl LineBuffer {
    /// Appends a chunk and returns every line it completed, without terminators.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(chunk);
        let mut lines = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < self.buf.len() {
            match self.buf[i] {
                b'\n' => {
                    lines.push(String::from_utf8_lossy(&self.buf[start..i]).into_owned());
                    i += 1;
                    start = i;
                }
                b'\r' => {
                    if i + 1 == self.buf.len() {
                        // A `\n` may follow in the next chunk: wait for it.
                        break;
                    }
                    lines.push(String::from_utf8_lossy(&self.buf[start..i]).into_owned());
                    i += if self.buf[i + 1] == b'\n' { 2 } else { 1 };
                    start = i;
                }
                _ => i += 1,
            }
        }
        self.buf.drain(..start);
        lines
    }

    /// What is left when the stream ends: a last line without terminator.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buf);
        let rest = rest.strip_suffix(b"\r").unwrap_or(&rest);
        (!rest.is_empty()).then(|| String::from_utf8_lossy(rest).into_owned())
    }
}

/// The SSE parser: feed chunks, get complete events. `:` comment lines
/// (keep-alives) and blank keep-alive lines produce nothing.
#[derive(Debug, Default)]
pub struct SseParser {
    lines: LineBuffer,
    event: Option<String>,
    data: Vec<String>,
    has_data: bool,
    id: Option<String>,
    /// Comment lines seen, e.g. `: keep-alive`.
    pub comments: usize,
}

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let lines = self.lines.push(chunk);
        lines.iter().filter_map(|l| self.line(l)).collect()
    }

    /// Ends the stream. A final event without its blank line is still
    /// dispatched: some servers close right after the last `data:` line.
    pub fn finish(&mut self) -> Option<SseEvent> {
        if let Some(line) = self.lines.finish() {
            if let Some(ev) = self.line(&line) {
                return Some(ev);
            }
        }
        self.dispatch()
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            self.comments += 1;
            return None;
        }
        let (field, value) = match line.find(':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(' ').unwrap_or(v))
            }
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => {
                self.data.push(value.to_string());
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            _ => {} // `retry` and unknown fields are ignored.
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        let id = self.id.take();
        let data = std::mem::take(&mut self.data).join("\n");
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        Some(SseEvent {
            event: event.unwrap_or_else(|| "message".into()),
            data,
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(chunks: &[&[u8]]) -> (Vec<SseEvent>, usize) {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(p.push(c));
        }
        out.extend(p.finish());
        (out, p.comments)
    }

    #[test]
    fn events_split_anywhere_give_the_same_result() {
        let stream = "event: message_start\ndata: {\"a\":1}\n\n: keep-alive\n\n\r\ndata: h\u{e9}llo\r\ndata: w\r\n\r\ndata: [DONE]\n\n";
        let bytes = stream.as_bytes();
        let (whole, comments) = feed(&[bytes]);
        assert_eq!(comments, 1);
        assert_eq!(whole.len(), 3);
        assert_eq!(whole[0].event, "message_start");
        assert_eq!(whole[1].data, "h\u{e9}llo\nw");
        assert_eq!(whole[1].event, "message");
        assert_eq!(whole[2].data, "[DONE]");
        for cut in 1..bytes.len() {
            let (split, _) = feed(&[&bytes[..cut], &bytes[cut..]]);
            assert_eq!(split, whole, "cut at {cut}");
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(feed(&singles).0, whole);
    }

    #[test]
    fn a_last_event_without_blank_line_is_dispatched() {
        let (ev, _) = feed(&[b"data: {\"x\":1}"]);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].data, "{\"x\":1}");
    }

    #[test]
    fn ndjson_lines_split_across_chunks() {
        let mut lb = LineBuffer::default();
        assert!(lb.push(b"{\"a\":").is_empty());
        assert_eq!(lb.push(b"1}\n{\"b\""), vec!["{\"a\":1}"]);
        assert_eq!(lb.push(b":2}\r"), Vec::<String>::new());
        assert_eq!(lb.push(b"\n"), vec!["{\"b\":2}"]);
        assert_eq!(lb.finish(), None);
    }
}
