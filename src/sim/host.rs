//! A broker as a node: its state (`Broker`: the process, the replicas it hosts, its fetch sessions and
//! purgatories) and what its handlers reach besides it (`Host`: the kernel, its metadata image, the
//! observer's books, and AlterPartition to the controller). The handlers are in `broker/`.

use super::accounting::ProduceLedger;
use super::config::ClusterConfig;
use super::event::Reason;
use super::ids::{
    BrokerId, BrokerProduceId, FetchId, GroupIx, MemberSlot, Micros, ProducerIx, ProducerRequestId,
    Tp,
};
use super::kernel::Kernel;
use super::log::BatchFacts;
use super::metadata::Registration;
use super::network::Node;
use super::partition::{FetchSession, ParkedReplicaFetch};
use super::partition::{Partition, Topic};
use super::producer::Producer;
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
    pub(crate) delayed_produces: BTreeMap<BrokerProduceId, DelayedProduce>,
    /// The id the next ProduceRequest it handles gets.
    pub(crate) next_produce: BrokerProduceId,
    /// The response to the ProduceRequest being handled, built batch by batch.
    pub(crate) produce_reply: Option<DelayedProduce>,
    /// While a ProduceRequest is appended: the partitions whose waiting replica fetches are woken once
    /// the whole request is in the log (empty between requests; kept for its allocation).
    pub(crate) deferred_wakeups: Vec<Tp>,
    /// While a partition's high watermark advances: the acks it releases (empty otherwise; kept for its
    /// allocation).
    pub(crate) released_acks: Vec<(BrokerProduceId, ProducerRequestId)>,
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
            next_produce: BrokerProduceId::default(),
            produce_reply: None,
            deferred_wakeups: Vec::new(),
            released_acks: Vec::new(),
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

/// What a broker's handlers reach besides the broker. Read-only, its metadata image: the partitions'
/// registrations and the topics' configs, the brokers' registrations (fenced or not), the partitions each
/// broker leads, and its own configuration. The kernel (clock, messages, timers, trace). The observer's
/// books (`Books`), which no node reads to decide anything. And one synchronous request to another
/// node, the controller: AlterPartition (`alter_partition`), answered at once.
pub(crate) struct Host<'a> {
    pub k: &'a mut Kernel,
    /// Private: the broker reads it (`partition`, `topic`); only the controller's AlterPartition writes it.
    topics: &'a mut [Topic],
    pub cluster: &'a ClusterConfig,
    pub registrations: &'a [Registration],
    /// By leader and follower broker index, the partitions the one leads and the other follows.
    pub led_by: &'a [Vec<Vec<Tp>>],
    /// The producers, for their `client.id`, which each request's header carries.
    producers: &'a [Producer],
    pub books: Books<'a>,
}

/// What the observer writes down while a broker handles a request: what is learnt about each batch, what
/// became of each produce request, and the partitions whose logs are due to be summarised (the engine
/// does it after the handler, `Simulation::summarize`).
pub(crate) struct Books<'a> {
    pub batch_facts: &'a mut BatchFacts,
    pub produce_ledger: &'a mut ProduceLedger,
    pub summarize_due: &'a mut Vec<Tp>,
}

impl<'a> Host<'a> {
    /// What a broker's handlers reach, built by the engine (`Simulation::host`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        k: &'a mut Kernel,
        topics: &'a mut [Topic],
        cluster: &'a ClusterConfig,
        registrations: &'a [Registration],
        led_by: &'a [Vec<Vec<Tp>>],
        producers: &'a [Producer],
        books: Books<'a>,
    ) -> Host<'a> {
        Host {
            k,
            topics,
            cluster,
            registrations,
            led_by,
            producers,
            books,
        }
    }
}

impl Host<'_> {
    #[inline(always)]
    pub(crate) fn partition(&self, tp: Tp) -> &Partition {
        &self.topics[tp.topic].partitions[tp.partition as usize]
    }

    #[inline(always)]
    pub(crate) fn topic(&self, topic: usize) -> &Topic {
        &self.topics[topic]
    }

    /// The `client.id` of a producer's requests.
    #[inline(always)]
    pub(crate) fn client_id(&self, producer: ProducerIx) -> &str {
        &self.producers[producer.index()].id
    }

    /// Whether `broker` is fenced, as the metadata image says.
    #[inline(always)]
    pub(crate) fn fenced(&self, broker: BrokerId) -> bool {
        self.registrations[broker.index()].fenced
    }

    /// Whether this broker's AlterPartition requests reach the controller (no network fault between them).
    #[inline(always)]
    pub(crate) fn reaches_controller(&self, broker: BrokerId) -> bool {
        !self
            .k
            .network
            .is_cut(Node::Broker { broker }, Node::Controller)
    }

    /// AlterPartition from the partition's leader `leader`: the controller's handler runs at once
    /// (`metadata::alter_partition`), and the new registration is what every broker's metadata image
    /// shows from now on.
    pub(crate) fn alter_partition(
        &mut self,
        tp: Tp,
        leader: BrokerId,
        isr: Vec<BrokerId>,
        reason: Reason,
    ) {
        super::metadata::alter_partition(self.topics, self.k, (tp, leader), isr, reason);
    }

    /// The consumer learns at `at` that its fetch to `broker` will get no answer.
    pub(crate) fn fetch_failed(
        &mut self,
        broker: BrokerId,
        (group, member, incarnation, fetch): (GroupIx, MemberSlot, u32, FetchId),
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
