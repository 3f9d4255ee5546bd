//! Route keys and route selection, as API Gateway's HTTP APIs define them
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html>):
//! a route key is a method and a path (`GET /pets/{id}`), `ANY` matches every method, a path
//! variable `{name}` matches one segment, a greedy `{proxy+}` (last segment only) matches the rest
//! of the path, and `$default` catches what no other route matches. "When you have multiple routes
//! ... API Gateway chooses the route with the most-specific match": a full match first, then a
//! route with path variables, then a greedy one; a route of the request's method before `ANY`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The methods a route key may name.
pub const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
];

/// A route key: `$default`, or a method (or `ANY`) and a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteKey {
    /// The catch-all route.
    Default,
    /// `METHOD /path`.
    Route {
        /// Upper case, or `ANY`.
        method: String,
        /// The path's segments.
        segments: Vec<Segment>,
    },
}

/// One segment of a route's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Matches itself exactly.
    Literal(String),
    /// `{name}`: one segment, given as path parameter `name`.
    Variable(String),
    /// `{name+}`: the rest of the path (one segment at least), given as `name`.
    Greedy(String),
}

/// A route key that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// Not `METHOD /path`.
    #[error("route `{0}` is not `METHOD /path` (e.g. `POST /orders`) or `$default`")]
    Shape(String),
    /// A method API Gateway does not take.
    #[error("route `{route}`: `{method}` is not one of {}", METHODS.join(", "))]
    Method {
        /// The route key.
        route: String,
        /// The method given.
        method: String,
    },
    /// A greedy variable before the last segment, or a malformed `{...}`.
    #[error(
        "route `{0}`: a path variable is `{{name}}` (one whole segment), and a greedy `{{name+}}` must be the last segment"
    )]
    Variable(String),
}

impl FromStr for RouteKey {
    type Err = RouteError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text == "$default" {
            return Ok(Self::Default);
        }
        let shape = || RouteError::Shape(text.to_owned());
        let (method, path) = text.split_once(' ').ok_or_else(shape)?;
        let path = path.trim();
        if !path.starts_with('/') {
            return Err(shape());
        }
        if !METHODS.contains(&method) {
            return Err(RouteError::Method {
                route: text.to_owned(),
                method: method.to_owned(),
            });
        }
        let parts: Vec<&str> = path
            .trim_start_matches('/')
            .split('/')
            .filter(|part| !part.is_empty())
            .collect();
        let mut segments = Vec::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            let variable = |inner: &str| !inner.is_empty() && !inner.contains(['{', '}', '+']);
            let segment = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(inner) => match inner.strip_suffix('+') {
                    Some(name) if variable(name) && index + 1 == parts.len() => {
                        Segment::Greedy(name.to_owned())
                    }
                    None if variable(inner) => Segment::Variable(inner.to_owned()),
                    Some(_) | None => return Err(RouteError::Variable(text.to_owned())),
                },
                None if part.contains(['{', '}']) => {
                    return Err(RouteError::Variable(text.to_owned()));
                }
                None => Segment::Literal((*part).to_owned()),
            };
            segments.push(segment);
        }
        Ok(Self::Route {
            method: method.to_owned(),
            segments,
        })
    }
}

impl fmt::Display for RouteKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => formatter.write_str("$default"),
            Self::Route { method, segments } => {
                write!(formatter, "{method} ")?;
                if segments.is_empty() {
                    return formatter.write_str("/");
                }
                for segment in segments {
                    match segment {
                        Segment::Literal(text) => write!(formatter, "/{text}")?,
                        Segment::Variable(name) => write!(formatter, "/{{{name}}}")?,
                        Segment::Greedy(name) => write!(formatter, "/{{{name}+}}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// How specific a match is; lower wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// Every segment literal.
    Full,
    /// Path variables, no greedy one.
    Variables,
    /// A greedy variable.
    Greedy,
    /// `$default`.
    Default,
}

/// A route that matched a request, with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'a, T> {
    /// What the route carries (the function).
    pub target: &'a T,
    /// The route key that matched.
    pub key: &'a RouteKey,
    /// Path parameters by name (URL-decoded).
    pub parameters: BTreeMap<String, String>,
}

impl RouteKey {
    /// The path parameters when this route matches `method` and `path`; `$default` always does.
    fn matches(&self, method: &str, path: &str) -> Option<(Rank, bool, BTreeMap<String, String>)> {
        let Self::Route {
            method: route_method,
            segments,
        } = self
        else {
            return Some((Rank::Default, false, BTreeMap::new()));
        };
        let exact_method = route_method == method;
        if !exact_method && route_method != "ANY" {
            return None;
        }
        let parts: Vec<&str> = path
            .trim_start_matches('/')
            .split('/')
            .filter(|part| !part.is_empty())
            .collect();
        let mut parameters = BTreeMap::new();
        let mut rank = Rank::Full;
        for (index, segment) in segments.iter().enumerate() {
            match segment {
                Segment::Literal(text) => {
                    if parts.get(index) != Some(&text.as_str()) {
                        return None;
                    }
                }
                Segment::Variable(name) => {
                    let part = parts.get(index)?;
                    parameters.insert(name.clone(), percent_decode(part));
                    rank = rank.max(Rank::Variables);
                }
                Segment::Greedy(name) => {
                    let rest = parts.get(index..).filter(|rest| !rest.is_empty())?;
                    parameters.insert(name.clone(), percent_decode(&rest.join("/")));
                    return Some((Rank::Greedy, exact_method, parameters));
                }
            }
        }
        (parts.len() == segments.len()).then_some((rank, exact_method, parameters))
    }
}

/// The most specific of `routes` for `method` and `path`: by rank (full, variables, greedy,
/// `$default`), then the route of the exact method before `ANY`, then the one with more literal
/// segments.
pub fn select<'a, T>(
    routes: impl IntoIterator<Item = (&'a RouteKey, &'a T)>,
    method: &str,
    path: &str,
) -> Option<Matched<'a, T>> {
    routes
        .into_iter()
        .filter_map(|(key, target)| {
            let (rank, exact_method, parameters) = key.matches(method, path)?;
            let literals = match key {
                RouteKey::Route { segments, .. } => segments
                    .iter()
                    .filter(|segment| matches!(segment, Segment::Literal(_)))
                    .count(),
                RouteKey::Default => 0,
            };
            Some((
                (rank, !exact_method, usize::MAX - literals),
                Matched {
                    target,
                    key,
                    parameters,
                },
            ))
        })
        .min_by(|left, right| left.0.cmp(&right.0))
        .map(|(_, matched)| matched)
}

/// `%XX` escapes decoded (invalid UTF-8 replaced), as API Gateway decodes path parameters.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|byte| char::from(*byte).to_digit(16))
        };
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                index += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(keys: &[&str]) -> Vec<(RouteKey, String)> {
        keys.iter()
            .map(|key| (key.parse().expect("a route key"), (*key).to_owned()))
            .collect()
    }

    #[track_caller]
    fn case(keys: &[&str], method: &str, path: &str, expected: Option<(&str, &[(&str, &str)])>) {
        let routes = routes(keys);
        let matched = select(routes.iter().map(|(k, t)| (k, t)), method, path);
        let seen = matched.map(|matched| {
            (
                matched.target.clone(),
                matched.parameters.into_iter().collect::<Vec<_>>(),
            )
        });
        let expected = expected.map(|(target, parameters)| {
            (
                target.to_owned(),
                parameters
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<Vec<_>>(),
            )
        });
        assert_eq!(seen, expected, "{method} {path}");
    }

    #[test]
    fn the_most_specific_route_wins() {
        let keys = [
            "GET /pets/{id}",
            "GET /pets/dog",
            "ANY /pets/{proxy+}",
            "POST /pets",
            "$default",
        ];
        case(&keys, "GET", "/pets/dog", Some(("GET /pets/dog", &[])));
        case(
            &keys,
            "GET",
            "/pets/7",
            Some(("GET /pets/{id}", &[("id", "7")])),
        );
        case(
            &keys,
            "DELETE",
            "/pets/7",
            Some(("ANY /pets/{proxy+}", &[("proxy", "7")])),
        );
        case(
            &keys,
            "GET",
            "/pets/7/toys/a%20b",
            Some(("ANY /pets/{proxy+}", &[("proxy", "7/toys/a b")])),
        );
        case(&keys, "POST", "/pets", Some(("POST /pets", &[])));
        case(&keys, "GET", "/pets", Some(("$default", &[])));
        case(&["POST /orders"], "GET", "/orders", None);
        case(
            &["POST /orders"],
            "POST",
            "/orders/",
            Some(("POST /orders", &[])),
        );
        case(
            &["ANY /orders", "POST /orders"],
            "POST",
            "/orders",
            Some(("POST /orders", &[])),
        );
        case(
            &["ANY /orders", "POST /orders"],
            "PUT",
            "/orders",
            Some(("ANY /orders", &[])),
        );
        case(&["GET /{proxy+}"], "GET", "/", None);
    }

    #[test]
    fn route_keys_parse_and_print_back() {
        for key in [
            "POST /orders",
            "GET /orders/{id}",
            "ANY /{proxy+}",
            "$default",
            "GET /",
        ] {
            assert_eq!(key.parse::<RouteKey>().expect(key).to_string(), key);
        }
        assert!(matches!(
            "FETCH /x".parse::<RouteKey>(),
            Err(RouteError::Method { .. })
        ));
        assert!(matches!(
            "POST orders".parse::<RouteKey>(),
            Err(RouteError::Shape(_))
        ));
        assert!(matches!(
            "GET /{a+}/b".parse::<RouteKey>(),
            Err(RouteError::Variable(_))
        ));
        assert!(matches!(
            "GET /a{b}".parse::<RouteKey>(),
            Err(RouteError::Variable(_))
        ));
    }
}
