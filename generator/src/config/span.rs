//! Positions in the source text: byte spans for rendering, line and column for people.

use serde::Serialize;

/// A byte range of the source, with the 1-based line and column (in characters) of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    #[serde(skip)]
    pub offset: usize,
    #[serde(skip)]
    pub len: usize,
    pub line: usize,
    pub column: usize,
}

impl Span {
    pub fn new(offset: usize, len: usize, line: usize, column: usize) -> Self {
        Self {
            offset,
            len,
            line,
            column,
        }
    }

    /// An empty span at a position.
    pub fn point(offset: usize, line: usize, column: usize) -> Self {
        Self::new(offset, 0, line, column)
    }

    /// The span from the start of `self` to the end of `other`.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        let end = (other.offset + other.len).max(self.offset + self.len);
        Span {
            len: end - self.offset,
            ..self
        }
    }

    /// Whichever of the two starts first.
    #[must_use]
    pub fn min(self, other: Span) -> Span {
        if other.offset < self.offset {
            other
        } else {
            self
        }
    }
}

/// Maps parser positions (line, character column) to byte offsets.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts, and whether the line is pure ASCII.
    lines: Vec<(usize, bool)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            lines.push((start, line.is_ascii()));
            start += line.len();
        }
        lines.push((start, true));
        Self { text, lines }
    }

    /// Byte offset of `line` (1-based) and `column` (0-based, in characters).
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&(start, ascii)) = self.lines.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let offset = if ascii {
            start + column
        } else {
            let rest = &self.text[start..];
            start
                + rest
                    .char_indices()
                    .nth(column)
                    .map_or(rest.len(), |(index, _)| index)
        };
        offset.min(self.text.len())
    }

    /// The span of the whole of `line` (1-based), without its line break.
    pub fn line_span(&self, line: usize) -> Span {
        let start = self.offset(line, 0);
        let text = &self.text[start..];
        let len = text.find(['\r', '\n']).unwrap_or(text.len());
        Span::new(start, len, line, 1)
    }
}
