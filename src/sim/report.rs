//! The CLI's report: `kafka-topics.sh --describe` and `kafka-consumer-groups.sh --describe` style
//! tables, delivery accounting, and the same as one JSON document.

use super::view::ClusterView;
use serde_json::{json, Value};
use std::fmt::Write;

/// `-` for a missing value, as Kafka's tools print it.
/// Broker ids as `kafka-topics.sh` lists replicas and ISR: `1,2,3`.
pub fn broker_list(brokers: &[u32]) -> String {
    brokers
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn dash(value: Option<u64>) -> String {
    value.map_or("-".to_string(), |v| v.to_string())
}

pub fn text(view: &ClusterView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kafka-sim at t = {:.3} s (seed {})",
        view.now_us as f64 / 1e6,
        view.seed
    );
    let _ = writeln!(out);
    let down: Vec<String> = view
        .brokers
        .iter()
        .filter(|b| !b.alive)
        .map(|b| b.id.to_string())
        .collect();
    let _ = writeln!(
        out,
        "Brokers: {} ({} down{})",
        view.brokers.len(),
        down.len(),
        if down.is_empty() {
            String::new()
        } else {
            format!(": {}", down.join(","))
        }
    );
    for topic in &view.topics {
        let _ = writeln!(
            out,
            "\nTopic: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: min.insync.replicas={}",
            topic.name,
            topic.partitions.len(),
            topic.replication_factor,
            topic.min_insync_replicas
        );
        for p in &topic.partitions {
            let _ = writeln!(
                out,
                "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\tHW: {}\tLEO: {}\tLogStart: {}{}",
                topic.name,
                p.partition,
                p.leader.map_or("none".to_string(), |l| l.to_string()),
                broker_list(&p.replicas),
                broker_list(&p.isr),
                p.high_watermark,
                p.log_end_offset,
                p.log_start_offset,
                if p.offline { "\t(offline)" } else if p.under_replicated { "\t(under-replicated)" } else { "" }
            );
        }
    }
    for producer in &view.producers {
        let _ = writeln!(
            out,
            "\nProducer {} → {} (acks={}, enable.idempotence={}): {} generated, {} acknowledged, {} failed, {} retried, {} written twice, {} pending, {} acknowledged but lost",
            producer.id,
            producer.topic,
            producer.acks,
            producer.enable_idempotence,
            producer.records_generated,
            producer.records_acknowledged,
            producer.records_failed,
            producer.records_retried,
            producer.records_written_twice,
            producer.records_pending,
            producer.acknowledged_records_lost
        );
        let paths = [
            ("through Kafka", Some(&producer.requests.kafka)),
            ("synchronous calls", producer.requests.sync.as_ref()),
        ];
        for (path, requests) in paths {
            let Some(r) = requests else { continue };
            let ms = |value: Option<f64>| value.map_or("-".to_string(), |ms| format!("{ms:.1} ms"));
            let _ = writeln!(
                out,
                "  Requests {path}: response p50 {}, p99 {}; {} of {} failed; work lost {}",
                ms(r.p50_ms),
                ms(r.p99_ms),
                r.failed,
                r.total,
                r.lost
            );
        }
    }
    for group in &view.groups {
        let _ = writeln!(
            out,
            "\nConsumer group '{}' ({}, generation {}, {} {}, coordinator {})",
            group.group,
            group.state,
            group.generation,
            group.protocol,
            group.assignor.unwrap_or("-"),
            dash(group.coordinator.map(u64::from))
        );
        let _ = writeln!(
            out,
            "{:<16} {:<12} {:>9} {:>14} {:>14} {:>8}  {:<50} CLIENT-ID",
            "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID"
        );
        for row in &group.partitions {
            let _ = writeln!(
                out,
                "{:<16} {:<12} {:>9} {:>14} {:>14} {:>8}  {:<50} {}",
                group.group,
                row.topic,
                row.partition,
                dash(row.current_offset),
                row.log_end_offset,
                dash(row.lag),
                row.consumer_id.as_deref().unwrap_or("-"),
                row.client_id.as_deref().unwrap_or("-")
            );
        }
        let d = group.delivery;
        let _ = writeln!(
            out,
            "Delivery: processed once {}, duplicated {}{}, missed {}, pending {}; written twice by a producer {}",
            d.processed_once,
            d.duplicated,
            if group.idempotent {
                " (idempotent: no effect)"
            } else {
                ""
            },
            d.missed,
            d.pending,
            group.producer_duplicates
        );
        if let Some(sink) = &group.sink {
            let _ = writeln!(
                out,
                "Sink {} ({}/s, idempotence {}): {} effects, {} duplicate effects, {} duplicates rejected",
                sink.id,
                sink.capacity_per_sec,
                sink.idempotence.name(),
                sink.effects.effects,
                sink.effects.duplicate_effects,
                sink.effects.rejected_duplicates
            );
        }
    }
    for queue in &view.queues {
        let _ = writeln!(
            out,
            "\nQueue {} (fed by {}): depth {}, published {}, delivered {}, redelivered {}, acknowledged {}",
            queue.id,
            queue.producer,
            queue.depth,
            queue.published,
            queue.delivered,
            queue.redelivered,
            queue.acknowledged
        );
        for c in &queue.consumers {
            let _ = writeln!(
                out,
                "  {} ({}): {} processed, {} in hand",
                c.id,
                if c.alive { "running" } else { "crashed" },
                c.processed,
                c.in_hand
            );
        }
    }
    out
}

pub fn json(view: &ClusterView) -> Value {
    json!({
        "t_us": view.now_us,
        "seed": view.seed,
        "brokers": view.brokers.iter().map(|b| json!({"broker": b.id, "alive": b.alive, "fenced": b.fenced})).collect::<Vec<_>>(),
        "topics": view.topics.iter().map(|t| json!({
            "topic": t.name,
            "partitions": t.partitions.iter().map(|p| json!({
                "partition": p.partition, "leader": p.leader, "replicas": p.replicas, "isr": p.isr,
                "high_watermark": p.high_watermark, "log_end_offset": p.log_end_offset, "log_start_offset": p.log_start_offset,
                "offline": p.offline, "under_replicated": p.under_replicated,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "producers": view.producers,
        "groups": view.groups.iter().map(|g| json!({
            "group": g.group,
            "state": g.state,
            "generation": g.generation,
            "coordinator": g.coordinator,
            "members": g.members.iter().map(|m| json!({"member": m.member, "member_id": m.member_id, "status": m.status, "assignment": m.assignment})).collect::<Vec<_>>(),
            "partitions": g.partitions.iter().map(|r| json!({
                "topic": r.topic, "partition": r.partition, "current_offset": r.current_offset,
                "log_end_offset": r.log_end_offset, "lag": r.lag, "consumer_id": r.consumer_id,
                "client_id": r.client_id,
            })).collect::<Vec<_>>(),
            "delivery": g.delivery,
            "producer_duplicates": g.producer_duplicates,
            "sink": g.sink,
        })).collect::<Vec<_>>(),
        "queues": view.queues,
    })
}
