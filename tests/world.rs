//! The world around Kafka (`kafka_sim::sim::world`): each claim of the teaching material about why a log
//! beats synchronous calls is a measured outcome of an example scenario (`public/scenarios/`).
// Native only: these drive the core and the CLI on the host (tests/web.rs is the browser suite).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use kafka_sim::sim::view::ClusterView;
use support::{group, refused, sim_with_short_trace as sim};

const SYNC: &str = include_str!("../public/scenarios/sync-vs-kafka.json");
const FLASH_SALE: &str = include_str!("../public/scenarios/flash-sale.json");
const CRASH: &str = include_str!("../public/scenarios/crash-before-commit.json");
const QUEUE: &str = include_str!("../public/scenarios/queue-vs-log.json");

/// 1. The order service answers in about 300 ms through synchronous calls (50 + 200 + 50 ms), in under
///    20 ms through Kafka.
#[test]
fn the_sync_path_takes_300_ms_and_kafka_under_20() {
    let mut sim = sim(SYNC);
    sim.advance_to(15_000_000);
    let requests = &sim.view().producers[0].requests;
    let sync = requests.sync.as_ref().expect("a baseline");
    let sync_p50 = sync.p50_ms.expect("answered requests");
    assert!(
        (285.0..=315.0).contains(&sync_p50),
        "sync p50 {sync_p50} ms"
    );
    let kafka_p50 = requests.kafka.p50_ms.expect("acknowledged records");
    assert!(kafka_p50 < 20.0, "Kafka p50 {kafka_p50} ms");
    assert_eq!((sync.failed, requests.kafka.failed), (0, 0));
    assert!(sync.total > 60 && requests.kafka.total == sync.total);
}

/// 2. With email down for 10 s, the synchronous path fails the orders of those 10 s; the Kafka path loses
///    none, and the email group's lag grows, then returns to about 0.
#[test]
fn email_down_for_10_s_fails_sync_orders_and_loses_nothing_through_kafka() {
    let mut sim = sim(SYNC);
    sim.set_trace_capacity(1_000_000);
    let mut peak_lag = 0;
    for second in 1..=120 {
        sim.advance_to(second * 1_000_000);
        peak_lag = peak_lag.max(group(&sim.view(), "email_group").total_lag);
    }
    let view = sim.view();
    let requests = &view.producers[0].requests;
    let sync = requests.sync.as_ref().expect("a baseline");
    // 5 orders a second for 10 s.
    assert!((49..=51).contains(&sync.failed), "{sync:?}");
    assert_eq!(sync.lost, sync.failed);
    assert_eq!((requests.kafka.failed, requests.kafka.lost), (0, 0));
    let email = group(&view, "email_group");
    assert!(
        peak_lag >= 40,
        "the backlog grew while email was down: {peak_lag}"
    );
    assert!(
        email.total_lag <= peak_lag / 2,
        "and drained: {} of {peak_lag}",
        email.total_lag
    );
    assert_eq!(email.delivery.missed, 0);
    // The services' events are in the trace.
    let kinds: Vec<&str> = sim
        .trace_since(0)
        .0
        .map(|event| event.kind.type_name())
        .filter(|name| name.starts_with("service_"))
        .collect();
    assert_eq!(kinds, ["service_down", "service_up"]);
}

/// 3. An SMS group added at 60 s reading from the earliest offset processes every order since 0 s; the
///    producer is not changed.
#[test]
fn a_group_added_later_reads_the_whole_history() {
    let mut sim = sim(SYNC);
    sim.advance_to(59_000_000);
    let before = sim.view();
    assert!(before.groups.iter().all(|g| g.group != "sms_group"));
    let produced_before = before.producers[0].records_acknowledged;
    sim.advance_to(120_000_000);
    let view = sim.view();
    let sms = group(&view, "sms_group");
    let processed: u64 = sms.members.iter().map(|m| m.records_processed).sum();
    let produced = view.producers[0].records_acknowledged;
    assert!(produced_before > 250, "{produced_before}");
    assert!(
        processed + sms.total_lag >= produced && processed > produced_before,
        "sms processed {processed} (lag {}) of {produced} orders, {produced_before} of them before it existed",
        sms.total_lag
    );
    assert_eq!(view.producers.len(), 1);
    assert_eq!(view.producers[0].rate_per_sec, 5);
}

/// 4. A 2 s spike of 100,000 orders a second against a database that takes 5,000 writes a second: the
///    synchronous path fails most of the spike, the Kafka path fails none, and the backlog drains at
///    about 5,000 a second.
#[test]
fn a_flash_sale_fails_sync_requests_and_drains_through_kafka_at_the_sinks_capacity() {
    let mut sim = sim(FLASH_SALE);
    sim.advance_to(15_000_000);
    let processed = |view: &ClusterView| -> u64 {
        group(view, "order_writer")
            .members
            .iter()
            .map(|m| m.records_processed)
            .sum()
    };
    let at_15 = sim.view();
    sim.advance_to(25_000_000);
    let at_25 = sim.view();
    let drained_per_sec = (processed(&at_25) - processed(&at_15)) as f64 / 10.0;
    assert!(
        (4_750.0..=5_050.0).contains(&drained_per_sec),
        "drained {drained_per_sec}/s"
    );
    let lag_15 = group(&at_15, "order_writer").total_lag;
    let lag_25 = group(&at_25, "order_writer").total_lag;
    assert!(
        lag_15 > 100_000 && lag_25 < lag_15,
        "lag {lag_15} -> {lag_25}"
    );
    sim.advance_to(90_000_000);
    let view = sim.view();
    let requests = &view.producers[0].requests;
    let sync = requests.sync.as_ref().expect("a baseline");
    // 200,000 requests in the spike.
    assert!(sync.failed > 150_000, "{sync:?}");
    assert_eq!(requests.kafka.failed, 0);
    let writer = group(&view, "order_writer");
    // Lag counts from the committed offsets: at most the 5 s between auto-commits at 1,000 a second.
    assert!(writer.total_lag <= 5_500, "drained: {}", writer.total_lag);
    let sink = writer.sink.as_ref().expect("a sink");
    assert_eq!(sink.effects.effects, processed(&view));
    assert_eq!(sink.effects.duplicate_effects, 0);
}

/// 5. A crash after processing and before the commit: the records processed and not committed are
///    processed again. Without idempotence they are applied twice; with a unique key, a dedup store or
///    a state machine they are rejected.
#[test]
fn a_crash_before_the_commit_duplicates_effects_only_without_idempotence() {
    let mut sim = sim(CRASH);
    sim.advance_to(60_000_000);
    let view = sim.view();
    for (id, idempotent) in [
        ("billing_plain", false),
        ("billing_unique_key", true),
        ("billing_dedup_store", true),
        ("billing_state_machine", true),
    ] {
        let g = group(&view, id);
        let sink = g.sink.as_ref().expect("a sink").effects;
        let reprocessed = g.delivery.duplicated;
        assert!(
            reprocessed > 0,
            "{id}: the crash left records processed and not committed"
        );
        if idempotent {
            assert_eq!(
                (sink.duplicate_effects, sink.rejected_duplicates),
                (0, reprocessed),
                "{id}"
            );
            assert_eq!(
                sink.effects,
                g.delivery.processed_once + reprocessed,
                "{id}"
            );
        } else {
            assert_eq!(
                (sink.duplicate_effects, sink.rejected_duplicates),
                (reprocessed, 0),
                "{id}"
            );
            assert_eq!(
                sink.effects,
                g.delivery.processed_once + 2 * reprocessed,
                "{id}"
            );
        }
    }
}

/// 6. Queue against log: a subscriber that arrives later reads the whole history from the log, and only
///    new messages from a queue. Competing consumers share a queue's messages; a consumer that dies
///    before acknowledging gives its messages back, and they are delivered again.
#[test]
fn a_late_subscriber_gets_the_history_from_the_log_and_only_new_messages_from_a_queue() {
    let mut sim = sim(QUEUE);
    sim.set_trace_capacity(1_000_000);
    sim.advance_to(59_000_000);
    let before = sim.view();
    let published_before = before.producers[0].records_generated;
    assert_eq!(before.queues.len(), 1);
    sim.advance_to(120_000_000);
    let view = sim.view();
    let produced = view.producers[0].records_generated;
    // The log: the SMS group reads every order since 0 s.
    let sms = group(&view, "sms_group");
    let processed: u64 = sms.members.iter().map(|m| m.records_processed).sum();
    assert!(
        processed + sms.total_lag >= view.producers[0].records_acknowledged
            && processed > published_before,
        "sms_group processed {processed} of {produced}"
    );
    // The queue: the SMS queue gets only what was published after it was declared.
    let queue = |id: &str| view.queues.iter().find(|q| q.id == id).expect("a queue");
    let sms_queue = queue("sms-queue");
    assert!(
        sms_queue.published < produced - published_before + 20
            && sms_queue.published + published_before + 20 >= produced,
        "sms-queue got {} of {produced} orders, {published_before} published before it",
        sms_queue.published
    );
    assert!(sms_queue.delivered <= sms_queue.published);
    // Competing consumers: every message of the email queue went to one of the three, and the crash's
    // unacknowledged messages were delivered again.
    let email = queue("email-queue");
    assert_eq!(email.published, produced);
    let consumers: Vec<u64> = email.consumers.iter().map(|c| c.processed).collect();
    assert!(consumers.iter().all(|n| *n > 100), "{consumers:?}");
    assert_eq!(consumers.iter().sum::<u64>(), email.acknowledged);
    assert!(email.redelivered > 0, "{email:?}");
    assert_eq!(
        email.delivered,
        email.acknowledged + email.redelivered + (email.depth - email.ready)
    );
    assert!(email.depth <= 20, "the queue drained: {}", email.depth);
    let crashed = sim.trace_since(0).0.find_map(|event| match &event.kind {
        kafka_sim::sim::event::EventKind::QueueConsumerCrashed { requeued, .. } => Some(*requeued),
        _ => None,
    });
    assert_eq!(crashed, Some(email.redelivered));
}

/// `restart_service` restarts the members the outage crashed, not one that had crashed on its own.
#[test]
fn restart_service_restarts_only_what_the_outage_crashed() {
    use kafka_sim::sim::Command;
    let mut sim = sim(SYNC);
    sim.advance_to(15_000_000);
    sim.schedule_command(Command::CrashConsumer {
        group: "email_group".into(),
        member: "email-2".into(),
    })
    .expect("a valid command");
    sim.advance_to(31_000_000);
    let view = sim.view();
    let status = |member: &str| {
        group(&view, "email_group")
            .members
            .iter()
            .find(|m| m.member == member)
            .map(|m| format!("{:?}", m.status))
    };
    assert_eq!(status("email-1").as_deref(), Some("Running"));
    assert_eq!(status("email-2").as_deref(), Some("Crashed"));
}

/// Bad values get field-named errors.
#[test]
fn bad_world_fields_are_named() {
    let cases = [
        (
            FLASH_SALE.replace("\"capacity_per_sec\": 5000", "\"capacity_per_sec\": 0"),
            "groups[0].sink.capacity_per_sec",
        ),
        (
            FLASH_SALE.replace("\"sink\": \"mysql\"", "\"sink\": \"oracle\""),
            "producers[0].sync_baseline.calls[0].sink",
        ),
        (
            FLASH_SALE.replace(
                "\"idempotence\": \"unique_key\"",
                "\"idempotence\": \"hope\"",
            ),
            "groups[0].sink.idempotence",
        ),
        (
            SYNC.replace(
                "\"group\": \"email_group\" }",
                "\"group\": \"mail_group\" }",
            ),
            "producers[0].sync_baseline.calls[1].group",
        ),
        (
            SYNC.replace("\"timeout_ms\": 1000", "\"timeout_ms\": 0"),
            "producers[0].sync_baseline.timeout_ms",
        ),
        (
            SYNC.replace(
                "\"action\": \"crash_service\", \"service\": \"email\"",
                "\"action\": \"crash_service\", \"service\": \"fax\"",
            ),
            "timeline[0].service",
        ),
        (
            QUEUE.replace(
                "\"producer\": \"order-service\", \"consumers\": [\"mailer-1\"",
                "\"producer\": \"shop\", \"consumers\": [\"mailer-1\"",
            ),
            "queues[0].producer",
        ),
        (
            QUEUE.replace("\"prefetch\": 10", "\"prefetch\": 0"),
            "queues[0].prefetch",
        ),
        (
            QUEUE.replace(
                "\"consumer\": \"mailer-1\" },\n    { \"at_ms\": 30000",
                "\"consumer\": \"mailer-7\" },\n    { \"at_ms\": 30000",
            ),
            "timeline[1].consumer",
        ),
        (
            QUEUE.replace("\"id\": \"sms-queue\"", "\"id\": \"email-queue\""),
            "timeline[5].queue.id",
        ),
    ];
    for (json, path) in cases {
        assert!(
            json != FLASH_SALE && json != SYNC && json != QUEUE,
            "{path}: not replaced"
        );
        let error = refused(&json);
        assert!(error.to_string().contains(path), "{path}: {error}");
    }
}
