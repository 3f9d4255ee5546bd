//! Order store (seed 002's worker): write each order to the table once, then send its
//! confirmation email once.
//!
//! 1. A conditional `PutItem` keyed by `order_id` (`attribute_not_exists`): a redelivery writes
//!    nothing (`written: false`). The item holds the order (`order`, numbers exact), `email`,
//!    `received_at`, `stored_at` and the email step's state `email_state`.
//! 2. The email step, recorded on the item: claim it (`pending` → `sending`, a conditional
//!    update with a claim token), send through SES v2, record `sent` with the SES message id.
//!
//! What is guaranteed — **at most one email per order, ever**, and exactly one unless a delivery
//! dies between claiming the send and recording its result:
//!
//! | a delivery stops (crash, timeout, deadline) | the next delivery finds | and does |
//! |---|---|---|
//! | before the put | no item | everything |
//! | after the put, before the claim | `pending` | claims and sends: one email |
//! | after the claim, before or during the send, or after the send before `sent` is recorded | `sending` | within the claim's lease (`3 × PORT_TIMEOUT_SECONDS + 5 s`): fails as transient, SQS retries later; after it: records `unknown` and sends nothing |
//! | after `sent` is recorded | `sent` | nothing (`already_sent`) |
//!
//! A send SES refused (an error answer, a refused connection, the breaker open) sent nothing:
//! the claim is released (`pending`) and the record fails as transient (throttled: `429`-like
//! backoff), to be retried. A send that failed ambiguously (a timeout, a broken connection) is
//! never retried: the item records `unknown` with the reason, the record line says so at `WARN`,
//! and the `EmailsUnknown` counter rises — SES v2 takes no idempotency token, so the one way to
//! never send twice is to never resend an email that may have gone. An operator finds those
//! orders by `email_state = unknown`.
//!
//! Counters: `OrdersWritten` (items written now), `OrdersDuplicate` (already stored),
//! `EmailsSent`, `EmailsUnknown`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::batch::RecordFailure;
use crate::config::{ConfigError, vars};
use crate::handler::{Decode, Done, Handler, RecordContext};
use crate::ports::{Attribute, Condition, Item, MailSender, PutOutcome, TableStore, UpdateOutcome};
use crate::problem::Problem;
use crate::resources::{Email, Table, plausible_address};
use crate::startup::{Ports, Startup};
use crate::telemetry::{BatchMetrics, Outcome};

/// The counter of emails sent.
pub const EMAILS_SENT_METRIC: &str = "EmailsSent";
/// The counter of emails whose fate is unknown (an attempt may have sent them).
pub const EMAILS_UNKNOWN_METRIC: &str = "EmailsUnknown";

/// Attribute names the store writes beside the partition key.
pub const ITEM_ATTRIBUTES: [&str; 11] = [
    "order",
    "email",
    "received_at",
    "stored_at",
    "email_state",
    "email_claim",
    "email_claimed_at",
    "email_message_id",
    "email_sent_at",
    "email_note",
    "email_subject",
];

/// The email step's states, as `email_state` holds them.
mod state {
    pub(super) const NONE: &str = "none";
    pub(super) const PENDING: &str = "pending";
    pub(super) const SENDING: &str = "sending";
    pub(super) const SENT: &str = "sent";
    pub(super) const UNKNOWN: &str = "unknown";
}

/// An order as the queue brings it: `order_id` and `email` are required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedOrder {
    /// The order id (the item's key).
    pub order_id: String,
    /// The customer's address.
    pub email: String,
    /// When the ingest accepted it, if it says.
    pub received_at: Option<String>,
    /// The whole message, numbers exact.
    pub order: Attribute,
}

impl Decode for QueuedOrder {
    fn decode(body: &str) -> Result<Self, RecordFailure> {
        let order = Attribute::from_json(body)
            .map_err(|error| RecordFailure::invalid(format!("undecodable order: {error}")))?;
        let Some(members) = order.as_map() else {
            return Err(RecordFailure::invalid_with(
                "invalid order: not a JSON object",
                vec![Problem::new("", "the order must be a JSON object")],
            ));
        };
        let text = |name: &str| {
            members
                .get(name)
                .and_then(Attribute::as_str)
                .map(str::trim)
                .filter(|text| !text.is_empty())
        };
        let mut problems = Vec::new();
        let order_id = text("order_id");
        if order_id.is_none() {
            problems.push(Problem::new(
                "/order_id",
                "required: a non-empty string (the table's key)",
            ));
        }
        let email = text("email").filter(|email| plausible_address(email));
        if email.is_none() {
            problems.push(Problem::new(
                "/email",
                "required: the customer's email address",
            ));
        }
        if let (Some(order_id), Some(email)) = (order_id, email) {
            return Ok(Self {
                order_id: order_id.to_owned(),
                email: email.to_owned(),
                received_at: text("received_at").map(str::to_owned),
                order: order.clone(),
            });
        }
        let reasons: Vec<String> = problems
            .iter()
            .map(|problem| format!("{}: {}", problem.pointer, problem.problem))
            .collect();
        Err(RecordFailure::invalid_with(
            format!("invalid order: {}", reasons.join("; ")),
            problems,
        ))
    }
}

/// What became of an order's email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailFate {
    /// Sent by this delivery.
    Sent,
    /// Sent by an earlier delivery.
    AlreadySent,
    /// An earlier attempt may have sent it; it is not sent again.
    Unknown,
    /// The function sends no email.
    None,
}

impl EmailFate {
    /// The word on the record line.
    pub fn word(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::AlreadySent => "already_sent",
            Self::Unknown => "unknown",
            Self::None => "none",
        }
    }
}

/// How a record ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The order.
    pub order_id: String,
    /// The table.
    pub table: String,
    /// Whether this delivery wrote the item.
    pub written: bool,
    /// What became of its email.
    pub email: EmailFate,
}

impl Done for Stored {
    fn outcome(&self) -> Outcome {
        Outcome::Stored {
            table: self.table.clone(),
            written: self.written,
            email: self.email.word().to_owned(),
        }
    }

    fn order_id(&self) -> Option<&str> {
        Some(&self.order_id)
    }

    fn count(&self, metrics: &mut BatchMetrics) {
        if self.written {
            metrics.written += 1;
        } else {
            metrics.duplicates += 1;
        }
    }
}

/// Writes orders once and emails each once.
#[derive(Debug)]
pub struct OrderStore<D, M> {
    table: Table<D>,
    email: Option<Email<M>>,
    lease: Duration,
}

impl<D: TableStore, M: MailSender> OrderStore<D, M> {
    /// A store writing to `table` and, when `email` is given, emailing each order once; a claim
    /// to send lasts `lease`.
    pub fn new(table: Table<D>, email: Option<Email<M>>, lease: Duration) -> Self {
        Self {
            table,
            email,
            lease,
        }
    }

    /// Reads `TABLE_NAME`, `TABLE_PARTITION_KEY` and, when the function sends email,
    /// `EMAIL_SENDER` (and `EMAIL_CONFIGURATION_SET`).
    pub fn build<P: Ports<Table = D, Mail = M>>(startup: &Startup<P>) -> Result<Self, ConfigError> {
        let table = Table::from_startup(startup, vars::TABLE_NAME, "writes.table")?;
        if ITEM_ATTRIBUTES.contains(&table.partition_key()) {
            return Err(ConfigError {
                variable: vars::TABLE_PARTITION_KEY,
                problem: format!(
                    "is `{}`, an attribute the order store writes itself; name the table's partition key `order_id`",
                    table.partition_key()
                ),
            });
        }
        let email = startup
            .variables()
            .get(vars::EMAIL_SENDER)
            .map(|_| Email::from_startup(startup, vars::EMAIL_SENDER, "order confirmations"))
            .transpose()?;
        // A send is retried at most three times within the port timeout each, plus backoff.
        let lease = startup.settings().port_timeout * 3 + Duration::from_secs(5);
        Ok(Self::new(table, email, lease))
    }

    /// The table.
    pub fn table(&self) -> &Table<D> {
        &self.table
    }

    fn item(&self, order: &QueuedOrder, now: &str) -> Item {
        let mut item = self.table.key(&order.order_id);
        item.insert("order".to_owned(), order.order.clone());
        item.insert("email".to_owned(), Attribute::string(&order.email));
        if let Some(received_at) = &order.received_at {
            item.insert("received_at".to_owned(), Attribute::string(received_at));
        }
        item.insert("stored_at".to_owned(), Attribute::string(now));
        let email_state = if self.email.is_some() {
            state::PENDING
        } else {
            state::NONE
        };
        item.insert("email_state".to_owned(), Attribute::string(email_state));
        item
    }

    /// The email step (see the module documentation).
    async fn email_once(
        &self,
        email: &Email<M>,
        order: &QueuedOrder,
        record: &RecordContext<'_>,
    ) -> Result<EmailFate, RecordFailure> {
        let key = self.table.key(&order.order_id);
        let now = epoch_ms();
        let token = format!("{}/{now}", record.message_id());
        let claim = Item::from([
            ("email_state".to_owned(), Attribute::string(state::SENDING)),
            ("email_claim".to_owned(), Attribute::string(&token)),
            ("email_claimed_at".to_owned(), Attribute::number(&now)),
        ]);
        let claimable = Condition::Or(vec![
            Condition::Equals("email_state".to_owned(), Attribute::string(state::PENDING)),
            Condition::Equals("email_state".to_owned(), Attribute::string(state::NONE)),
            Condition::NotExists("email_state".to_owned()),
        ]);
        if self.table.update_if(key.clone(), claim, claimable).await?
            == UpdateOutcome::ConditionFailed
        {
            return self.claimed_before(order, now).await;
        }
        let (subject, text) = confirmation(order);
        let mine = Condition::Equals("email_claim".to_owned(), Attribute::string(&token));
        match email.send(&order.email, &subject, &text, None).await {
            Ok(message_id) => {
                record.count(EMAILS_SENT_METRIC, 1);
                let sent = Item::from([
                    ("email_state".to_owned(), Attribute::string(state::SENT)),
                    (
                        "email_message_id".to_owned(),
                        Attribute::string(&message_id),
                    ),
                    ("email_sent_at".to_owned(), Attribute::string(record.now())),
                    ("email_subject".to_owned(), Attribute::string(&subject)),
                ]);
                self.table
                    .update_if(key, sent, mine)
                    .await
                    .map_err(|failure| RecordFailure {
                        reason: format!(
                            "email sent (SES message {message_id}) but not recorded on the item: {}; a redelivery finds it `sending` and does not send it again",
                            failure.reason
                        ),
                        ..failure
                    })?;
                Ok(EmailFate::Sent)
            }
            Err(error) if error.is_ambiguous() => {
                record.count(EMAILS_UNKNOWN_METRIC, 1);
                let unknown = Item::from([
                    ("email_state".to_owned(), Attribute::string(state::UNKNOWN)),
                    (
                        "email_note".to_owned(),
                        Attribute::string(format!(
                            "the send may have gone out, so it is not retried: {error}"
                        )),
                    ),
                ]);
                self.table.update_if(key, unknown, mine).await?;
                Ok(EmailFate::Unknown)
            }
            Err(error) => {
                // Nothing was sent: give the claim back so a redelivery sends it.
                let release =
                    Item::from([("email_state".to_owned(), Attribute::string(state::PENDING))]);
                self.table.update_if(key, release, mine).await?;
                let mut failure = RecordFailure::from(error);
                failure.reason = format!("email not sent: {}", failure.reason);
                Err(failure)
            }
        }
    }

    /// The claim failed: the email step is someone else's, or done.
    async fn claimed_before(
        &self,
        order: &QueuedOrder,
        now: u64,
    ) -> Result<EmailFate, RecordFailure> {
        let key = self.table.key(&order.order_id);
        let item = self.table.get(key.clone()).await?.ok_or_else(|| {
            RecordFailure::transient(format!(
                "order `{}` vanished from table `{}` between its write and its email",
                order.order_id,
                self.table.name()
            ))
        })?;
        let text = |name: &str| {
            item.get(name)
                .and_then(Attribute::as_str)
                .unwrap_or_default()
        };
        match text("email_state") {
            state::SENT => Ok(EmailFate::AlreadySent),
            state::UNKNOWN => Ok(EmailFate::Unknown),
            state::SENDING => {
                let claimed_at = item
                    .get("email_claimed_at")
                    .and_then(|value| match value {
                        Attribute::N(number) => number.parse::<u64>().ok(),
                        _ => None,
                    })
                    .unwrap_or(0);
                let lease_ms = u64::try_from(self.lease.as_millis()).unwrap_or(u64::MAX);
                let ends = claimed_at.saturating_add(lease_ms);
                if ends > now {
                    return Err(RecordFailure::transient(format!(
                        "the email of order `{}` is being sent by another delivery (its claim ends in {} ms)",
                        order.order_id,
                        ends - now
                    ))
                    .retry_after(Duration::from_millis(ends - now)));
                }
                let claim = text("email_claim").to_owned();
                let unknown = Item::from([
                    ("email_state".to_owned(), Attribute::string(state::UNKNOWN)),
                    (
                        "email_note".to_owned(),
                        Attribute::string(format!(
                            "claim `{claim}` was neither recorded sent nor released within its lease: that delivery stopped between claiming the send and recording it, so the email may have gone and is not sent again"
                        )),
                    ),
                ]);
                let same_claim = Condition::And(vec![
                    Condition::Equals("email_state".to_owned(), Attribute::string(state::SENDING)),
                    Condition::Equals("email_claim".to_owned(), Attribute::string(claim)),
                ]);
                match self.table.update_if(key, unknown, same_claim).await? {
                    UpdateOutcome::Updated => Ok(EmailFate::Unknown),
                    // It changed meanwhile (recorded sent, or released): look again next time.
                    UpdateOutcome::ConditionFailed => Err(RecordFailure::transient(format!(
                        "the email state of order `{}` changed while it was read; retrying",
                        order.order_id
                    ))),
                }
            }
            other => Err(RecordFailure::transient(format!(
                "the email of order `{}` could not be claimed (state `{other}`); retrying",
                order.order_id
            ))),
        }
    }
}

impl<D, M> Handler for OrderStore<D, M>
where
    D: TableStore + 'static,
    M: MailSender + 'static,
{
    const NAME: &'static str = "order_store";
    type Message = QueuedOrder;
    type Done = Stored;

    async fn handle(
        &self,
        order: QueuedOrder,
        record: &RecordContext<'_>,
    ) -> Result<Stored, RecordFailure> {
        let written = self
            .table
            .put_if_absent(self.item(&order, record.now()))
            .await?
            == PutOutcome::Created;
        let email = match &self.email {
            Some(email) => self.email_once(email, &order, record).await?,
            None => EmailFate::None,
        };
        Ok(Stored {
            order_id: order.order_id,
            table: self.table.name().to_owned(),
            written,
            email,
        })
    }
}

/// The confirmation's subject and text.
fn confirmation(order: &QueuedOrder) -> (String, String) {
    let items = order
        .order
        .as_map()
        .and_then(|members| members.get("items"))
        .map_or(0, |items| match items {
            Attribute::L(items) => items.len(),
            _ => 0,
        });
    (
        format!("Order {} received", order.order_id),
        format!(
            "Thank you: your order {} ({items} item{}) is received and stored.\n",
            order.order_id,
            if items == 1 { "" } else { "s" }
        ),
    )
}

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}
