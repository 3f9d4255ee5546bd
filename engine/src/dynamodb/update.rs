//! Update expressions (`SET a = :v, b = b + :one REMOVE c ADD n :one, tags :set DELETE tags
//! :gone`), parsed with the condition parser's tokens and applied to an item.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::error::DynamoError;
use super::expression::{Operand, Parser, Substitutions, Token};
use super::path::{InvalidPath, Path};
use super::value::{Item, add_numbers, single};

/// A value computed by a `SET` action.
#[derive(Debug, Clone, PartialEq)]
enum Computed {
    Operand(Operand),
    IfNotExists(Path, Operand),
    ListAppend(Box<Computed>, Box<Computed>),
    Arithmetic(Box<Computed>, bool, Box<Computed>),
}

/// One action of an update expression.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Set(Path, Computed),
    Remove(Path),
    Add(Path, Value),
    Delete(Path, Value),
}

/// A parsed update expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    actions: Vec<Action>,
}

impl Update {
    /// Parses `text`.
    pub fn parse(text: &str, substitutions: Substitutions<'_>) -> Result<Self, DynamoError> {
        let mut parser = Parser::new(text, substitutions)?;
        let mut actions = Vec::new();
        let mut seen = BTreeSet::new();
        while !parser.done() {
            let clause = match parser.take() {
                Some(Token::Word(word)) => word.to_ascii_uppercase(),
                _ => return Err(parser.error()),
            };
            if !seen.insert(clause.clone()) {
                return Err(DynamoError::validation(format!(
                    "Invalid UpdateExpression: The \"{clause}\" section can only be used once in an update expression;"
                )));
            }
            loop {
                let path = parser.path()?;
                actions.push(match clause.as_str() {
                    "SET" => {
                        parser.expect("=")?;
                        Action::Set(path, computed(&mut parser)?)
                    }
                    "REMOVE" => Action::Remove(path),
                    "ADD" | "DELETE" => {
                        let Operand::Value(value) = parser.operand()? else {
                            return Err(parser.error());
                        };
                        if clause == "ADD" {
                            Action::Add(path, value)
                        } else {
                            Action::Delete(path, value)
                        }
                    }
                    _ => return Err(parser.error()),
                });
                if !parser.eat(",") {
                    break;
                }
            }
        }
        if actions.is_empty() {
            return Err(DynamoError::validation(
                "Invalid UpdateExpression: The expression can not be empty;",
            ));
        }
        for (index, action) in actions.iter().enumerate() {
            if let Some(other) = actions[..index]
                .iter()
                .find(|other| other.path().overlaps(action.path()))
            {
                return Err(DynamoError::validation(format!(
                    "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [{}], path two: [{}]",
                    other.path(),
                    action.path()
                )));
            }
        }
        Ok(Self { actions })
    }

    /// The document paths the update writes or removes.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.actions.iter().map(Action::path)
    }

    /// The document paths the update writes (`SET`, `ADD`, `DELETE`): what `UPDATED_NEW` answers.
    pub fn written(&self) -> impl Iterator<Item = &Path> {
        self.actions
            .iter()
            .filter(|action| !matches!(action, Action::Remove(_)))
            .map(Action::path)
    }

    /// Applies the update to `item` (the old item, or the key alone for a new one). Every
    /// operand reads the item as it was before the update; removals run last, from the
    /// highest list index down, so `REMOVE a[0], a[1]` removes the first two elements.
    pub fn apply(&self, item: &mut Item) -> Result<(), DynamoError> {
        let old = item.clone();
        let invalid = |InvalidPath| {
            DynamoError::validation(
                "The document path provided in the update expression is invalid for update",
            )
        };
        let mut removals = Vec::new();
        for action in &self.actions {
            match action {
                Action::Set(path, value) => {
                    path.set(item, evaluate(value, &old)?).map_err(invalid)?;
                }
                Action::Remove(path) => removals.push(path),
                Action::Add(path, value) => {
                    let added = add(path.get(&old), value)?;
                    path.set(item, added).map_err(invalid)?;
                }
                Action::Delete(path, value) => {
                    if let Some(remaining) = delete(path.get(&old), value)? {
                        path.set(item, remaining).map_err(invalid)?;
                    } else {
                        path.remove(item);
                    }
                }
            }
        }
        removals.sort_unstable_by(|a, b| b.cmp(a));
        for path in removals {
            path.remove(item);
        }
        Ok(())
    }
}

impl Action {
    fn path(&self) -> &Path {
        match self {
            Self::Set(path, _)
            | Self::Remove(path)
            | Self::Add(path, _)
            | Self::Delete(path, _) => path,
        }
    }
}

fn computed(parser: &mut Parser<'_>) -> Result<Computed, DynamoError> {
    let left = term(parser)?;
    for (symbol, subtract) in [("+", false), ("-", true)] {
        if parser.eat(symbol) {
            return Ok(Computed::Arithmetic(
                Box::new(left),
                subtract,
                Box::new(term(parser)?),
            ));
        }
    }
    Ok(left)
}

fn term(parser: &mut Parser<'_>) -> Result<Computed, DynamoError> {
    if let Some(Token::Word(word)) = parser.peek().cloned()
        && (word == "if_not_exists" || word == "list_append")
    {
        {
            parser.take();
            parser.expect("(")?;
            let result = if word == "if_not_exists" {
                let path = parser.path()?;
                parser.expect(",")?;
                Computed::IfNotExists(path, parser.operand()?)
            } else {
                let first = term(parser)?;
                parser.expect(",")?;
                Computed::ListAppend(Box::new(first), Box::new(term(parser)?))
            };
            parser.expect(")")?;
            return Ok(result);
        }
    }
    parser.operand().map(Computed::Operand)
}

fn missing(path: &str) -> DynamoError {
    DynamoError::validation(format!(
        "The provided expression refers to an attribute that does not exist in the item; path: {path}"
    ))
}

fn evaluate(value: &Computed, item: &Item) -> Result<Value, DynamoError> {
    match value {
        Computed::Operand(operand) => operand
            .value(Some(item))
            .map(std::borrow::Cow::into_owned)
            .ok_or_else(|| match operand {
                Operand::Path(path) | Operand::Size(path) => missing(&path.to_string()),
                Operand::Value(_) => missing(""),
            }),
        Computed::IfNotExists(path, fallback) => match path.get(item) {
            Some(value) => Ok(value.clone()),
            None => evaluate(&Computed::Operand(fallback.clone()), item),
        },
        Computed::ListAppend(first, second) => {
            let (first, second) = (evaluate(first, item)?, evaluate(second, item)?);
            match (single(&first), single(&second)) {
                (Some(("L", Value::Array(a))), Some(("L", Value::Array(b)))) => {
                    Ok(json!({"L": a.iter().chain(b).cloned().collect::<Vec<_>>()}))
                }
                _ => Err(DynamoError::validation(
                    "An operand in the update expression has an incorrect data type",
                )),
            }
        }
        Computed::Arithmetic(left, subtract, right) => {
            let (left, right) = (evaluate(left, item)?, evaluate(right, item)?);
            match (single(&left), single(&right)) {
                (Some(("N", Value::String(a))), Some(("N", Value::String(b)))) => {
                    add_numbers(a, b, *subtract)
                        .map(|sum| json!({"N": sum}))
                        .ok_or_else(|| DynamoError::validation("Number overflow"))
                }
                _ => Err(DynamoError::validation(
                    "An operand in the update expression has an incorrect data type",
                )),
            }
        }
    }
}

fn wrong_type() -> DynamoError {
    DynamoError::validation("An operand in the update expression has an incorrect data type")
}

fn add(old: Option<&Value>, value: &Value) -> Result<Value, DynamoError> {
    match (old.and_then(single), single(value)) {
        (None, Some(("N" | "SS" | "NS" | "BS", _))) => Ok(value.clone()),
        (Some(("N", Value::String(a))), Some(("N", Value::String(b)))) => add_numbers(a, b, false)
            .map(|sum| json!({"N": sum}))
            .ok_or_else(|| DynamoError::validation("Number overflow")),
        (Some((kind, Value::Array(members))), Some((added, Value::Array(more))))
            if kind == added && matches!(kind, "SS" | "NS" | "BS") =>
        {
            let mut union = members.clone();
            union.extend(more.iter().filter(|m| !members.contains(m)).cloned());
            Ok(json!({ kind: union }))
        }
        _ => Err(wrong_type()),
    }
}

fn delete(old: Option<&Value>, value: &Value) -> Result<Option<Value>, DynamoError> {
    match (old.and_then(single), single(value)) {
        (None, Some(("SS" | "NS" | "BS", _))) => Ok(None),
        (Some((kind, Value::Array(members))), Some((removed, Value::Array(gone))))
            if kind == removed && matches!(kind, "SS" | "NS" | "BS") =>
        {
            let left: Vec<Value> = members
                .iter()
                .filter(|m| !gone.contains(m))
                .cloned()
                .collect();
            Ok((!left.is_empty()).then(|| json!({ kind: left })))
        }
        _ => Err(wrong_type()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_remove_add_and_delete_apply_in_one_update() {
        let names = json!({"#c": "count"});
        let values = json!({":one": {"N": "1"}, ":s": {"S": "x"}, ":tags": {"SS": ["b", "c"]}, ":l": {"L": [{"S": "z"}]}});
        let update = Update::parse(
            "SET #c = #c + :one, label = if_not_exists(label, :s), events = list_append(events, :l) REMOVE gone ADD tags :tags, added :one",
            Substitutions { names: names.as_object(), values: values.as_object() },
        )
        .expect("parses");
        let mut item: Item = serde_json::from_value(json!({
            "count": {"N": "41"}, "gone": {"S": "g"}, "tags": {"SS": ["a", "b"]}, "events": {"L": []}
        }))
        .expect("an item");
        update.apply(&mut item).expect("applies");
        let expected: Item = serde_json::from_value(json!({
            "count": {"N": "42"}, "label": {"S": "x"}, "tags": {"SS": ["a", "b", "c"]},
            "events": {"L": [{"S": "z"}]}, "added": {"N": "1"}
        }))
        .expect("an item");
        assert_eq!(item, expected);
    }

    #[test]
    fn overlapping_paths_and_repeated_clauses_are_refused() {
        let values = json!({":v": {"N": "1"}});
        let substitutions = Substitutions {
            names: None,
            values: values.as_object(),
        };
        for text in [
            "SET a = :v, a = :v",
            "SET a = :v SET b = :v",
            "REMOVE a ADD a :v",
            "",
        ] {
            assert!(Update::parse(text, substitutions).is_err(), "{text}");
        }
    }
}
