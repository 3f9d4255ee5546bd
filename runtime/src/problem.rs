//! [`Problem`]: one thing wrong with a message, and where — a JSON pointer (RFC 6901) into it.
//! An API function answers `400` with every problem of a request at once.

use serde::{Deserialize, Serialize};

/// One thing wrong with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where, as a JSON pointer into the message: `/items/0/qty` (`""` is the whole message).
    pub pointer: String,
    /// What is wrong, and what is expected.
    pub problem: String,
}

impl Problem {
    /// `problem` at `pointer`.
    pub fn new(pointer: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            problem: problem.into(),
        }
    }
}

/// The JSON pointer of `segments` (object members and array indexes), each escaped as RFC 6901
/// says (`~` → `~0`, `/` → `~1`).
///
/// ```
/// assert_eq!(runtime::problem::pointer(&["items", "0", "qty"]), "/items/0/qty");
/// assert_eq!(runtime::problem::pointer(&["a/b", "m~n"]), "/a~1b/m~0n");
/// assert_eq!(runtime::problem::pointer::<&str>(&[]), "");
/// ```
pub fn pointer<S: AsRef<str>>(segments: &[S]) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        out.push_str(&segment.as_ref().replace('~', "~0").replace('/', "~1"));
    }
    out
}
