//! YAML text → a tree of nodes that remember where they came from.
//!
//! Built on `saphyr-parser`'s event stream so that every key and value keeps its byte span,
//! which the schema and semantic checks need to point at `file:line:col`. The tree is a
//! deliberately small subset of YAML: one document, string keys, no duplicate keys, aliases
//! expanded within a budget, nesting bounded.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use super::span::{LineIndex, Span};

/// Deepest nesting accepted; pipeline.yaml needs six levels, this leaves room and keeps
/// recursion over the tree shallow.
const MAX_DEPTH: usize = 64;
/// Upper bound on nodes after alias expansion (a guard against "billion laughs").
const MAX_NODES: usize = 200_000;

/// A YAML node with its position in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub span: Span,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// A scalar with its text as written; `plain` scalars are resolved to null, booleans and
    /// numbers by the YAML 1.2 core schema, quoted and block scalars are always strings.
    Scalar {
        text: String,
        plain: bool,
    },
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// Why the text is not a YAML document this tool can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    /// A second place worth showing, such as the first occurrence of a duplicate key.
    pub related: Option<(Span, String)>,
}

/// Parses `text` into one document tree.
pub(crate) fn parse(text: &str, lines: &LineIndex<'_>) -> Result<Node, Box<YamlError>> {
    let mut builder = Builder {
        lines,
        anchors: HashMap::new(),
        nodes: 0,
        documents: 0,
    };
    builder.run(text)
}

enum Frame {
    Sequence {
        start: Span,
        items: Vec<Node>,
        anchor: usize,
    },
    Mapping {
        start: Span,
        entries: Vec<Entry>,
        pending_key: Option<(String, Span)>,
        anchor: usize,
    },
}

struct Builder<'a> {
    lines: &'a LineIndex<'a>,
    /// Anchored nodes with their size in nodes, so aliases count what they expand to.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    documents: usize,
}

impl Builder<'_> {
    fn run(&mut self, text: &str) -> Result<Node, Box<YamlError>> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Node> = None;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|error| self.scan_error(&error))?;
            let event_kind = if matches!(event, Event::Alias(_)) {
                EventKind::Alias
            } else {
                EventKind::Other
            };
            let span = self.span(span.start, span.end);
            let node = match event {
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                    continue;
                }
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(error(
                            "multiple-documents",
                            "pipeline.yaml must hold exactly one YAML document".into(),
                            span,
                            "a second document starts here",
                            Some("remove the `---` separator and merge the documents into one"),
                        ));
                    }
                    continue;
                }
                Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                    if let Some(tag) = tag {
                        return Err(Self::tag_error(&tag.to_string(), span));
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(error(
                            "too-deep",
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                            span,
                            "this collection is nested too deeply",
                            Some("pipeline.yaml needs only a few levels; flatten the structure"),
                        ));
                    }
                    stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Sequence {
                            start: span,
                            items: Vec::new(),
                            anchor,
                        }
                    } else {
                        Frame::Mapping {
                            start: span,
                            entries: Vec::new(),
                            pending_key: None,
                            anchor,
                        }
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(stack.pop(), span)?,
                Event::Scalar(text, style, anchor, tag) => {
                    if let Some(tag) = tag {
                        return Err(Self::tag_error(&tag.to_string(), span));
                    }
                    let node = Node {
                        value: NodeValue::Scalar {
                            text: text.into_owned(),
                            plain: style == ScalarStyle::Plain,
                        },
                        span,
                    };
                    self.remember(anchor, &node);
                    node
                }
                Event::Alias(anchor) => self.alias(anchor, span)?,
            };
            if !matches!(event_kind, EventKind::Alias) {
                self.count(&node)?;
            }
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Sequence { items, .. }) => items.push(node),
                Some(Frame::Mapping {
                    entries,
                    pending_key,
                    ..
                }) => match pending_key.take() {
                    None => *pending_key = Some(Self::key(node, entries)?),
                    Some((key, key_span)) => entries.push(Entry {
                        key,
                        key_span,
                        value: node,
                    }),
                },
            }
        }
        Ok(root.unwrap_or(Node {
            value: NodeValue::Scalar {
                text: String::new(),
                plain: true,
            },
            span: Span::point(0, 1, 1),
        }))
    }

    fn close(&mut self, frame: Option<Frame>, end: Span) -> Result<Node, Box<YamlError>> {
        let node = match frame {
            Some(Frame::Sequence {
                start,
                items,
                anchor,
            }) => {
                let span = start.to(items.last().map_or(end, |last| last.span));
                let node = Node {
                    value: NodeValue::Sequence(items),
                    span,
                };
                self.remember(anchor, &node);
                node
            }
            Some(Frame::Mapping {
                start,
                entries,
                anchor,
                ..
            }) => {
                let span = entries
                    .first()
                    .map_or(start, |first| first.key_span.min(start));
                let span = span.to(entries.last().map_or(end, |last| last.value.span));
                let node = Node {
                    value: NodeValue::Mapping(entries),
                    span,
                };
                self.remember(anchor, &node);
                node
            }
            None => {
                return Err(error(
                    "yaml-syntax",
                    "unbalanced collection end".into(),
                    end,
                    "nothing is open here",
                    None,
                ));
            }
        };
        Ok(node)
    }

    fn key(node: Node, entries: &[Entry]) -> Result<(String, Span), Box<YamlError>> {
        let NodeValue::Scalar { text, .. } = node.value else {
            return Err(error(
                "complex-key",
                "mapping keys must be plain strings".into(),
                node.span,
                "this key is a collection",
                Some("write the key as a plain word, e.g. `task:`"),
            ));
        };
        if let Some(first) = entries.iter().find(|entry| entry.key == text) {
            let mut error = error(
                "duplicate-key",
                format!("duplicate key `{text}`"),
                node.span,
                "defined again here",
                Some("YAML keeps only one of them; remove or rename one"),
            );
            error.related = Some((first.key_span, "first defined here".into()));
            return Err(error);
        }
        Ok((text, node.span))
    }

    fn alias(&mut self, anchor: usize, span: Span) -> Result<Node, Box<YamlError>> {
        let Some((target, size)) = self.anchors.get(&anchor) else {
            return Err(error(
                "yaml-syntax",
                "unknown alias".into(),
                span,
                "no anchor of that name",
                None,
            ));
        };
        let size = *size;
        let mut node = target.clone();
        node.span = span;
        self.add(size, span)?;
        Ok(node)
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size(node)));
        }
    }

    /// Counts parsed scalars and collections (aliases count their whole expansion).
    fn count(&mut self, node: &Node) -> Result<(), Box<YamlError>> {
        self.add(1, node.span)
    }

    fn add(&mut self, nodes: usize, span: Span) -> Result<(), Box<YamlError>> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return Err(error(
                "too-large",
                format!("the document expands to more than {MAX_NODES} values"),
                span,
                "expansion passes the limit here",
                Some("aliases (`*name`) are expanded; use fewer of them or split the pipeline"),
            ));
        }
        Ok(())
    }

    fn span(&self, start: Marker, end: Marker) -> Span {
        let from = self.lines.offset(start.line(), start.col());
        let to = self.lines.offset(end.line(), end.col()).max(from);
        Span::new(from, to - from, start.line(), start.col() + 1)
    }

    fn scan_error(&self, problem: &saphyr_parser::ScanError) -> Box<YamlError> {
        let marker = *problem.marker();
        let span = self.span(marker, marker);
        let info = problem.info();
        let help = if info.contains("tab") {
            Some("YAML indentation must use spaces; replace the tab with spaces")
        } else {
            Some("check the indentation and quoting around this point")
        };
        error(
            "yaml-syntax",
            format!("invalid YAML: {info}"),
            span,
            "here",
            help,
        )
    }

    fn tag_error(tag: &str, span: Span) -> Box<YamlError> {
        error(
            "yaml-tag",
            format!("YAML tag `{tag}` is not supported"),
            span,
            "tagged value",
            Some("remove the tag; quote the value if it should be a string"),
        )
    }
}

enum EventKind {
    Alias,
    Other,
}

/// Nodes in a tree, itself included.
fn size(node: &Node) -> usize {
    1 + match &node.value {
        NodeValue::Scalar { .. } => 0,
        NodeValue::Sequence(items) => items.iter().map(size).sum(),
        NodeValue::Mapping(entries) => entries.iter().map(|entry| size(&entry.value)).sum(),
    }
}

fn error(
    code: &'static str,
    message: String,
    span: Span,
    label: &str,
    help: Option<&str>,
) -> Box<YamlError> {
    Box::new(YamlError {
        code,
        message,
        span,
        label: label.into(),
        help: help.map(Into::into),
        related: None,
    })
}
