//! Document paths (`a.b[0].c`): reading, writing and removing the value one names inside an
//! item, and projecting an item onto a set of paths (`ProjectionExpression`, `UPDATED_NEW`).

use std::fmt;

use serde_json::{Map, Value, json};

use super::value::{Item, single};

/// One step of a document path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Element {
    /// A map member (or, first, a top-level attribute).
    Name(String),
    /// A list element.
    Index(usize),
}

/// A document path: a top-level attribute name, then map members and list indexes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path {
    /// The top-level attribute.
    pub attribute: String,
    /// The steps below it.
    pub rest: Vec<Element>,
}

impl fmt::Display for Path {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.attribute)?;
        for element in &self.rest {
            match element {
                Element::Name(name) => write!(formatter, ".{name}")?,
                Element::Index(index) => write!(formatter, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Why a write through a path failed: DynamoDB's "document path … invalid for update".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidPath;

impl Path {
    /// A top-level attribute.
    pub fn attribute(name: impl Into<String>) -> Self {
        Self {
            attribute: name.into(),
            rest: Vec::new(),
        }
    }

    /// Whether this is exactly the top-level attribute `name`.
    pub fn is_attribute(&self, name: &str) -> bool {
        self.rest.is_empty() && self.attribute == name
    }

    /// Whether one path is the other or lies inside it (DynamoDB refuses such pairs in one
    /// update: "Two document paths overlap").
    pub fn overlaps(&self, other: &Self) -> bool {
        self.attribute == other.attribute
            && self
                .rest
                .iter()
                .zip(&other.rest)
                .all(|(mine, theirs)| mine == theirs)
    }

    /// The value the path names in `item`, if there is one.
    pub fn get<'v>(&self, item: &'v Item) -> Option<&'v Value> {
        self.rest
            .iter()
            .try_fold(item.get(&self.attribute)?, |value, element| {
                child(value, element)
            })
    }

    /// Writes `value` at the path. The parent must exist and be a map (for a name) or a list
    /// (for an index); an index past the end appends, as DynamoDB does.
    pub fn set(&self, item: &mut Item, value: Value) -> Result<(), InvalidPath> {
        let Some((last, parents)) = self.rest.split_last() else {
            item.insert(self.attribute.clone(), value);
            return Ok(());
        };
        let mut parent = item.get_mut(&self.attribute).ok_or(InvalidPath)?;
        for element in parents {
            parent = child_mut(parent, element).ok_or(InvalidPath)?;
        }
        match (last, parent.as_object_mut().and_then(only_mut)) {
            (Element::Name(name), Some(("M", Value::Object(members)))) => {
                members.insert(name.clone(), value);
                Ok(())
            }
            (Element::Index(index), Some(("L", Value::Array(members)))) => {
                if *index < members.len() {
                    members[*index] = value;
                } else {
                    members.push(value);
                }
                Ok(())
            }
            _ => Err(InvalidPath),
        }
    }

    /// Removes what the path names, if it is there (a list closes the gap).
    pub fn remove(&self, item: &mut Item) {
        let Some((last, parents)) = self.rest.split_last() else {
            item.remove(&self.attribute);
            return;
        };
        let Some(mut parent) = item.get_mut(&self.attribute) else {
            return;
        };
        for element in parents {
            let Some(next) = child_mut(parent, element) else {
                return;
            };
            parent = next;
        }
        match (last, parent.as_object_mut().and_then(only_mut)) {
            (Element::Name(name), Some(("M", Value::Object(members)))) => {
                members.remove(name);
            }
            (Element::Index(index), Some(("L", Value::Array(members))))
                if *index < members.len() =>
            {
                members.remove(*index);
            }
            _ => {}
        }
    }
}

fn child<'v>(value: &'v Value, element: &Element) -> Option<&'v Value> {
    match (single(value)?, element) {
        (("M", Value::Object(members)), Element::Name(name)) => members.get(name),
        (("L", Value::Array(members)), Element::Index(index)) => members.get(*index),
        _ => None,
    }
}

fn only_mut(object: &mut Map<String, Value>) -> Option<(&str, &mut Value)> {
    if object.len() != 1 {
        return None;
    }
    object
        .iter_mut()
        .next()
        .map(|(tag, inner)| (tag.as_str(), inner))
}

fn child_mut<'v>(value: &'v mut Value, element: &Element) -> Option<&'v mut Value> {
    match (value.as_object_mut().and_then(only_mut)?, element) {
        (("M", Value::Object(members)), Element::Name(name)) => members.get_mut(name),
        (("L", Value::Array(members)), Element::Index(index)) => members.get_mut(*index),
        _ => None,
    }
}

/// The parts of `item` the paths name, nested as in the item: a map keeps the members named,
/// a list the elements named, in index order (so `a[2]` alone comes back as a one-element
/// list), as DynamoDB projects.
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut projected = Item::new();
    for (name, value) in item {
        let below: Vec<&[Element]> = paths
            .iter()
            .filter(|path| path.attribute == *name)
            .map(|path| path.rest.as_slice())
            .collect();
        if let Some(kept) = project_value(value, &below) {
            projected.insert(name.clone(), kept);
        }
    }
    projected
}

fn project_value(value: &Value, paths: &[&[Element]]) -> Option<Value> {
    if paths.is_empty() {
        return None;
    }
    if paths.iter().any(|path| path.is_empty()) {
        return Some(value.clone());
    }
    let below = |wanted: &Element| -> Vec<&[Element]> {
        paths
            .iter()
            .filter(|path| path[0] == *wanted)
            .map(|path| &path[1..])
            .collect()
    };
    match single(value)? {
        ("M", Value::Object(members)) => {
            let kept: Map<String, Value> = members
                .iter()
                .filter_map(|(name, member)| {
                    let kept = project_value(member, &below(&Element::Name(name.clone())))?;
                    Some((name.clone(), kept))
                })
                .collect();
            (!kept.is_empty()).then(|| json!({"M": kept}))
        }
        ("L", Value::Array(members)) => {
            let kept: Vec<Value> = members
                .iter()
                .enumerate()
                .filter_map(|(index, member)| project_value(member, &below(&Element::Index(index))))
                .collect();
            (!kept.is_empty()).then(|| json!({"L": kept}))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(attribute: &str, rest: &[Element]) -> Path {
        Path {
            attribute: attribute.into(),
            rest: rest.to_vec(),
        }
    }

    fn item(value: Value) -> Item {
        serde_json::from_value(value).expect("an item")
    }

    #[test]
    fn nested_paths_read_write_remove_and_project() {
        use Element::{Index, Name};
        let mut order = item(json!({
            "customer": {"M": {"name": {"S": "Ada"}, "tags": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}}},
            "total": {"N": "5"}
        }));
        let tag = path("customer", &[Name("tags".into()), Index(1)]);
        assert_eq!(tag.to_string(), "customer.tags[1]");
        assert_eq!(tag.get(&order), Some(&json!({"S": "b"})));
        tag.set(&mut order, json!({"S": "B"})).expect("sets");
        path("customer", &[Name("tags".into()), Index(9)])
            .set(&mut order, json!({"S": "d"}))
            .expect("appends");
        assert_eq!(
            path("customer", &[Name("zip".into()), Name("x".into())])
                .set(&mut order, json!({"S": "x"})),
            Err(InvalidPath)
        );
        path("customer", &[Name("tags".into()), Index(0)]).remove(&mut order);
        assert_eq!(
            project(
                &order,
                &[
                    path("customer", &[Name("tags".into()), Index(2)]),
                    path("total", &[]),
                    path("absent", &[Name("x".into())]),
                ]
            ),
            item(json!({"customer": {"M": {"tags": {"L": [{"S": "d"}]}}}, "total": {"N": "5"}}))
        );
        // Two elements of one list: both, in index order.
        assert_eq!(
            project(
                &order,
                &[
                    path("customer", &[Name("tags".into()), Index(2)]),
                    path("customer", &[Name("tags".into()), Index(0)]),
                ]
            ),
            item(json!({"customer": {"M": {"tags": {"L": [{"S": "B"}, {"S": "d"}]}}}}))
        );
        assert!(path("a", &[Name("b".into())]).overlaps(&path("a", &[])));
        assert!(!path("a", &[Index(0)]).overlaps(&path("a", &[Index(1)])));
    }
}
