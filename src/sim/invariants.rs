//! Invariants that must hold after every event. Tests call [`check`] after each step of a run; a
//! violation is a bug in the simulator, reported with enough context to reproduce it.

use super::engine::Simulation;
use super::group::MemberStatus;
use std::collections::BTreeSet;

pub fn check(sim: &Simulation) -> Result<(), String> {
    for (topic_index, topic) in sim.topics.iter().enumerate() {
        for (index, partition) in topic.partitions.iter().enumerate() {
            let name = format!("{}-{}", topic.name, index);
            let tp = super::ids::Tp {
                topic: topic_index,
                partition: index as u32,
            };
            for replica in &partition.replicas {
                let Some(log) = sim.log_of(tp, *replica) else {
                    return Err(format!("{name}: broker {replica} hosts no replica"));
                };
                if !(log.log_start_offset <= log.high_watermark
                    && log.high_watermark <= log.log_end_offset)
                {
                    return Err(format!(
                        "{name} on broker {replica}: need log start {} ≤ HW {} ≤ LEO {}",
                        log.log_start_offset, log.high_watermark, log.log_end_offset
                    ));
                }
                // Runs then batches, the runs ending where the batches begin; the ends must agree with the
                // offsets the log reports: the first piece holds the log start offset (nothing below it is
                // kept, nothing at or above it is missing) and the last one ends at the log end offset.
                if let Some((first_base, first_end, last_end)) = log.span() {
                    let holds_start =
                        first_base <= log.log_start_offset && log.log_start_offset < first_end;
                    if !holds_start || last_end != log.log_end_offset || !log.contiguous() {
                        return Err(format!(
                            "{name} on broker {replica}: runs and batches span {}..{} (contiguous: {}) but the log says start {} end {}",
                            first_base,
                            last_end,
                            log.contiguous(),
                            log.log_start_offset,
                            log.log_end_offset
                        ));
                    }
                } else if log.log_start_offset != log.log_end_offset {
                    return Err(format!(
                        "{name} on broker {replica}: no batches but the log says start {} end {}",
                        log.log_start_offset, log.log_end_offset
                    ));
                }
            }
            if partition.isr.is_empty() {
                return Err(format!("{name}: empty ISR"));
            }
            if partition
                .isr
                .iter()
                .any(|broker| !partition.replicas.contains(broker))
            {
                return Err(format!(
                    "{name}: ISR {:?} ⊄ replicas {:?}",
                    partition.isr, partition.replicas
                ));
            }
            if let Some(leader) = partition.leader {
                if !partition.isr.contains(&leader) {
                    return Err(format!(
                        "{name}: leader {leader} not in ISR {:?}",
                        partition.isr
                    ));
                }
            }
        }
    }
    if let Some(violation) = sim.violations.first() {
        return Err(violation.clone());
    }
    for (group, clients) in sim.groups.iter().zip(&sim.consumers) {
        let mut owned = BTreeSet::new();
        for (member, partitions) in &group.assignment {
            for tp in partitions {
                if !owned.insert(*tp) {
                    return Err(format!(
                        "group {}: partition {:?} assigned twice in generation {} (member {})",
                        group.id,
                        tp,
                        group.generation,
                        member.index()
                    ));
                }
            }
        }
        let mut held = BTreeSet::new();
        for member in &clients.members {
            if member.status != MemberStatus::Running || member.generation != Some(group.generation)
            {
                continue;
            }
            for tp in &member.assigned {
                if !held.insert(*tp) {
                    return Err(format!(
                        "group {}: two members of generation {} own {:?}",
                        group.id, group.generation, tp
                    ));
                }
            }
        }
        for (tp, committed) in &group.committed {
            let partition = sim.partition(*tp);
            let Some(leader) = partition.leader else {
                continue;
            };
            if partition.recovering || !sim.broker(leader).alive {
                continue;
            }
            // A new leader may learn the high watermark late, but it holds every record below the old one.
            let log_end = sim.log_of(*tp, leader).map_or(0, |log| log.log_end_offset);
            if *committed > log_end {
                return Err(format!("group {}: committed offset {committed} of {:?} above the leader's log end {log_end}", group.id, tp));
            }
        }
    }
    Ok(())
}
