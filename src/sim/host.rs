//! A broker as a node: its state (`Broker`: the process, the replicas it hosts, its purgatories) and what
//! its handlers reach besides it (`Host`: the kernel, and the partitions' registrations as its metadata
//! image). The handlers are in `broker/`.

use super::ids::{BrokerId, Micros, Tp};
use super::kernel::Kernel;
use super::partition::{Partition, Topic};
use super::protocol::{Ev, MemberEvent};

/// A broker: the process (running or not, its incarnation, a restart waiting to register), the replicas
/// it hosts, and its purgatories. The controller's registration of it is `metadata::Registration`.
#[derive(Clone, Debug)]
pub struct Broker {
    pub id: BrokerId,
    pub alive: bool,
    pub incarnation: u32,
    /// Restarted while its old session was still valid: the new process waits to register.
    pub restart_pending: bool,
    /// The replicas it hosts: their logs, and the leaders' state.
    pub replicas: super::partition::HostedReplicas,
    /// Consumer fetches parked here, one slot per (group, member) (`broker::fetch`).
    pub(crate) consumer_purgatory: Vec<super::protocol::ParkedConsumerFetch>,
}

/// What a broker's handlers reach besides the broker: the kernel (clock, messages, timers, events) and,
/// read-only, the partitions' registrations (its metadata image).
pub(crate) struct Host<'a> {
    pub k: &'a mut Kernel,
    pub topics: &'a [Topic],
}

impl Host<'_> {
    #[inline(always)]
    pub(crate) fn partition(&self, tp: Tp) -> &Partition {
        &self.topics[tp.topic].partitions[tp.partition as usize]
    }

    /// The consumer learns at `at` that its fetch to `broker` will get no answer.
    pub(crate) fn fetch_failed(
        &mut self,
        broker: BrokerId,
        (group, member, incarnation, fetch): (usize, usize, u32, u64),
        at: Micros,
    ) {
        self.k.schedule(
            at,
            Ev::Member {
                group,
                member,
                incarnation,
                event: MemberEvent::FetchFailed { broker, fetch },
            },
        );
    }
}
