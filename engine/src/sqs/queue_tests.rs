//! The queue's semantics on a fake clock.

use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::sqs::attributes::RedrivePolicy;

struct Clock {
    start: Instant,
    elapsed: Duration,
}

impl Clock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            elapsed: Duration::ZERO,
        }
    }

    fn now(&self) -> Now {
        Now {
            instant: self.start + self.elapsed,
            epoch_millis: 1_700_000_000_000 + u64::try_from(self.elapsed.as_millis()).unwrap(),
        }
    }

    fn advance(&mut self, seconds: u64) {
        self.elapsed += Duration::from_secs(seconds);
    }
}

fn send(queue: &mut Queue, body: &str, clock: &Clock) -> Sent {
    queue
        .send(
            SendRequest {
                body: body.into(),
                ..SendRequest::default()
            },
            clock.now(),
        )
        .unwrap()
}

fn send_fifo(queue: &mut Queue, body: &str, group: &str, clock: &Clock) -> Sent {
    queue
        .send(
            SendRequest {
                body: body.into(),
                group_id: Some(group.into()),
                ..SendRequest::default()
            },
            clock.now(),
        )
        .unwrap()
}

fn bodies(received: &Received) -> Vec<&str> {
    received
        .deliveries
        .iter()
        .map(|delivery| delivery.message.body.as_str())
        .collect()
}

fn fifo() -> Queue {
    Queue::new(QueueSettings {
        fifo: true,
        content_based_deduplication: true,
        ..QueueSettings::default()
    })
}

#[test]
fn a_received_message_is_hidden_until_its_visibility_timeout() {
    let mut clock = Clock::new();
    let mut queue = Queue::new(QueueSettings::default());
    send(&mut queue, "a", &clock);
    let first = queue.receive(10, Some(Duration::from_secs(5)), clock.now());
    assert_eq!(bodies(&first), ["a"]);
    assert!(queue.receive(10, None, clock.now()).deliveries.is_empty());
    assert_eq!(queue.counts().in_flight, 1);
    clock.advance(5);
    let second = queue.receive(10, None, clock.now());
    assert_eq!(second.deliveries[0].message.receive_count, 2);
    assert_eq!(
        second.deliveries[0].message.first_receive_timestamp,
        Some(1_700_000_000_000)
    );
}

#[test]
fn stale_handles_are_rejected_for_visibility_and_ignored_for_delete() {
    let mut clock = Clock::new();
    let mut queue = Queue::new(QueueSettings::default());
    send(&mut queue, "a", &clock);
    let stale = queue
        .receive(1, Some(Duration::from_secs(1)), clock.now())
        .deliveries[0]
        .receipt_handle
        .clone();
    clock.advance(1);
    assert_eq!(
        queue.change_visibility(&stale, Duration::from_secs(9), clock.now().instant),
        Err(SqsError::MessageNotInflight)
    );
    let current = queue.receive(1, None, clock.now()).deliveries[0]
        .receipt_handle
        .clone();
    assert!(matches!(
        queue.change_visibility(&stale, Duration::from_secs(9), clock.now().instant),
        Err(SqsError::ReceiptHandleIsInvalid(_))
    ));
    assert_eq!(queue.delete(&stale, clock.now().instant), Ok(()));
    assert_eq!(queue.counts().in_flight, 1);
    assert_eq!(queue.delete(&current, clock.now().instant), Ok(()));
    assert_eq!(queue.counts(), Counts::default());
    assert!(matches!(
        queue.delete("junk", clock.now().instant),
        Err(SqsError::ReceiptHandleIsInvalid(_))
    ));
}

#[test]
fn exceeding_max_receive_count_hands_the_message_over_for_the_dead_letter_queue() {
    let mut clock = Clock::new();
    let mut queue = Queue::new(QueueSettings {
        redrive: Some(RedrivePolicy {
            dead_letter_target_arn: "arn:aws:sqs:us-east-1:000000000000:dlq".into(),
            max_receive_count: 2,
        }),
        ..QueueSettings::default()
    });
    send(&mut queue, "poison", &clock);
    for _ in 0..2 {
        assert_eq!(
            queue
                .receive(1, Some(Duration::from_secs(1)), clock.now())
                .deliveries
                .len(),
            1
        );
        clock.advance(1);
    }
    let third = queue.receive(1, None, clock.now());
    assert!(third.deliveries.is_empty());
    assert_eq!(third.dead_letters[0].body, "poison");
    assert_eq!(queue.counts(), Counts::default());
}

#[test]
fn fifo_groups_deliver_in_order_one_batch_at_a_time() {
    let clock = Clock::new();
    let mut queue = fifo();
    send_fifo(&mut queue, "a1", "a", &clock);
    send_fifo(&mut queue, "b1", "b", &clock);
    send_fifo(&mut queue, "a2", "a", &clock);
    let first = queue.receive(1, None, clock.now());
    assert_eq!(bodies(&first), ["a1"]);
    let second = queue.receive(10, None, clock.now());
    assert_eq!(bodies(&second), ["b1"]);
    assert!(queue.receive(10, None, clock.now()).deliveries.is_empty());
    queue
        .delete(&first.deliveries[0].receipt_handle, clock.now().instant)
        .unwrap();
    assert_eq!(bodies(&queue.receive(10, None, clock.now())), ["a2"]);
}

#[test]
fn fifo_deduplicates_for_five_minutes() {
    let mut clock = Clock::new();
    let mut queue = fifo();
    let first = send_fifo(&mut queue, "same", "g", &clock);
    assert_eq!(send_fifo(&mut queue, "same", "g", &clock), first);
    assert_eq!(queue.counts().visible, 1);
    clock.advance(301);
    assert_ne!(
        send_fifo(&mut queue, "same", "g", &clock).message_id,
        first.message_id
    );
    assert_eq!(queue.counts().visible, 2);
}

#[test]
fn delayed_and_expired_messages() {
    let mut clock = Clock::new();
    let mut queue = Queue::new(QueueSettings {
        retention: Duration::from_secs(60),
        ..QueueSettings::default()
    });
    queue
        .send(
            SendRequest {
                body: "later".into(),
                delay: Some(Duration::from_secs(10)),
                ..SendRequest::default()
            },
            clock.now(),
        )
        .unwrap();
    assert_eq!(queue.counts().delayed, 1);
    assert!(queue.receive(1, None, clock.now()).deliveries.is_empty());
    clock.advance(10);
    queue.tick(clock.now().instant);
    assert_eq!(queue.counts().visible, 1);
    clock.advance(50);
    queue.tick(clock.now().instant);
    assert_eq!(queue.counts(), Counts::default());
}

#[test]
fn drains_two_thousand_messages() {
    let clock = Clock::new();
    let mut queue = Queue::new(QueueSettings::default());
    for index in 0..2_000 {
        send(&mut queue, &format!("m{index}"), &clock);
    }
    let mut received = 0;
    loop {
        let batch = queue.receive(10, None, clock.now());
        if batch.deliveries.is_empty() {
            break;
        }
        for delivery in &batch.deliveries {
            queue
                .delete(&delivery.receipt_handle, clock.now().instant)
                .unwrap();
        }
        received += batch.deliveries.len();
    }
    assert_eq!(received, 2_000);
    // How fast is for `cargo bench -p tests --bench engine`, not for a test on a busy machine.
    assert_eq!(queue.counts(), Counts::default());
}

#[test]
fn a_move_takes_only_waiting_messages_and_they_start_afresh() {
    let mut clock = Clock::new();
    let mut dead_letters = Queue::new(QueueSettings::default());
    for body in ["a", "b", "c"] {
        send(&mut dead_letters, body, &clock);
    }
    // One is being looked at: it stays.
    let looked_at = dead_letters.receive(1, None, clock.now());
    assert_eq!(looked_at.deliveries.len(), 1);
    clock.advance(2);
    assert_eq!(
        dead_letters.oldest_sent(clock.now().instant),
        Some(1_700_000_000_000)
    );
    assert_eq!(dead_letters.peek_visible(10, clock.now().instant).len(), 2);
    let taken = dead_letters.take_visible(10, clock.now().instant);
    assert_eq!(taken.len(), 2);
    let counts = dead_letters.counts();
    assert_eq!((counts.visible, counts.in_flight), (0, 1));

    let mut source = Queue::new(QueueSettings::default());
    for mut message in taken {
        message.receive_count = 3;
        message.dead_letter_source_arn = Some("arn:aws:sqs:us-east-1:000000000000:orders".into());
        source.accept_moved(message, clock.now());
    }
    let received = source.receive(10, None, clock.now());
    assert_eq!(received.deliveries.len(), 2);
    for delivery in received.deliveries {
        assert_eq!(delivery.message.receive_count, 1);
        assert_eq!(delivery.message.dead_letter_source_arn, None);
    }
}
