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

/// A producer client: its place among the run's producers (its `client.id` is the scenario's name for it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ProducerIx(pub u32);

impl ProducerIx {
    /// Its place in `Simulation::producers`.
    #[inline(always)]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The producer at `index`.
    #[inline(always)]
    pub fn at(index: usize) -> ProducerIx {
        ProducerIx(index as u32)
    }
}

/// A consumer group: its place among the run's groups (its `group.id` is the scenario's name for it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct GroupIx(pub u32);

impl GroupIx {
    /// Its place in `Simulation::groups` (and `consumers`, `group_ledgers`).
    #[inline(always)]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The group at `index`.
    #[inline(always)]
    pub fn at(index: usize) -> GroupIx {
        GroupIx(index as u32)
    }
}

/// A member of a group: its slot, a named consumer (its `client.id`). A restarted process keeps its slot
/// and gets a new `MemberId`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct MemberSlot(pub u32);

impl MemberSlot {
    /// Its place in its group's `members` (and the coordinator's `memberships`).
    #[inline(always)]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The slot at `index`.
    #[inline(always)]
    pub fn at(index: usize) -> MemberSlot {
        MemberSlot(index as u32)
    }
}
