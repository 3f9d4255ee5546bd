//! Condition, key-condition and filter expressions: a small hand parser (the grammar is a dozen
//! productions; no maintained crate parses DynamoDB's), with `#name` and `:value` substitutions
//! resolved while parsing, and their evaluation against an item.

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use super::error::DynamoError;
use super::path::{Element, Path};
use super::value::{Item, compare, equal, single, type_of};

/// DynamoDB's reserved words, which an expression must name through `#name` ("Reserved words in
/// DynamoDB", Amazon DynamoDB Developer Guide; the list as moto ships it, one a line).
const RESERVED_WORDS: &str = include_str!("reserved_words.txt");

/// Whether `word` is reserved (any case).
pub fn is_reserved(word: &str) -> bool {
    RESERVED_WORDS
        .lines()
        .any(|reserved| reserved.eq_ignore_ascii_case(word))
}

/// A token of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A name, keyword or function name.
    Word(String),
    /// `#name`, resolved.
    Name(String),
    /// `:value`, by placeholder (colon included).
    Placeholder(String),
    /// `= <> < <= > >= ( ) , + - . [ ]`.
    Symbol(&'static str),
}

/// An operand: a document path or a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// An attribute of the item, or a value inside one.
    Path(Path),
    /// An `ExpressionAttributeValues` value.
    Value(Value),
    /// `size(path)`: a string's length, a binary's bytes, a set's, list's or map's elements.
    Size(Path),
}

impl Operand {
    /// The operand's value for `item` (`None`: no item, no such attribute, or `size` of a type
    /// without one).
    pub fn value<'v>(&'v self, item: Option<&'v Item>) -> Option<Cow<'v, Value>> {
        match self {
            Self::Value(value) => Some(Cow::Borrowed(value)),
            Self::Path(path) => item.and_then(|item| path.get(item)).map(Cow::Borrowed),
            Self::Size(path) => item
                .and_then(|item| path.get(item))
                .and_then(size)
                .map(|size| Cow::Owned(json!({"N": size.to_string()}))),
        }
    }
}

/// What `size()` answers for `value`, as DynamoDB documents it ("Condition and filter
/// expressions, operators, and functions": String, Binary, sets, List and Map).
fn size(value: &Value) -> Option<usize> {
    match single(value)? {
        ("S", Value::String(text)) => Some(text.chars().count()),
        ("B", Value::String(_)) => match super::value::KeyValue::of(value, "B")? {
            super::value::KeyValue::Binary(bytes) => Some(bytes.len()),
            _ => None,
        },
        ("SS" | "NS" | "BS" | "L", Value::Array(members)) => Some(members.len()),
        ("M", Value::Object(members)) => Some(members.len()),
        _ => None,
    }
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `a = b`, `a < b`, ...
    Compare(Operand, &'static str, Operand),
    /// `a BETWEEN low AND high`.
    Between(Operand, Operand, Operand),
    /// `a IN (b, c)`.
    In(Operand, Vec<Operand>),
    /// `attribute_exists(path)`.
    Exists(Path),
    /// `attribute_not_exists(path)`.
    NotExists(Path),
    /// `attribute_type(path, :t)`.
    AttributeType(Path, Operand),
    /// `begins_with(a, b)`.
    BeginsWith(Operand, Operand),
    /// `contains(a, b)`.
    Contains(Operand, Operand),
    /// `NOT c`.
    Not(Box<Condition>),
    /// `a AND b`.
    And(Box<Condition>, Box<Condition>),
    /// `a OR b`.
    Or(Box<Condition>, Box<Condition>),
}

/// The substitutions an expression may use.
#[derive(Debug, Clone, Copy)]
pub struct Substitutions<'a> {
    /// `ExpressionAttributeNames`.
    pub names: Option<&'a Map<String, Value>>,
    /// `ExpressionAttributeValues`.
    pub values: Option<&'a Map<String, Value>>,
}

/// The head of an expression error before [`in_field`] names the parameter.
const UNFIELDED: &str = "Invalid expression: ";

fn invalid(expression: &str, why: &str) -> DynamoError {
    DynamoError::validation(format!("{UNFIELDED}{why}; expression: {expression}"))
}

/// Names the request parameter an expression error comes from, as DynamoDB does: `Invalid
/// ConditionExpression: …`.
pub fn in_field(field: &str) -> impl Fn(DynamoError) -> DynamoError + '_ {
    move |error| match error {
        DynamoError::Validation(message) => {
            DynamoError::Validation(match message.strip_prefix(UNFIELDED) {
                Some(rest) => format!("Invalid {field}: {rest}"),
                None => message,
            })
        }
        other => other,
    }
}

/// Splits `text` into tokens, resolving `#names` (values are resolved by the parser).
pub fn tokenize(text: &str, substitutions: Substitutions<'_>) -> Result<Vec<Token>, DynamoError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    while index < chars.len() {
        let c = chars[index];
        if c.is_whitespace() {
            index += 1;
            continue;
        }
        let two: String = chars[index..chars.len().min(index + 2)].iter().collect();
        if let Some(symbol) = ["<>", "<=", ">="].into_iter().find(|s| *s == two) {
            tokens.push(Token::Symbol(symbol));
            index += 2;
            continue;
        }
        if let Some(symbol) = ["=", "<", ">", "(", ")", ",", "+", "-", ".", "[", "]"]
            .into_iter()
            .find(|s| s.starts_with(c))
        {
            tokens.push(Token::Symbol(symbol));
            index += 1;
            continue;
        }
        if c == '#' || c == ':' || word_char(c) {
            let start = index;
            index += 1;
            while index < chars.len() && word_char(chars[index]) {
                index += 1;
            }
            let word: String = chars[start..index].iter().collect();
            tokens.push(match c {
                '#' => {
                    let name = substitutions
                        .names
                        .and_then(|names| names.get(&word))
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            DynamoError::validation(format!(
                                "{UNFIELDED}An expression attribute name used in the document path is not defined; attribute name: {word}"
                            ))
                        })?;
                    Token::Name(name.to_owned())
                }
                ':' => Token::Placeholder(word),
                _ => Token::Word(word),
            });
            continue;
        }
        return Err(invalid(text, &format!("Syntax error; token: \"{c}\"")));
    }
    Ok(tokens)
}

/// A cursor over tokens.
#[derive(Debug)]
pub struct Parser<'a> {
    tokens: Vec<Token>,
    position: usize,
    text: &'a str,
    substitutions: Substitutions<'a>,
}

impl<'a> Parser<'a> {
    /// A parser over `text`.
    pub fn new(text: &'a str, substitutions: Substitutions<'a>) -> Result<Self, DynamoError> {
        Ok(Self {
            tokens: tokenize(text, substitutions)?,
            position: 0,
            text,
            substitutions,
        })
    }

    /// The syntax error at the current token.
    pub fn error(&self) -> DynamoError {
        let token = match self.tokens.get(self.position) {
            Some(Token::Word(word) | Token::Name(word) | Token::Placeholder(word)) => word.clone(),
            Some(Token::Symbol(symbol)) => (*symbol).to_owned(),
            None => "<EOF>".to_owned(),
        };
        invalid(self.text, &format!("Syntax error; token: \"{token}\""))
    }

    /// The next token, if any.
    pub fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    /// Whether all tokens are consumed.
    pub fn done(&self) -> bool {
        self.position == self.tokens.len()
    }

    /// Takes the next token.
    pub fn take(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    /// Takes `symbol` if it is next.
    pub fn eat(&mut self, symbol: &str) -> bool {
        if matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    /// Takes the keyword `word` (any case) if it is next.
    pub fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word)) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    /// Requires `symbol` next.
    pub fn expect(&mut self, symbol: &str) -> Result<(), DynamoError> {
        if self.eat(symbol) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// A document path: a name (or `#name`), then `.name` and `[index]` steps.
    pub fn path(&mut self) -> Result<Path, DynamoError> {
        let mut path = Path::attribute(self.name()?);
        loop {
            if self.eat(".") {
                path.rest.push(Element::Name(self.name()?));
            } else if self.eat("[") {
                let index = match self.peek() {
                    Some(Token::Word(digits)) => digits.parse::<usize>().ok(),
                    _ => None,
                };
                let Some(index) = index else {
                    return Err(self.error());
                };
                self.position += 1;
                self.expect("]")?;
                path.rest.push(Element::Index(index));
            } else {
                return Ok(path);
            }
        }
    }

    /// One name of a path: a word that is not reserved, or a `#name`.
    fn name(&mut self) -> Result<String, DynamoError> {
        if let Some(Token::Word(word)) = self.peek()
            && is_reserved(word)
        {
            return Err(invalid(
                self.text,
                &format!("Attribute name is a reserved keyword; reserved keyword: {word}"),
            ));
        }
        match self.peek().cloned() {
            Some(Token::Word(word)) if !word.starts_with(|c: char| c.is_ascii_digit()) => {
                self.position += 1;
                Ok(word)
            }
            Some(Token::Name(name)) => {
                self.position += 1;
                Ok(name)
            }
            _ => Err(self.error()),
        }
    }

    /// A value placeholder, resolved.
    pub fn placeholder(&mut self, name: &str) -> Result<Value, DynamoError> {
        self.substitutions
            .values
            .and_then(|values| values.get(name))
            .cloned()
            .ok_or_else(|| {
                DynamoError::validation(format!(
                    "{UNFIELDED}An expression attribute value used in expression is not defined; attribute value: {name}"
                ))
            })
    }

    /// An operand: a path or a `:value`.
    pub fn operand(&mut self) -> Result<Operand, DynamoError> {
        if let Some(Token::Placeholder(name)) = self.peek().cloned() {
            self.position += 1;
            return self.placeholder(&name).map(Operand::Value);
        }
        self.path().map(Operand::Path)
    }

    /// An operand of a comparison: an operand, or `size(path)`.
    fn comparable(&mut self) -> Result<Operand, DynamoError> {
        if matches!(self.peek(), Some(Token::Word(word)) if word == "size")
            && matches!(self.tokens.get(self.position + 1), Some(Token::Symbol("(")))
        {
            self.position += 2;
            let path = self.path()?;
            self.expect(")")?;
            return Ok(Operand::Size(path));
        }
        self.operand()
    }

    /// A whole condition; every token must be used.
    pub fn condition(mut self) -> Result<Condition, DynamoError> {
        let condition = self.or()?;
        if self.done() {
            Ok(condition)
        } else {
            Err(self.error())
        }
    }

    fn or(&mut self) -> Result<Condition, DynamoError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            left = Condition::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Condition, DynamoError> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            left = Condition::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Condition, DynamoError> {
        if self.keyword("NOT") {
            return Ok(Condition::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, DynamoError> {
        if self.eat("(") {
            let inner = self.or()?;
            self.expect(")")?;
            return Ok(inner);
        }
        if let Some(Token::Word(word)) = self.peek().cloned()
            && word != "size"
            && matches!(self.tokens.get(self.position + 1), Some(Token::Symbol("(")))
        {
            self.position += 2;
            let condition = match word.as_str() {
                "attribute_exists" => Condition::Exists(self.path()?),
                "attribute_not_exists" => Condition::NotExists(self.path()?),
                "attribute_type" => {
                    let path = self.path()?;
                    self.expect(",")?;
                    Condition::AttributeType(path, self.operand()?)
                }
                "begins_with" | "contains" => {
                    let left = self.operand()?;
                    self.expect(",")?;
                    let right = self.operand()?;
                    if word == "contains" {
                        Condition::Contains(left, right)
                    } else {
                        Condition::BeginsWith(left, right)
                    }
                }
                _ => {
                    return Err(invalid(
                        self.text,
                        &format!("Invalid function name; function: {word}"),
                    ));
                }
            };
            self.expect(")")?;
            return Ok(condition);
        }
        let left = self.comparable()?;
        if self.keyword("BETWEEN") {
            let low = self.comparable()?;
            if !self.keyword("AND") {
                return Err(self.error());
            }
            return Ok(Condition::Between(left, low, self.comparable()?));
        }
        if self.keyword("IN") {
            self.expect("(")?;
            let mut list = vec![self.comparable()?];
            while self.eat(",") {
                list.push(self.comparable()?);
            }
            self.expect(")")?;
            return Ok(Condition::In(left, list));
        }
        let Some(Token::Symbol(comparator @ ("=" | "<>" | "<" | "<=" | ">" | ">="))) =
            self.peek().cloned()
        else {
            if matches!(left, Operand::Size(_)) {
                return Err(invalid(
                    self.text,
                    "The function is not allowed to be used this way in an expression; function: size",
                ));
            }
            return Err(self.error());
        };
        self.position += 1;
        Ok(Condition::Compare(left, comparator, self.comparable()?))
    }
}

/// Parses a `ProjectionExpression`: paths separated by commas.
pub fn parse_projection(
    text: &str,
    substitutions: Substitutions<'_>,
) -> Result<Vec<Path>, DynamoError> {
    let mut parser = Parser::new(text, substitutions)?;
    let mut paths = vec![parser.path()?];
    while parser.eat(",") {
        paths.push(parser.path()?);
    }
    if parser.done() {
        Ok(paths)
    } else {
        Err(parser.error())
    }
}

/// Parses a condition expression.
pub fn parse_condition(
    text: &str,
    substitutions: Substitutions<'_>,
) -> Result<Condition, DynamoError> {
    if text.trim().is_empty() {
        return Err(DynamoError::validation(
            "Invalid ConditionExpression: The expression can not be empty;",
        ));
    }
    Parser::new(text, substitutions)?.condition()
}

fn resolve<'v>(operand: &'v Operand, item: Option<&'v Item>) -> Option<Cow<'v, Value>> {
    operand.value(item)
}

impl Condition {
    /// Whether the condition holds for `item` (`None`: no item).
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let has = |path: &Path| item.is_some_and(|item| path.get(item).is_some());
        match self {
            Self::Exists(name) => has(name),
            Self::NotExists(name) => !has(name),
            Self::AttributeType(path, kind) => {
                let wanted = resolve(kind, item);
                let wanted = wanted
                    .as_deref()
                    .and_then(single)
                    .and_then(|(_, v)| v.as_str());
                item.and_then(|item| path.get(item))
                    .and_then(type_of)
                    .is_some_and(|actual| Some(actual) == wanted)
            }
            Self::Compare(left, comparator, right) => {
                let (left, right) = (resolve(left, item), resolve(right, item));
                let (Some(left), Some(right)) = (left.as_deref(), right.as_deref()) else {
                    return *comparator == "<>" && left.is_some() != right.is_some();
                };
                match *comparator {
                    "=" => equal(left, right),
                    "<>" => !equal(left, right),
                    other => compare(left, right).is_some_and(|ordering| match other {
                        "<" => ordering.is_lt(),
                        "<=" => ordering.is_le(),
                        ">" => ordering.is_gt(),
                        _ => ordering.is_ge(),
                    }),
                }
            }
            Self::Between(value, low, high) => {
                let (value, low, high) = (
                    resolve(value, item),
                    resolve(low, item),
                    resolve(high, item),
                );
                match (value.as_deref(), low.as_deref(), high.as_deref()) {
                    (Some(value), Some(low), Some(high)) => {
                        compare(value, low).is_some_and(std::cmp::Ordering::is_ge)
                            && compare(value, high).is_some_and(std::cmp::Ordering::is_le)
                    }
                    _ => false,
                }
            }
            Self::In(value, list) => resolve(value, item).is_some_and(|value| {
                list.iter().any(|member| {
                    resolve(member, item).is_some_and(|member| equal(&value, &member))
                })
            }),
            Self::BeginsWith(value, prefix) => {
                let (value, prefix) = (resolve(value, item), resolve(prefix, item));
                let (Some(value), Some(prefix)) = (value.as_deref(), prefix.as_deref()) else {
                    return false;
                };
                match (single(value), single(prefix)) {
                    (Some(("S", Value::String(text))), Some(("S", Value::String(start)))) => {
                        text.starts_with(start.as_str())
                    }
                    (Some(("B", Value::String(_))), Some(("B", Value::String(_)))) => {
                        use super::value::KeyValue;
                        match (KeyValue::of(value, "B"), KeyValue::of(prefix, "B")) {
                            (Some(KeyValue::Binary(bytes)), Some(KeyValue::Binary(start))) => {
                                bytes.starts_with(&start)
                            }
                            _ => false,
                        }
                    }
                    _ => false,
                }
            }
            Self::Contains(value, member) => {
                let (value, member) = (resolve(value, item), resolve(member, item));
                match (value.as_deref().and_then(single), member.as_deref()) {
                    (Some(("S", Value::String(text))), Some(member)) => {
                        single(member).is_some_and(|(tag, inner)| {
                            tag == "S" && inner.as_str().is_some_and(|part| text.contains(part))
                        })
                    }
                    (Some(("SS" | "NS" | "BS", Value::Array(members))), Some(member)) => {
                        single(member).is_some_and(|(_, inner)| members.contains(inner))
                    }
                    (Some(("L", Value::Array(members))), Some(member)) => {
                        members.iter().any(|candidate| equal(candidate, member))
                    }
                    _ => false,
                }
            }
            Self::Not(inner) => !inner.holds(item),
            Self::And(left, right) => left.holds(item) && right.holds(item),
            Self::Or(left, right) => left.holds(item) || right.holds(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn case(expression: &str, item: &Value, expected: bool) {
        let names = json!({"#s": "status"});
        let values =
            json!({":a": {"S": "new"}, ":n": {"N": "5"}, ":p": {"S": "ne"}, ":t": {"N": "10"}});
        let substitutions = Substitutions {
            names: names.as_object(),
            values: values.as_object(),
        };
        let condition = parse_condition(expression, substitutions).expect("parses");
        let item: Option<Item> = serde_json::from_value(item.clone()).ok();
        assert_eq!(condition.holds(item.as_ref()), expected, "{expression}");
    }

    #[test]
    fn conditions_hold_as_dynamodb_evaluates_them() {
        let item = json!({"status": {"S": "new"}, "qty": {"N": "7"}});
        case("attribute_exists(#s)", &item, true);
        case("attribute_not_exists(#s)", &Value::Null, true);
        case("#s = :a AND qty > :n", &item, true);
        case("#s <> :a OR qty < :n", &item, false);
        case("NOT (qty <= :n)", &item, true);
        case("begins_with(#s, :p)", &item, true);
        case("qty BETWEEN :n AND :t", &item, true);
        case("qty = :a", &item, false);
        case("absent < :n", &item, false);
        case("#s IN (:p, :a)", &item, true);
    }

    /// `size()` of a string counts characters, of a binary its bytes, of a set, list or map its
    /// members; of a number it has none, so the comparison is false.
    #[test]
    fn size_measures_strings_binaries_and_collections() {
        let item = json!({
            "greeting": {"S": "héllo"}, "payload": {"B": "AAEC"}, "labels": {"SS": ["a", "b"]},
            "entries": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}, {"N": "4"}, {"N": "5"}]},
            "details": {"M": {"a": {"N": "1"}}}, "qty": {"N": "7"}
        });
        case("size(greeting) = :n", &item, true);
        case("size(entries) = :n AND size(entries) < :t", &item, true);
        case("size(entries) BETWEEN :n AND :t", &item, true);
        case(
            "size(payload) < size(labels) OR size(details) > size(labels)",
            &item,
            false,
        );
        case("size(labels) < size(payload)", &item, true);
        case("size(qty) > :n OR size(qty) <= :n", &item, false);
        case("size(absent) > :n", &item, false);
        let none = Substitutions {
            names: None,
            values: None,
        };
        let error = parse_condition("size(greeting)", none).expect_err("size is not a condition");
        assert!(
            error.to_string().contains(
                "The function is not allowed to be used this way in an expression; function: size"
            ),
            "{error}"
        );
    }

    #[test]
    fn unknown_placeholders_and_bad_syntax_are_validation_errors() {
        let substitutions = Substitutions {
            names: None,
            values: None,
        };
        for expression in [
            "#x = a",
            "a = :b",
            "a = = b",
            "a AND",
            "nope(a)",
            "status = a",
        ] {
            let error = parse_condition(expression, substitutions).expect_err(expression);
            assert_eq!(error.shape(), "ValidationException", "{expression}");
        }
    }
}
