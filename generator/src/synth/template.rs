//! A typed CloudFormation template: parameters, conditions, resources and outputs whose values
//! are [`Expr`]essions — literals or intrinsic functions — serialised deterministically (maps
//! are ordered, so the same pipeline always gives byte-identical JSON).

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// A value in a template: a literal, or an intrinsic function.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<Expr>),
    Map(BTreeMap<String, Expr>),
    /// `{"Ref": name}`: a parameter's value or a resource's primary id.
    Ref(String),
    /// `{"Fn::GetAtt": [resource, attribute]}`.
    GetAtt(String, String),
    /// `{"Fn::Sub": "text ${Name}"}`.
    Sub(String),
    /// `{"Fn::Join": [separator, parts]}`.
    Join(String, Vec<Expr>),
    /// `{"Fn::If": [condition, then, else]}`.
    If(String, Box<Expr>, Box<Expr>),
    /// `{"Fn::Equals": [a, b]}` (conditions only).
    Equals(Box<Expr>, Box<Expr>),
    /// `{"Fn::Not": [condition]}` (conditions only).
    Not(Box<Expr>),
    /// A JSON literal as written, floats and nulls included (an event pattern).
    Json(serde_json::Value),
}

impl Expr {
    pub fn str(text: impl Into<String>) -> Self {
        Expr::Str(text.into())
    }

    pub fn reference(name: impl Into<String>) -> Self {
        Expr::Ref(name.into())
    }

    pub fn get_att(resource: impl Into<String>, attribute: impl Into<String>) -> Self {
        Expr::GetAtt(resource.into(), attribute.into())
    }

    pub fn sub(text: impl Into<String>) -> Self {
        Expr::Sub(text.into())
    }

    /// `AWS::NoValue`: removes the property it is assigned to.
    pub fn no_value() -> Self {
        Expr::Ref("AWS::NoValue".to_owned())
    }

    pub fn list(items: impl IntoIterator<Item = Expr>) -> Self {
        Expr::List(items.into_iter().collect())
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Expr)>) -> Self {
        Expr::Map(
            entries
                .into_iter()
                .map(|(key, value)| (key.into(), value))
                .collect(),
        )
    }

    /// The logical IDs this expression refers to (by `Ref`, `GetAtt` or `${Name}` in `Sub`).
    pub fn references(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_references(&mut out);
        out
    }

    fn collect_references(&self, out: &mut Vec<String>) {
        match self {
            Expr::Ref(name) | Expr::GetAtt(name, _) => out.push(name.clone()),
            Expr::Sub(text) => {
                for piece in text.split("${").skip(1) {
                    if let Some(name) = piece.split('}').next() {
                        out.push(name.split('.').next().unwrap_or(name).to_owned());
                    }
                }
            }
            Expr::List(items) | Expr::Join(_, items) => {
                for item in items {
                    item.collect_references(out);
                }
            }
            Expr::Map(entries) => {
                for value in entries.values() {
                    value.collect_references(out);
                }
            }
            Expr::If(_, then, otherwise) | Expr::Equals(then, otherwise) => {
                then.collect_references(out);
                otherwise.collect_references(out);
            }
            Expr::Not(inner) => inner.collect_references(out),
            Expr::Str(_) | Expr::Int(_) | Expr::Bool(_) | Expr::Json(_) => {}
        }
    }
}

impl From<&str> for Expr {
    fn from(text: &str) -> Self {
        Expr::Str(text.to_owned())
    }
}

impl From<String> for Expr {
    fn from(text: String) -> Self {
        Expr::Str(text)
    }
}

impl From<u32> for Expr {
    fn from(value: u32) -> Self {
        Expr::Int(i64::from(value))
    }
}

impl From<u64> for Expr {
    fn from(value: u64) -> Self {
        Expr::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<bool> for Expr {
    fn from(value: bool) -> Self {
        Expr::Bool(value)
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn single<S: Serializer, V: Serialize + ?Sized>(
            serializer: S,
            key: &str,
            value: &V,
        ) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(key, value)?;
            map.end()
        }
        match self {
            Expr::Str(text) => serializer.serialize_str(text),
            Expr::Int(value) => serializer.serialize_i64(*value),
            Expr::Bool(value) => serializer.serialize_bool(*value),
            Expr::List(items) => items.serialize(serializer),
            Expr::Map(entries) => entries.serialize(serializer),
            Expr::Ref(name) => single(serializer, "Ref", name),
            Expr::GetAtt(resource, attribute) => {
                single(serializer, "Fn::GetAtt", &[resource, attribute])
            }
            Expr::Sub(text) => single(serializer, "Fn::Sub", text),
            Expr::Join(separator, parts) => single(serializer, "Fn::Join", &(separator, parts)),
            Expr::If(condition, then, otherwise) => single(
                serializer,
                "Fn::If",
                &(condition, then.as_ref(), otherwise.as_ref()),
            ),
            Expr::Equals(left, right) => {
                single(serializer, "Fn::Equals", &(left.as_ref(), right.as_ref()))
            }
            Expr::Not(inner) => single(serializer, "Fn::Not", &[inner.as_ref()]),
            Expr::Json(value) => value.serialize(serializer),
        }
    }
}

/// A template parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    #[serde(rename = "Type")]
    pub kind: &'static str,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
}

impl Parameter {
    /// A `String` parameter.
    pub fn string(description: impl Into<String>) -> Self {
        Self {
            kind: "String",
            description: description.into(),
            default: None,
            allowed_pattern: None,
            allowed_values: Vec::new(),
            max_length: None,
            constraint_description: None,
        }
    }

    #[must_use]
    pub fn default(mut self, value: impl Into<String>) -> Self {
        self.default = Some(value.into());
        self
    }
}

/// A resource: its type, properties and options.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    #[serde(rename = "Type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_replace_policy: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Expr>,
    pub properties: BTreeMap<String, Expr>,
}

impl Resource {
    pub fn new<K: Into<String>>(
        kind: &'static str,
        properties: impl IntoIterator<Item = (K, Expr)>,
    ) -> Self {
        Self {
            kind,
            condition: None,
            depends_on: Vec::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
            properties: properties
                .into_iter()
                .map(|(key, value)| (key.into(), value))
                .collect(),
        }
    }

    #[must_use]
    pub fn depends_on(mut self, logical_id: impl Into<String>) -> Self {
        self.depends_on.push(logical_id.into());
        self
    }

    /// Declares checkov checks that do not apply, each with the reason a reviewer would read
    /// (written in `synth/suppressions.rs`).
    #[must_use]
    pub fn skip_checks(self, checks: &[(&str, &str)]) -> Self {
        if checks.is_empty() {
            return self;
        }
        let skips = checks.iter().map(|(id, comment)| {
            Expr::map([("id", Expr::str(*id)), ("comment", Expr::str(*comment))])
        });
        self.with_metadata("checkov", Expr::map([("skip", Expr::list(skips))]))
    }

    /// States why a policy needs wildcard resources, as cdk-nag's AwsSolutions-IAM5 reads it
    /// (`cdk_nag.rules_to_suppress`): each `(applies_to, reason)`.
    #[must_use]
    pub fn wildcard_evidence(self, evidence: &[(String, String)]) -> Self {
        if evidence.is_empty() {
            return self;
        }
        let rules = evidence.iter().map(|(applies_to, reason)| {
            Expr::map([
                ("id", Expr::str("AwsSolutions-IAM5")),
                ("reason", Expr::str(reason.clone())),
                ("applies_to", Expr::list([Expr::str(applies_to.clone())])),
            ])
        });
        self.with_metadata(
            "cdk_nag",
            Expr::map([("rules_to_suppress", Expr::list(rules))]),
        )
    }

    /// Acknowledges cdk-nag findings on the whole resource, each with the reason a reviewer
    /// reads (`cdk_nag.rules_to_suppress`, as [`Self::wildcard_evidence`]).
    #[must_use]
    pub fn acknowledge_nag(self, rules: &[(&str, &str)]) -> Self {
        let mut entries = match self.metadata.as_ref().and_then(|metadata| match metadata {
            Expr::Map(map) => map.get("cdk_nag"),
            _ => None,
        }) {
            Some(Expr::Map(nag)) => match nag.get("rules_to_suppress") {
                Some(Expr::List(list)) => list.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        entries.extend(rules.iter().map(|(id, reason)| {
            Expr::map([("id", Expr::str(*id)), ("reason", Expr::str(*reason))])
        }));
        self.with_metadata(
            "cdk_nag",
            Expr::map([("rules_to_suppress", Expr::List(entries))]),
        )
    }

    fn with_metadata(mut self, key: &str, value: Expr) -> Self {
        let mut entries = match self.metadata.take() {
            Some(Expr::Map(entries)) => entries,
            _ => BTreeMap::new(),
        };
        entries.insert(key.to_owned(), value);
        self.metadata = Some(Expr::Map(entries));
        self
    }
}

/// A stack output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub description: String,
    pub value: Expr,
}

/// A whole template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub format_version: &'static str,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "Parameters")]
    pub parameters: BTreeMap<String, Parameter>,
    #[serde(rename = "Conditions", skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: BTreeMap<String, Expr>,
    #[serde(rename = "Resources")]
    pub resources: BTreeMap<String, Resource>,
    #[serde(rename = "Outputs")]
    pub outputs: BTreeMap<String, Output>,
}

impl Template {
    /// Pretty JSON with a trailing newline: what `generated/template.json` holds.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a template is plain data");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsics_serialise_as_cloudformation_expects() {
        let value = Expr::map([
            ("ref", Expr::reference("Stage")),
            ("att", Expr::get_att("TaskQueue", "Arn")),
            ("sub", Expr::sub("orders-${Stage}")),
            (
                "join",
                Expr::Join(",".into(), vec![Expr::str("a"), Expr::Int(1)]),
            ),
            (
                "if",
                Expr::If(
                    "HasTopic".into(),
                    Box::new(Expr::Bool(true)),
                    Box::new(Expr::no_value()),
                ),
            ),
            (
                "not",
                Expr::Not(Box::new(Expr::Equals(
                    Box::new(Expr::reference("A")),
                    Box::new(Expr::str("")),
                ))),
            ),
        ]);
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            serde_json::json!({
                "att": {"Fn::GetAtt": ["TaskQueue", "Arn"]},
                "if": {"Fn::If": ["HasTopic", true, {"Ref": "AWS::NoValue"}]},
                "join": {"Fn::Join": [",", ["a", 1]]},
                "not": {"Fn::Not": [{"Fn::Equals": [{"Ref": "A"}, ""]}]},
                "ref": {"Ref": "Stage"},
                "sub": {"Fn::Sub": "orders-${Stage}"},
            })
        );
    }

    #[test]
    fn references_are_found_in_every_intrinsic() {
        let value = Expr::list([
            Expr::reference("A"),
            Expr::get_att("B", "Arn"),
            Expr::sub("${C.Arn}/invoices/* ${AWS::AccountId}"),
        ]);
        assert_eq!(value.references(), ["A", "B", "C", "AWS::AccountId"]);
    }
}
