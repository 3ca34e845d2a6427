//! Identifiers and units shared by every part of the core.

/// Simulated time, in microseconds.
pub type Micros = u64;

/// A partition of a topic, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tp {
    pub topic: usize,
    pub partition: u32,
}

/// A broker's `node.id` (1, 2, …, as a scenario numbers them). The views and the trace carry it as a
/// plain number (`BrokerId::get`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct BrokerId(pub u32);

impl std::fmt::Display for BrokerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl BrokerId {
    #[inline(always)]
    pub fn get(self) -> u32 {
        self.0
    }

    /// Its place in `Simulation::brokers`.
    #[inline(always)]
    pub fn index(self) -> usize {
        (self.0 - 1) as usize
    }

    /// Every broker of a cluster of `count`, in order.
    pub fn all(count: u32) -> impl Iterator<Item = BrokerId> {
        (1..=count).map(BrokerId)
    }
}

/// A consumer's `member.id` as its group's coordinator gave it: the how-many-th id the coordinator gave
/// that member (its client, across restarts). Its text, `client.id-UUID`, is made from it on demand
/// (`Simulation::member_id_text`), so messages carry a number, not a string.
/// Never zero, so that an `Option<MemberId>` takes no more room in a message than the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemberId(pub std::num::NonZeroU32);

impl MemberId {
    /// The `n`-th id given (`n` ≥ 1).
    pub fn nth(n: u32) -> MemberId {
        MemberId(std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MIN))
    }
}

/// Broker ids as the views and the trace carry them: plain numbers.
pub fn plain(ids: &[BrokerId]) -> Vec<u32> {
    ids.iter().map(|id| id.0).collect()
}

/// An id that is a place in one of the simulation's lists (`index`, and `at` from a place).
macro_rules! index_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// Its place in its list.
            #[inline(always)]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The one at place `index`.
            #[inline(always)]
            pub fn at(index: usize) -> $name {
                $name(index as u32)
            }
        }
    };
}

index_id!(
    /// A producer client: its place in `Simulation::producers` (its `client.id` is the scenario's name
    /// for it).
    ProducerIx
);

index_id!(
    /// A consumer group: its place in `Simulation::groups` (and `consumers`, `group_ledgers`; its
    /// `group.id` is the scenario's name for it).
    GroupIx
);

index_id!(
    /// A classic queue beside the log: its place in `Simulation::queues` (its id is the scenario's name
    /// for it).
    QueueIx
);

index_id!(
    /// A consumer of a classic queue: its place in the queue's `consumers` (its id is the scenario's name
    /// for it).
    QueueConsumerIx
);

index_id!(
    /// A member of a group: its slot in the group's `members` (and the coordinator's `memberships`), a
    /// named consumer (its `client.id`). A restarted process keeps its slot and gets a new `MemberId`.
    MemberSlot
);

/// A request id a node gives its own requests of one kind: each kind is its own type, and each node numbers
/// its own from 0 (`issue`), as a Kafka client numbers its requests, so ids of different kinds can be
/// neither mixed up nor compared. No id reaches the trace.
macro_rules! request_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u64);

        impl $name {
            /// The id `counter` gives now (the node's next id); the counter moves on.
            #[inline(always)]
            pub fn issue(counter: &mut $name) -> $name {
                let id = *counter;
                counter.0 += 1;
                id
            }
        }
    };
}

request_id!(
    /// A producer's id for a batch it sends, across its attempts: the ProduceResponse names it. Each
    /// producer numbers its own (`Producer::next_request`).
    ProducerRequestId
);

request_id!(
    /// A broker's id for a ProduceRequest it handles (its `DelayedProduce` while it waits in the
    /// purgatory). Each broker numbers its own (`Broker::next_produce`).
    BrokerProduceId
);

request_id!(
    /// A consumer's FetchRequest to one broker: the response names it. Each consumer process numbers its
    /// own (`Member::next_fetch`).
    FetchId
);
