//! A broker as a node: its state (`Broker`: the process, the replicas it hosts, its purgatories) and what
//! its handlers reach besides it (`Host`: the kernel, and the partitions' registrations as its metadata
//! image). The handlers are in `broker/`.

use super::ids::{BrokerId, Micros, Tp};
use super::kernel::Kernel;
use super::partition::{FetchSession, ParkedReplicaFetch};
use super::partition::{Partition, Topic};
use super::protocol::{DelayedProduce, Ev, MemberEvent};
use std::collections::BTreeMap;

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
    /// As a follower: its fetch session with each leader broker, by the leader's index.
    pub(crate) fetchers: Vec<FetchSession>,
    /// As a leader: the fetch each follower broker has parked here, by the follower's index.
    pub(crate) parked_replica_fetches: Vec<ParkedReplicaFetch>,
    /// acks=all ProduceRequests in its purgatory, by request id, until all their batches are settled.
    pub(crate) delayed_produces: BTreeMap<u64, DelayedProduce>,
    /// The response to the ProduceRequest being handled, built batch by batch.
    pub(crate) produce_reply: Option<DelayedProduce>,
    /// While a ProduceRequest is appended: the partitions whose waiting replica fetches are woken once
    /// the whole request is in the log.
    pub(crate) deferred_wakeups: Option<Vec<Tp>>,
}

impl Broker {
    /// Broker `id`'s process as it first starts, in a cluster of `brokers`.
    pub(crate) fn new(id: BrokerId, brokers: usize) -> Broker {
        Broker {
            id,
            alive: true,
            incarnation: 0,
            restart_pending: false,
            replicas: Default::default(),
            consumer_purgatory: Vec::new(),
            fetchers: vec![FetchSession::default(); brokers],
            parked_replica_fetches: vec![ParkedReplicaFetch::default(); brokers],
            delayed_produces: BTreeMap::new(),
            produce_reply: None,
            deferred_wakeups: None,
        }
    }

    /// The connections to `peer` closed (its process crashed, or this one did): the fetch session with
    /// it as leader ends, and the fetch it parked here as follower is dropped.
    pub(crate) fn connection_closed(&mut self, peer: BrokerId) {
        let fetcher = &mut self.fetchers[peer.index()];
        fetcher.session += 1;
        fetcher.active = false;
        self.parked_replica_fetches[peer.index()].parked = None;
    }
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
