//! HTTP load on one route of a running front door (`gen send` to an API pipeline): request
//! bodies sent in turn over kept-alive loopback connections, paced to a rate or as fast as the
//! connections go, for a count or a duration; the report says what was achieved — requests per
//! second, the answers by status, and the latency each request saw.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper::Method;
use hyper::body::Bytes;
use serde::Serialize;
use tokio::time::Instant;

use super::http_client::HttpClient;

/// What to send, where, and how hard.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub method: Method,
    /// The request path (`/orders`).
    pub path: String,
    /// The bodies, sent in turn (request `n` carries body `n % len`); at least one.
    pub bodies: Vec<Bytes>,
    /// Requests to send when there is no `duration`.
    pub count: usize,
    /// Requests per second; `None` as fast as the connections go.
    pub rate: Option<f64>,
    /// Send until this long after the start, instead of `count` requests.
    pub duration: Option<Duration>,
    /// Requests in flight at once, one connection each.
    pub connections: usize,
}

/// Latency percentiles in milliseconds, over the requests that got an answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// What a load run achieved (`--output json` prints it as is).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    /// `POST /orders`.
    pub route: String,
    pub url: String,
    /// The rate asked for, if any.
    pub asked_rate: Option<f64>,
    pub sent: usize,
    /// Answered requests per second over the whole run.
    pub requests_per_second: f64,
    pub elapsed_ms: u128,
    /// Answers by status code.
    pub statuses: BTreeMap<u16, usize>,
    /// `202 Accepted`, `400 Bad Request`, `429 Too Many Requests`, any `5xx`, any other status.
    pub accepted: usize,
    pub bad_request: usize,
    pub throttled: usize,
    pub server_errors: usize,
    pub other: usize,
    /// Requests that got no answer (connection refused or closed).
    pub no_answer: usize,
    /// The first reason a request got no answer.
    pub first_error: Option<String>,
    /// `None` when nothing was answered.
    pub latency: Option<Latency>,
}

impl LoadReport {
    /// Every request answered, none with a server error (`429` and `4xx` are answers the
    /// API means).
    pub fn healthy(&self) -> bool {
        self.no_answer == 0 && self.server_errors == 0
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let asked = self
            .asked_rate
            .map(|rate| format!(" (asked for {rate:.0}/s)"))
            .unwrap_or_default();
        #[expect(
            clippy::cast_precision_loss,
            reason = "milliseconds shown with one decimal of seconds"
        )]
        let seconds = self.elapsed_ms as f64 / 1000.0;
        writeln!(
            f,
            "sent {} requests to {} on {} in {seconds:.1}s: {:.0} requests/s{asked}",
            self.sent, self.route, self.url, self.requests_per_second
        )?;
        writeln!(
            f,
            "answers   202 {}, 400 {}, 429 {}, 5xx {}, other {}, none {}",
            self.accepted,
            self.bad_request,
            self.throttled,
            self.server_errors,
            self.other,
            self.no_answer
        )?;
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(status, count)| format!("{status} × {count}"))
            .collect();
        if !statuses.is_empty() {
            writeln!(f, "statuses  {}", statuses.join(", "))?;
        }
        match self.latency {
            Some(latency) => writeln!(
                f,
                "latency   p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
                latency.p50_ms, latency.p99_ms, latency.max_ms
            )?,
            None => writeln!(f, "latency   (no answers)")?,
        }
        if let Some(error) = &self.first_error {
            writeln!(f, "no answer {error}")?;
        }
        Ok(())
    }
}

/// One connection's results: each answered request's status and latency, and the failures.
#[derive(Debug, Default)]
struct Tally {
    answered: Vec<(u16, Duration)>,
    no_answer: usize,
    first_error: Option<String>,
}

/// When request `index` is due, relative to the start; `None` without a rate.
fn due(rate: Option<f64>, index: usize) -> Option<Duration> {
    rate.filter(|rate| *rate > 0.0).map(|rate| {
        #[expect(
            clippy::cast_precision_loss,
            reason = "pacing needs no precision beyond microseconds"
        )]
        let seconds = index as f64 / rate;
        Duration::from_secs_f64(seconds)
    })
}

/// Runs `plan`; `route` names it in the report.
pub async fn run(plan: LoadPlan, route: String) -> LoadReport {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let plan = Arc::new(plan);
    let workers: Vec<_> = (0..plan.connections.max(1))
        .map(|_| {
            let (plan, next) = (Arc::clone(&plan), Arc::clone(&next));
            tokio::spawn(async move { connection(&plan, &next, started).await })
        })
        .collect();
    let mut tally = Tally::default();
    for worker in workers {
        if let Ok(done) = worker.await {
            tally.answered.extend(done.answered);
            tally.no_answer += done.no_answer;
            tally.first_error = tally.first_error.or(done.first_error);
        }
    }
    report(&plan, route, tally, started.elapsed())
}

/// One connection: takes the next request index until the plan is done, waits until it is due,
/// sends it, and records the answer.
async fn connection(plan: &LoadPlan, next: &AtomicUsize, started: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut client = match HttpClient::new(&plan.url) {
        Ok(client) => client,
        Err(error) => {
            tally.first_error = Some(error.to_string());
            return tally;
        }
    };
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let at = due(plan.rate, index);
        let more = match plan.duration {
            Some(duration) => at.map_or_else(|| started.elapsed() < duration, |at| at < duration),
            None => index < plan.count,
        };
        if !more {
            return tally;
        }
        if let Some(at) = at {
            tokio::time::sleep_until(started + at).await;
        }
        let body = plan.bodies[index % plan.bodies.len()].clone();
        let sent = Instant::now();
        match client
            .send(plan.method.clone(), &plan.path, &[], body)
            .await
        {
            Ok(answer) => tally.answered.push((answer.status, sent.elapsed())),
            Err(error) => {
                tally.no_answer += 1;
                tally.first_error.get_or_insert_with(|| error.to_string());
            }
        }
    }
}

fn report(plan: &LoadPlan, route: String, tally: Tally, elapsed: Duration) -> LoadReport {
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for (status, _) in &tally.answered {
        *statuses.entry(*status).or_default() += 1;
    }
    let of = |wanted: u16| statuses.get(&wanted).copied().unwrap_or_default();
    let server_errors = statuses
        .iter()
        .filter(|(status, _)| (500..600).contains(*status))
        .map(|(_, count)| count)
        .sum();
    let (accepted, bad_request, throttled) = (of(202), of(400), of(429));
    let answered = tally.answered.len();
    let mut latencies: Vec<Duration> = tally.answered.iter().map(|(_, took)| *took).collect();
    latencies.sort_unstable();
    let milliseconds = |took: Duration| took.as_secs_f64() * 1000.0;
    let percentile =
        |share: usize| latencies[(latencies.len() * share / 100).min(latencies.len() - 1)];
    let latency = (!latencies.is_empty()).then(|| Latency {
        p50_ms: milliseconds(percentile(50)),
        p99_ms: milliseconds(percentile(99)),
        max_ms: milliseconds(latencies[latencies.len() - 1]),
    });
    #[expect(clippy::cast_precision_loss, reason = "a rate shown without decimals")]
    let requests_per_second = answered as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    LoadReport {
        route,
        url: plan.url.clone(),
        asked_rate: plan.rate,
        sent: answered + tally.no_answer,
        requests_per_second,
        elapsed_ms: elapsed.as_millis(),
        accepted,
        bad_request,
        throttled,
        server_errors,
        other: answered - accepted - bad_request - throttled - server_errors,
        statuses,
        no_answer: tally.no_answer,
        first_error: tally.first_error,
        latency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_due_at_their_share_of_the_rate() {
        assert_eq!(due(None, 7), None);
        assert_eq!(due(Some(0.0), 7), None);
        assert_eq!(due(Some(100.0), 0), Some(Duration::ZERO));
        assert_eq!(due(Some(100.0), 250), Some(Duration::from_millis(2_500)));
    }

    #[test]
    fn the_report_counts_statuses_and_takes_percentiles_of_answers() {
        let plan = LoadPlan {
            url: "http://127.0.0.1:1".into(),
            method: Method::POST,
            path: "/orders".into(),
            bodies: vec![Bytes::from_static(b"{}")],
            count: 0,
            rate: Some(50.0),
            duration: None,
            connections: 1,
        };
        let millis = Duration::from_millis;
        let mut answered: Vec<(u16, Duration)> = (1..=96).map(|n| (202, millis(n))).collect();
        answered.extend([
            (400, millis(97)),
            (429, millis(98)),
            (503, millis(99)),
            (404, millis(100)),
        ]);
        let tally = Tally {
            answered,
            no_answer: 2,
            first_error: Some("cannot connect".into()),
        };
        let report = report(&plan, "POST /orders".into(), tally, Duration::from_secs(2));
        assert_eq!(report.sent, 102);
        assert_eq!(
            (
                report.accepted,
                report.bad_request,
                report.throttled,
                report.server_errors,
                report.other,
                report.no_answer
            ),
            (96, 1, 1, 1, 1, 2)
        );
        assert!((report.requests_per_second - 50.0).abs() < 1e-9);
        let latency = report.latency.unwrap();
        assert!((latency.p50_ms - 51.0).abs() < 1e-9, "{latency:?}");
        assert!((latency.p99_ms - 100.0).abs() < 1e-9, "{latency:?}");
        assert!((latency.max_ms - 100.0).abs() < 1e-9, "{latency:?}");
        assert!(!report.healthy());
        let text = report.to_string();
        assert!(
            text.contains("answers   202 96, 400 1, 429 1, 5xx 1, other 1, none 2"),
            "{text}"
        );
        assert!(text.contains("(asked for 50/s)"), "{text}");
    }
}
