//! Filters the templates use to emit Rust and TOML that need no further formatting.

use std::fmt::Write as _;

/// The widest line of generated Rust, as rustfmt's default `max_width`.
const MAX_WIDTH: usize = 100;

/// Re-flows `text` into `//!` lines of at most [`MAX_WIDTH`] columns, each ending in a newline.
/// Lines break between words, never inside a `` `code span` ``; a longer word gets a line of its
/// own. Whitespace collapses; a blank line starts a new paragraph, rendered as `//!`.
pub(super) fn doc_comment(text: &str) -> String {
    const PREFIX: &str = "//!";
    let mut lines: Vec<String> = Vec::new();
    for paragraph in paragraphs(text) {
        if !lines.is_empty() {
            lines.push(PREFIX.to_owned());
        }
        let mut line = String::from(PREFIX);
        for word in paragraph {
            if line.len() > PREFIX.len() && line.len() + 1 + word.len() > MAX_WIDTH {
                lines.push(std::mem::replace(&mut line, String::from(PREFIX)));
            }
            line.push(' ');
            line.push_str(&word);
        }
        lines.push(line);
    }
    let mut comment = String::new();
    for line in lines {
        comment.push_str(&line);
        comment.push('\n');
    }
    comment
}

/// The words of each paragraph of `text`; paragraphs are separated by blank lines, and the
/// words of a code span make one word.
fn paragraphs(text: &str) -> Vec<Vec<String>> {
    let mut paragraphs = vec![Vec::new()];
    let mut in_code_span = false;
    for line in text.lines() {
        let current: &mut Vec<String> = paragraphs.last_mut().expect("starts with one paragraph");
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(Vec::new());
            }
            in_code_span = false;
            continue;
        }
        for word in line.split_whitespace() {
            match current.last_mut() {
                Some(open) if in_code_span => {
                    open.push(' ');
                    open.push_str(word);
                }
                _ => current.push(word.to_owned()),
            }
            if word.matches('`').count() % 2 == 1 {
                in_code_span = !in_code_span;
            }
        }
    }
    paragraphs.retain(|paragraph| !paragraph.is_empty());
    paragraphs
}

/// `text` as a TOML basic string, quotes included.
pub(super) fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            control if control.is_control() => {
                write!(quoted, "\\u{:04X}", u32::from(control)).expect("writing to a String");
            }
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comment_wraps_at_100_columns_and_keeps_paragraphs() {
        #[track_caller]
        fn case(text: &str, expected: &str) {
            assert_eq!(doc_comment(text), expected);
        }
        case("one\n  two\n\n\nthree", "//! one two\n//!\n//! three\n");
        case("", "");
        let long = "word ".repeat(30);
        let wrapped = doc_comment(&long);
        assert!(
            wrapped.lines().all(|line| line.len() <= MAX_WIDTH),
            "{wrapped}"
        );
        assert_eq!(wrapped.lines().count(), 2);
        case(&"x".repeat(120), &format!("//! {}\n", "x".repeat(120)));
        let code = format!("{} run `gen\nsynth` now", "w ".repeat(46));
        let wrapped = doc_comment(&code);
        assert!(wrapped.ends_with("//! `gen synth` now\n"), "{wrapped}");
    }

    #[test]
    fn toml_string_escapes() {
        #[track_caller]
        fn case(text: &str, expected: &str) {
            assert_eq!(toml_string(text), expected);
        }
        case("lambda-task", r#""lambda-task""#);
        case(r#"a "b" \c"#, r#""a \"b\" \\c""#);
        case("line\nnext\u{7}", r#""line\nnext\u0007""#);
    }
}
