//! A small HTTP/1.1 client over one kept-alive loopback connection, for what `gen dev` sends to
//! its own front door (the demo's requests, `gen send` to an API) and the tests and bench that do
//! the same. Loopback only: no TLS, no redirects, no proxy.

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST, HeaderMap};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;

/// One answer: status, headers, body.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A connection to `http://HOST:PORT`, reopened when the server closed it.
#[derive(Debug)]
pub struct HttpClient {
    authority: String,
    sender: Option<SendRequest<Full<Bytes>>>,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("`{0}` is not an http://HOST:PORT URL")]
    Url(String),
    #[error("cannot connect to {authority}: {source}")]
    Connect {
        authority: String,
        source: std::io::Error,
    },
    #[error("the request to {authority} failed: {message}")]
    Request { authority: String, message: String },
}

impl HttpClient {
    /// A client of `base_url` (`http://127.0.0.1:PORT`); connects on the first request.
    pub fn new(base_url: &str) -> Result<Self, HttpError> {
        let authority = base_url
            .strip_prefix("http://")
            .map(|rest| rest.trim_end_matches('/'))
            .filter(|rest| !rest.is_empty() && !rest.contains('/'))
            .ok_or_else(|| HttpError::Url(base_url.to_owned()))?;
        Ok(Self {
            authority: authority.to_owned(),
            sender: None,
        })
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, HttpError> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|source| HttpError::Connect {
                authority: self.authority.clone(),
                source,
            })?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| self.failed(&error))?;
        tokio::spawn(connection);
        Ok(sender)
    }

    fn failed(&self, error: &hyper::Error) -> HttpError {
        HttpError::Request {
            authority: self.authority.clone(),
            message: error.to_string(),
        }
    }

    /// Sends `method path` with a JSON `body` (none when empty) and `headers`.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<HttpAnswer, HttpError> {
        let mut sender = match self.sender.take() {
            Some(sender) if sender.is_ready() => sender,
            _ => self.connect().await?,
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.authority);
        if !body.is_empty() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|error| HttpError::Request {
                authority: self.authority.clone(),
                message: error.to_string(),
            })?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|error| self.failed(&error))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|error| self.failed(&error))?
            .to_bytes();
        self.sender = Some(sender);
        Ok(HttpAnswer {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    /// `POST path` with a JSON body.
    pub async fn post(
        &mut self,
        path: &str,
        body: impl Into<Bytes>,
    ) -> Result<HttpAnswer, HttpError> {
        self.send(Method::POST, path, &[], body.into()).await
    }
}
