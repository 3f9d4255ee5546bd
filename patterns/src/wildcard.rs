//! `wildcard`: `*` matches any run of characters (also none); `\*` is a star and `\\` a
//! backslash. AWS refuses consecutive `*` and any other escape.

use std::fmt;

/// A checked wildcard pattern, split at its stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wildcard {
    /// The literal runs between stars; a pattern with `n` stars has `n + 1` runs.
    runs: Vec<String>,
    text: String,
}

impl Wildcard {
    /// Checks and splits `text`; the error is AWS's.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut runs = vec![String::new()];
        let mut previous_star = false;
        let mut characters = text.chars().enumerate();
        while let Some((position, character)) = characters.next() {
            match character {
                '*' => {
                    if previous_star {
                        return Err(format!("Consecutive wildcard characters at pos {position}"));
                    }
                    previous_star = true;
                    runs.push(String::new());
                }
                '\\' => {
                    previous_star = false;
                    match characters.next() {
                        Some((_, escaped @ ('*' | '\\'))) => {
                            runs.last_mut().expect("one run at least").push(escaped);
                        }
                        _ => return Err(format!("Invalid escape character at pos {position}")),
                    }
                }
                other => {
                    previous_star = false;
                    runs.last_mut().expect("one run at least").push(other);
                }
            }
        }
        Ok(Self {
            runs,
            text: text.to_owned(),
        })
    }

    /// Whether `value` matches.
    pub(crate) fn matches(&self, value: &str) -> bool {
        let (first, rest) = self.runs.split_first().expect("one run at least");
        let Some(mut remaining) = value.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return remaining.is_empty();
        };
        for run in middle {
            match remaining.find(run.as_str()) {
                Some(at) => remaining = &remaining[at + run.len()..],
                None => return false,
            }
        }
        remaining.ends_with(last.as_str())
    }
}

impl fmt::Display for Wildcard {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}
