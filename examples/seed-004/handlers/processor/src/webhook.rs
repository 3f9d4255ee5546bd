//! A webhook call: one HTTP/1.1 POST of JSON over a plain TCP stream, bounded by a timeout.

use std::time::Duration;

use runtime::batch::RecordFailure;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// POSTs `payload` to `url` (`http://host:port/path`) and returns the status code. A 2xx is
/// success; a 4xx or a URL this client cannot call fails the record as invalid (retrying will not
/// help); no answer within `timeout`, a refused connection or a 5xx fails it as transient.
pub(crate) async fn post(
    url: &str,
    payload: &serde_json::Value,
    timeout: Duration,
) -> Result<u16, RecordFailure> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| RecordFailure::invalid(format!("webhook: `{url}` is not an http:// URL")))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.split(':').next().unwrap_or(authority);
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let body = payload.to_string();
    let request = format!(
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let call = async {
        let mut stream = TcpStream::connect(&address).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(timeout, call)
        .await
        .map_err(|_| {
            RecordFailure::transient(format!(
                "webhook {url}: no answer within {}s",
                timeout.as_secs()
            ))
        })?
        .map_err(|error| RecordFailure::transient(format!("webhook {url}: {error}")))?;
    let status = String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| RecordFailure::transient(format!("webhook {url}: not an HTTP answer")))?;
    match status {
        200..=299 => Ok(status),
        400..=499 => Err(RecordFailure::invalid(format!(
            "webhook {url} refused the call: {status}"
        ))),
        _ => Err(RecordFailure::transient(format!(
            "webhook {url} answered {status}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_url_this_client_cannot_call_is_invalid() {
        let failure = post(
            "https://example.com/hook",
            &serde_json::json!({}),
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
        assert_eq!(failure.kind, runtime::batch::FailureKind::Invalid);
    }

    #[tokio::test]
    async fn an_answer_is_read_for_its_status() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buffer = [0; 1024];
            let _ = stream.read(&mut buffer).await.unwrap();
            stream
                .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                .await
                .unwrap();
        });
        let status = post(&url, &serde_json::json!({"a": 1}), Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(status, 204);
        server.await.unwrap();
    }
}
