//! What the KRaft controller keeps besides the partitions' registrations (`partition::Partition`, in
//! `Simulation::topics`): each broker's registration, and whether a preferred-leader balance is
//! scheduled. Only the controller's handlers change it; brokers and clients read it as metadata.

use super::event::{EventKind, Reason};
use super::ids::{BrokerId, Micros, Tp};
use super::kernel::Kernel;
use super::partition::Topic;

/// The controller's state besides the partitions' registrations (`Simulation::topics`): each broker's
/// registration, and whether a preferred-leader balance is scheduled.
#[derive(Clone, Debug)]
pub struct Controller {
    /// By broker index.
    pub registrations: Vec<Registration>,
    /// A preferred-leader election is scheduled (`Ev::BalanceLeaders`).
    pub(crate) leader_balance_scheduled: bool,
}

/// A broker as the controller registers it (`BrokerRegistration`, and its heartbeat state).
#[derive(Clone, Debug, Default)]
pub struct Registration {
    /// The controller has fenced it (its session expired); it holds no leadership and no ISR place.
    pub fenced: bool,
    /// When its current registration began: its heartbeats go every `broker.heartbeat.interval.ms` from
    /// then.
    pub registered_us: Micros,
    /// Since when a network fault has cut this running broker off from the controller: its heartbeats
    /// are lost, and the controller fences it `broker.session.timeout.ms` after the last that arrived.
    pub cut_at: Option<Micros>,
}

impl Controller {
    pub fn new(brokers: u32) -> Controller {
        Controller {
            registrations: vec![Registration::default(); brokers as usize],
            leader_balance_scheduled: false,
        }
    }
}

/// A leader's AlterPartition (`ReplicationControlManager.alterPartition`): the controller commits the ISR
/// the partition's current leader proposes, and the brokers see it at once. Only the controller writes a
/// partition's registration; a leader cut off from it sends nothing (the caller checks).
pub(crate) fn alter_partition(
    topics: &mut [Topic],
    k: &mut Kernel,
    (tp, leader): (Tp, BrokerId),
    isr: Vec<BrokerId>,
    reason: Reason,
) {
    let partition = &mut topics[tp.topic].partitions[tp.partition as usize];
    if partition.leader != Some(leader) {
        return;
    }
    partition.isr = isr;
    emit_isr_changed(topics, k, tp, reason);
}

/// The trace's record of a partition's new ISR.
pub(crate) fn emit_isr_changed(topics: &[Topic], k: &mut Kernel, tp: Tp, reason: Reason) {
    let topic = &topics[tp.topic];
    k.emit(EventKind::IsrChanged {
        topic: topic.name.clone(),
        partition: tp.partition,
        isr: super::ids::plain(&topic.partitions[tp.partition as usize].isr),
        reason,
    });
}
