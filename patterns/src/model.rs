//! A parsed pattern: objects of fields and `$or` groups, leaves of matchers.

use crate::cidr::Cidr;
use crate::number::Number;
use crate::wildcard::Wildcard;

/// An object of a pattern: every field must match, and in every `$or` group one branch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Object {
    pub(crate) fields: Vec<(String, Field)>,
    pub(crate) ors: Vec<Vec<Object>>,
}

/// A field of a pattern: a nested object, or a leaf (an array of matchers, any of which).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field {
    Object(Object),
    Leaf(Vec<Matcher>),
}

/// One element of a leaf array.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Matcher {
    String(String),
    Number(Number),
    Bool(bool),
    Null,
    Prefix(String),
    PrefixIgnoreCase(String),
    Suffix(String),
    SuffixIgnoreCase(String),
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    AnythingBut(AnythingBut),
    Numeric(Range),
    Exists(bool),
    Cidr(Cidr),
}

/// The forms of `anything-but`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AnythingBut {
    Strings(Vec<String>),
    Numbers(Vec<Number>),
    Prefixes(Vec<String>),
    Suffixes(Vec<String>),
    IgnoreCase(Vec<String>),
    Wildcards(Vec<Wildcard>),
}

/// A `numeric` condition: `= x`, or a lower and/or an upper bound.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Range {
    Equals(Number),
    Bounds {
        lower: Option<(Number, bool)>,
        upper: Option<(Number, bool)>,
    },
}
