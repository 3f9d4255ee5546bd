//! The `Host` check: the engine answers only requests addressed to its loopback names, so a web
//! page cannot reach it through DNS rebinding (a hostile name re-pointed at 127.0.0.1 still
//! carries that name in `Host`).

use hyper::StatusCode;
use hyper::header::{HOST, HeaderMap};

use super::foreign;
use super::listener::Reply;
use super::s3::xml;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostRefused {
    /// HTTP/1.1 requires `Host`; every SDK sends it.
    #[error(
        "the request has no Host header; the local engine answers only 127.0.0.1:{port}, localhost:{port} or [::1]:{port}"
    )]
    Missing {
        /// The engine's port.
        port: u16,
    },
    /// A name other than the engine's own.
    #[error(
        "Host `{host}` is not this engine's; it answers only 127.0.0.1:{port}, localhost:{port} or [::1]:{port} (a request for another name is refused, so a web page cannot reach the engine through DNS rebinding)"
    )]
    Foreign {
        /// The `Host` sent.
        host: String,
        /// The engine's port.
        port: u16,
    },
}

/// `Ok` when `Host` is `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` (case-insensitive).
pub fn check(headers: &HeaderMap, port: u16) -> Result<(), HostRefused> {
    let Some(value) = headers.get(HOST) else {
        return Err(HostRefused::Missing { port });
    };
    let host = String::from_utf8_lossy(value.as_bytes()).to_ascii_lowercase();
    let accepted = host.rsplit_once(':').is_some_and(|(name, sent_port)| {
        matches!(name, "127.0.0.1" | "localhost" | "[::1]") && sent_port == port.to_string()
    });
    if accepted {
        Ok(())
    } else {
        Err(HostRefused::Foreign { host, port })
    }
}

impl HostRefused {
    /// Status 403 with the reason, as a JSON-protocol `AccessDeniedException` or an S3-style
    /// XML `AccessDenied`.
    pub fn reply(&self, json: bool) -> Reply {
        let (content_type, body) = if json {
            let body = serde_json::json!({
                "__type": "AccessDeniedException",
                "message": self.to_string(),
            });
            ("application/x-amz-json-1.0", body.to_string())
        } else {
            let mut body = String::from(xml::DECLARATION);
            body.push_str("<Error>");
            xml::element(&mut body, "Code", "AccessDenied");
            xml::element(&mut body, "Message", &self.to_string());
            body.push_str("</Error>");
            ("application/xml", body)
        };
        foreign::reply(StatusCode::FORBIDDEN, content_type, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(host: Option<&str>, accepted: bool) {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert(HOST, host.parse().expect("a header value"));
        }
        assert_eq!(check(&headers, 4566).is_ok(), accepted, "{host:?}");
    }

    #[test]
    fn only_loopback_names_on_the_engine_port_are_accepted() {
        case(Some("127.0.0.1:4566"), true);
        case(Some("localhost:4566"), true);
        case(Some("LocalHost:4566"), true);
        case(Some("[::1]:4566"), true);
        case(Some("127.0.0.1:4567"), false);
        case(Some("127.0.0.1"), false);
        case(Some("evil.example:4566"), false);
        case(Some("localhost.evil.example:4566"), false);
        case(Some("bucket.localhost:4566"), false);
        case(None, false);
    }
}
