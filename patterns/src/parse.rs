//! Parsing with AWS's rules. Every problem is collected with its path; parsing goes on after
//! a problem so one run reports them all.

use serde_json::{Map, Value};

use crate::cidr::Cidr;
use crate::error::{PathSegment, PatternError};
use crate::model::{AnythingBut, Field, Matcher, Object, Range};
use crate::number::{self, Number};
use crate::wildcard::Wildcard;

/// The operators of a leaf's match expressions (AWS's reserved names inside `$or`).
const OPERATORS: [&str; 8] = [
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
];

const OPERATOR_HELP: &str = "the operators are prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists and cidr, \
     each alone in its object, e.g. [{\"prefix\": \"order-\"}]";

/// Parses the root object; `None` when it is not an object.
pub(crate) fn root(pattern: &Value, errors: &mut Vec<PatternError>) -> Option<Object> {
    let Value::Object(map) = pattern else {
        errors.push(PatternError::new(
            &[],
            "Filter is not an object",
            "write the pattern as a JSON object of event fields, e.g. {\"source\": [\"orders\"], \"detail\": {\"total\": [{\"numeric\": [\">=\", 1000]}]}}",
        ));
        return None;
    };
    let mut path = Vec::new();
    Some(object(map, &mut path, false, errors))
}

fn object(
    map: &Map<String, Value>,
    path: &mut Vec<PathSegment>,
    inside_or: bool,
    errors: &mut Vec<PatternError>,
) -> Object {
    let mut parsed = Object {
        fields: Vec::new(),
        ors: Vec::new(),
    };
    if map.is_empty() {
        errors.push(PatternError::new(
            path,
            "Empty objects are not allowed",
            "give the object at least one field, or remove it",
        ));
    }
    for (key, value) in map {
        path.push(PathSegment::Key(key.clone()));
        if key == "$or" {
            if let Some(branches) = or(value, path, errors) {
                parsed.ors.push(branches);
            }
        } else {
            if inside_or && OPERATORS.contains(&key.as_str()) {
                errors.push(PatternError::new(
                    path,
                    format!("{key} is Ruler reserved fieldName which cannot be used inside $or."),
                    format!(
                        "each branch of `$or` is an object of event fields; put `{key}` in a field's array, e.g. {{\"field\": [{{\"{key}\": …}}]}}"
                    ),
                ));
            }
            match value {
                Value::Object(inner) => {
                    let inner = object(inner, path, inside_or, errors);
                    parsed.fields.push((key.clone(), Field::Object(inner)));
                }
                Value::Array(items) => {
                    let matchers = leaf(items, path, errors);
                    parsed.fields.push((key.clone(), Field::Leaf(matchers)));
                }
                _ => errors.push(PatternError::new(
                    path,
                    format!("\"{key}\" must be an object or an array"),
                    format!(
                        "a field's values are an array (any of them matches): write `\"{key}\": [{value}]`"
                    ),
                )),
            }
        }
        path.pop();
    }
    parsed
}

fn or(
    value: &Value,
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Option<Vec<Object>> {
    const SHAPE: &str = "`$or` takes an array of at least two objects, each a pattern of its own, e.g. \"$or\": [{\"total\": [{\"numeric\": [\">=\", 1000]}]}, {\"priority\": [\"high\"]}]";
    let Value::Array(items) = value else {
        errors.push(PatternError::new(
            path,
            "It must be an Array followed with $or.",
            SHAPE,
        ));
        return None;
    };
    let mut branches = Vec::new();
    for (index, item) in items.iter().enumerate() {
        path.push(PathSegment::Index(index));
        if let Value::Object(map) = item {
            branches.push(object(map, path, true, errors));
        } else {
            errors.push(PatternError::new(
                path,
                "Only JSON object is allowed in array of $or relationship.",
                SHAPE,
            ));
        }
        path.pop();
    }
    if items.len() < 2 {
        errors.push(PatternError::new(
            path,
            "There must have at least 2 Objects in $or relationship.",
            SHAPE,
        ));
    }
    Some(branches)
}

fn leaf(
    items: &[Value],
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Vec<Matcher> {
    if items.is_empty() {
        errors.push(PatternError::new(
            path,
            "Empty arrays are not allowed",
            "list at least one value (any of them matches), or remove the field",
        ));
    }
    let mut matchers = Vec::new();
    for (index, item) in items.iter().enumerate() {
        path.push(PathSegment::Index(index));
        let matcher = match item {
            Value::String(text) => Some(Matcher::String(text.clone())),
            Value::Number(number) => Some(Matcher::Number(Number::new(number))),
            Value::Bool(flag) => Some(Matcher::Bool(*flag)),
            Value::Null => Some(Matcher::Null),
            Value::Object(map) => expression(map, path, errors),
            Value::Array(_) => {
                errors.push(PatternError::new(
                    path,
                    "Match value must be String, number, true, false, or null",
                    "a field's array holds values and operator objects, not arrays: flatten the inner array into it",
                ));
                None
            }
        };
        matchers.extend(matcher);
        path.pop();
    }
    matchers
}

/// One operator object, e.g. `{"prefix": "order-"}`.
fn expression(
    map: &Map<String, Value>,
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Option<Matcher> {
    let mut entries = map.iter();
    let Some((name, argument)) = entries.next() else {
        errors.push(PatternError::new(
            path,
            "Match expression name not found",
            OPERATOR_HELP,
        ));
        return None;
    };
    if entries.next().is_some() {
        errors.push(PatternError::new(
            path,
            "Only one key allowed in match expression",
            "write each operator in its own object: [{\"prefix\": \"a\"}, {\"suffix\": \"b\"}] matches either",
        ));
        return None;
    }
    path.push(PathSegment::Key(name.clone()));
    let matcher = match name.as_str() {
        "prefix" | "suffix" => affix(name, argument, path, errors),
        "equals-ignore-case" => string_argument(
            argument,
            path,
            errors,
            "equals-ignore-case match pattern must be a string",
            "equals-ignore-case",
        )
        .map(Matcher::EqualsIgnoreCase),
        "wildcard" => string_argument(
            argument,
            path,
            errors,
            "wildcard match pattern must be a string",
            "wildcard",
        )
        .and_then(|text| wildcard(&text, path, errors))
        .map(Matcher::Wildcard),
        "anything-but" => anything_but(argument, path, errors).map(Matcher::AnythingBut),
        "numeric" => numeric(argument, path, errors).map(Matcher::Numeric),
        "exists" => {
            if let Value::Bool(flag) = argument {
                Some(Matcher::Exists(*flag))
            } else {
                errors.push(PatternError::new(
                    path,
                    "exists match pattern must be either true or false.",
                    "write {\"exists\": true} (the field is present) or {\"exists\": false} (it is absent)",
                ));
                None
            }
        }
        "cidr" => cidr(argument, path, errors).map(Matcher::Cidr),
        other => {
            errors.push(PatternError::new(
                path,
                format!("Unrecognized match type {other}"),
                OPERATOR_HELP,
            ));
            None
        }
    };
    path.pop();
    matcher
}

fn string_argument(
    argument: &Value,
    path: &[PathSegment],
    errors: &mut Vec<PatternError>,
    message: &str,
    operator: &str,
) -> Option<String> {
    if let Value::String(text) = argument {
        Some(text.clone())
    } else {
        errors.push(PatternError::new(
            path,
            message,
            format!("give `{operator}` one string, e.g. {{\"{operator}\": \"text\"}}"),
        ));
        None
    }
}

fn wildcard(text: &str, path: &[PathSegment], errors: &mut Vec<PatternError>) -> Option<Wildcard> {
    Wildcard::parse(text)
        .map_err(|message| {
            errors.push(PatternError::new(
                path,
                message,
                "`*` matches any run of characters, so `**` is one `*`; escape a literal star as `\\*` and a backslash as `\\\\`",
            ));
        })
        .ok()
}

/// `prefix` / `suffix`: a string, or `{"equals-ignore-case": string}`.
fn affix(
    name: &str,
    argument: &Value,
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Option<Matcher> {
    let prefix = name == "prefix";
    match argument {
        Value::String(text) => Some(if prefix {
            Matcher::Prefix(text.clone())
        } else {
            Matcher::Suffix(text.clone())
        }),
        Value::Object(map) => {
            let mut entries = map.iter();
            let Some((operator, value)) = entries.next() else {
                let what = if prefix { "Prefix" } else { "Suffix" };
                errors.push(PatternError::new(
                    path,
                    format!("{what} expression name not found"),
                    format!("write {{\"{name}\": \"text\"}} or {{\"{name}\": {{\"equals-ignore-case\": \"text\"}}}}"),
                ));
                return None;
            };
            if operator != "equals-ignore-case" {
                path.push(PathSegment::Key(operator.clone()));
                errors.push(PatternError::new(
                    path,
                    format!("Unsupported {name} pattern: {operator}"),
                    format!("inside `{name}` only `equals-ignore-case` is accepted: {{\"{name}\": {{\"equals-ignore-case\": \"text\"}}}}"),
                ));
                path.pop();
                return None;
            }
            if entries.next().is_some() {
                errors.push(PatternError::new(
                    path,
                    "Only one key allowed in match expression",
                    format!("write {{\"{name}\": {{\"equals-ignore-case\": \"text\"}}}} alone"),
                ));
                return None;
            }
            path.push(PathSegment::Key(operator.clone()));
            let text = string_argument(
                value,
                path,
                errors,
                "equals-ignore-case match pattern must be a string",
                "equals-ignore-case",
            );
            path.pop();
            let text = text?;
            Some(if prefix {
                Matcher::PrefixIgnoreCase(text)
            } else {
                Matcher::SuffixIgnoreCase(text)
            })
        }
        _ => {
            errors.push(PatternError::new(
                path,
                format!("{name} match pattern must be a string"),
                format!("write {{\"{name}\": \"text\"}} or {{\"{name}\": {{\"equals-ignore-case\": \"text\"}}}}"),
            ));
            None
        }
    }
}

fn anything_but(
    argument: &Value,
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Option<AnythingBut> {
    const HELP: &str = "`anything-but` takes a string, a number, a list of only strings or only numbers, or one of {\"prefix\": …}, {\"suffix\": …}, {\"equals-ignore-case\": …}, {\"wildcard\": …}";
    match argument {
        Value::String(text) => Some(AnythingBut::Strings(vec![text.clone()])),
        Value::Number(number) => Some(AnythingBut::Numbers(vec![Number::new(number)])),
        Value::Array(items) => anything_but_list(items, path, errors),
        Value::Object(map) => {
            let mut entries = map.iter();
            let Some((operator, value)) = entries.next() else {
                errors.push(PatternError::new(
                    path,
                    "Anything-But expression name not found",
                    HELP,
                ));
                return None;
            };
            if entries.next().is_some() {
                errors.push(PatternError::new(
                    path,
                    "Only one key allowed in match expression",
                    HELP,
                ));
                return None;
            }
            path.push(PathSegment::Key(operator.clone()));
            let parsed = anything_but_set(operator, value, path, errors);
            path.pop();
            parsed
        }
        Value::Bool(_) | Value::Null => {
            errors.push(PatternError::new(
                path,
                "Value of anything-but must be an array or single string/number value.",
                HELP,
            ));
            None
        }
    }
}

fn anything_but_list(
    items: &[Value],
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Option<AnythingBut> {
    let mut strings = Vec::new();
    let mut numbers = Vec::new();
    let mut valid = true;
    for (index, item) in items.iter().enumerate() {
        match item {
            Value::String(text) => strings.push(text.clone()),
            Value::Number(number) => numbers.push(Number::new(number)),
            _ => {
                path.push(PathSegment::Index(index));
                errors.push(PatternError::new(
                    path,
                    "Inside anything but list, start|null|boolean is not supported.",
                    "list only strings or only numbers; to exclude null or a boolean, match the values you want instead",
                ));
                path.pop();
                valid = false;
            }
        }
    }
    if !valid {
        return None;
    }
    match (strings.is_empty(), numbers.is_empty()) {
        (false, true) => Some(AnythingBut::Strings(strings)),
        (true, false) => Some(AnythingBut::Numbers(numbers)),
        _ => {
            errors.push(PatternError::new(
                path,
                "Inside anything but list, either all values are number or string, mixed type is not supported",
                "list at least one value, all strings or all numbers; use two rules (or `$or`) to exclude both kinds",
            ));
            None
        }
    }
}

/// `anything-but` with `prefix`, `suffix`, `equals-ignore-case` or `wildcard`: a string or a
/// list of strings.
fn anything_but_set(
    operator: &str,
    value: &Value,
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Option<AnythingBut> {
    let (non_string, help) = match operator {
        "prefix" | "suffix" => (
            "prefix/suffix match pattern must be a string",
            format!(
                "write {{\"anything-but\": {{\"{operator}\": \"text\"}}}} or a list of strings"
            ),
        ),
        "equals-ignore-case" => (
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
            "write {\"anything-but\": {\"equals-ignore-case\": \"text\"}} or a list of strings"
                .to_owned(),
        ),
        "wildcard" => (
            "wildcard match pattern must be a string",
            "write {\"anything-but\": {\"wildcard\": \"*/lib/*\"}} or a list of strings".to_owned(),
        ),
        other => {
            errors.push(PatternError::new(
                path,
                format!("Unsupported anything-but pattern: {other}"),
                "inside `anything-but` the operators are prefix, suffix, equals-ignore-case and wildcard",
            ));
            return None;
        }
    };
    let mut texts = Vec::new();
    let mut valid = true;
    let mut check = |item: &Value, path: &mut Vec<PathSegment>, errors: &mut Vec<PatternError>| {
        match item {
            Value::String(text) if text.is_empty() && matches!(operator, "prefix" | "suffix") => {
                errors.push(PatternError::new(
                path,
                "Null prefix/suffix not allowed",
                format!("an empty {operator} would exclude every string; give a non-empty {operator}"),
            ));
                valid = false;
            }
            Value::String(text) => texts.push(text.clone()),
            _ => {
                errors.push(PatternError::new(path, non_string, help.clone()));
                valid = false;
            }
        }
    };
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(PathSegment::Index(index));
                check(item, path, errors);
                path.pop();
            }
        }
        single => check(single, path, errors),
    }
    if !valid {
        return None;
    }
    if texts.is_empty() {
        errors.push(PatternError::new(
            path,
            "Empty arrays are not allowed",
            "list at least one string",
        ));
        return None;
    }
    Some(match operator {
        "prefix" => AnythingBut::Prefixes(texts),
        "suffix" => AnythingBut::Suffixes(texts),
        "equals-ignore-case" => AnythingBut::IgnoreCase(texts),
        _ => {
            let mut wildcards = Vec::new();
            for text in &texts {
                wildcards.extend(wildcard(text, path, errors));
            }
            if wildcards.len() != texts.len() {
                return None;
            }
            AnythingBut::Wildcards(wildcards)
        }
    })
}

fn numeric(
    argument: &Value,
    path: &mut Vec<PathSegment>,
    errors: &mut Vec<PatternError>,
) -> Option<Range> {
    const HELP: &str = "write [\"=\", 5], [\">\", 0], [\">=\", 0, \"<\", 10] (a lower bound, then an upper bound), [\"<\", 10] or [\"<=\", 10]";
    let Value::Array(items) = argument else {
        errors.push(PatternError::new(
            path,
            "Value of numeric must be an array.",
            HELP,
        ));
        return None;
    };
    let mut fail = |index: usize, message: String, errors: &mut Vec<PatternError>| {
        path.push(PathSegment::Index(index));
        errors.push(PatternError::new(path, message, HELP));
        path.pop();
        None
    };
    let operator = |index: usize| items.get(index).and_then(Value::as_str);
    let Some(first) = operator(0) else {
        let shown = items
            .first()
            .map_or_else(|| "]".to_owned(), ToString::to_string);
        return fail(
            0,
            format!("Invalid member in numeric match: {shown}"),
            errors,
        );
    };
    if !matches!(first, "=" | ">" | ">=" | "<" | "<=") {
        return fail(
            0,
            format!("Unrecognized numeric range operator: {first}"),
            errors,
        );
    }
    let bound = match numeric_value(items.get(1), first) {
        Ok(bound) => bound,
        Err(message) => return fail(1, message, errors),
    };
    let lower_operator = matches!(first, ">" | ">=");
    if items.len() > 2 && !lower_operator {
        return fail(
            2,
            "Too many elements in numeric expression".to_owned(),
            errors,
        );
    }
    match first {
        "=" => return Some(Range::Equals(bound)),
        "<" | "<=" => {
            return Some(Range::Bounds {
                lower: None,
                upper: Some((bound, first == "<=")),
            });
        }
        _ => {}
    }
    let lower = Some((bound, first == ">="));
    if items.len() == 2 {
        return Some(Range::Bounds { lower, upper: None });
    }
    let Some(second) = operator(2) else {
        return fail(
            2,
            format!("Bad value in numeric range: {}", items[2]),
            errors,
        );
    };
    if !matches!(second, "<" | "<=") {
        return fail(2, format!("Bad numeric range operator: {second}"), errors);
    }
    let top = match numeric_value(items.get(3), second) {
        Ok(top) => top,
        Err(message) => return fail(3, message, errors),
    };
    if items.len() > 4 {
        return fail(
            4,
            "Too many terms in numeric range expression".to_owned(),
            errors,
        );
    }
    if lower.as_ref().and_then(|(bottom, _)| bottom.comparable()) >= top.comparable() {
        return fail(3, "Bottom must be less than top".to_owned(), errors);
    }
    Some(Range::Bounds {
        lower,
        upper: Some((top, second == "<=")),
    })
}

fn numeric_value(value: Option<&Value>, operator: &str) -> Result<Number, String> {
    let Some(Value::Number(number)) = value else {
        return Err(format!("Value of {operator} must be numeric"));
    };
    if number::comparable(number).is_none() {
        return Err("Value must be between -5.0E9 and 5.0E9, inclusive".to_owned());
    }
    Ok(Number::new(number))
}

fn cidr(argument: &Value, path: &[PathSegment], errors: &mut Vec<PatternError>) -> Option<Cidr> {
    let Value::String(text) = argument else {
        errors.push(PatternError::new(
            path,
            "prefix match pattern must be a string",
            "`cidr` takes one string, an IPv4 or IPv6 block, e.g. {\"cidr\": \"10.0.0.0/24\"}",
        ));
        return None;
    };
    Cidr::parse(text)
        .map_err(|message| {
            errors.push(PatternError::new(
                path,
                message,
                "write an IPv4 or IPv6 block, e.g. {\"cidr\": \"10.0.0.0/24\"} or {\"cidr\": \"2001:db8::/32\"}",
            ));
        })
        .ok()
}
