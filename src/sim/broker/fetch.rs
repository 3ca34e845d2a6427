//! The broker's side of a consumer's Fetch: read from the leaders' logs up to the high watermark, answered at
//! once or parked until data arrives or `fetch.max.wait.ms` ends (`ReplicaManager.fetchMessages`,
//! `DelayedFetch`).

use crate::engine::Simulation;
use crate::group::MemberStatus;
use crate::ids::{BrokerId, Tp};
use crate::network::{FlowKind, Node};
use crate::protocol::MemberEvent;
use crate::scenario::MAX_BROKERS;

impl Simulation {
    pub(crate) fn consumer_fetch_arrive(&mut self, group: usize, member: usize, fetch: u64) {
        if self.groups[group].members[member].fetch != Some(fetch) {
            return;
        }
        let data = self.fetchable(group, member);
        if data.is_empty() {
            // Long poll: parked until new data reaches the high watermark or fetch.max.wait.ms.
            let incarnation = self.groups[group].members[member].incarnation;
            self.groups[group].members[member].fetch_parked = true;
            for index in 0..self.groups[group].members[member].assigned.len() {
                let tp = self.groups[group].members[member].assigned[index];
                if self.leader_log(tp).is_some() && self.leader_reachable(group, member, tp) {
                    self.partition_mut(tp)
                        .parked_consumers
                        .push((group, member, incarnation));
                }
            }
            let deadline =
                self.on_quantum(self.k.now + self.groups[group].config.fetch_max_wait_ms * 1000);
            let m = &mut self.groups[group].members[member];
            m.fetch_deadline = deadline;
            if m.wait_timer_at.is_none_or(|at| at > deadline) {
                m.wait_timer_at = Some(deadline);
                self.member_ev(group, member, deadline, MemberEvent::FetchWaitExpired);
            }
        } else {
            self.respond_consumer_fetch(group, member, fetch, data);
        }
    }

    pub(crate) fn respond_consumer_fetch(
        &mut self,
        group: usize,
        member: usize,
        fetch: u64,
        data: Vec<(Tp, u64, u64)>,
    ) {
        let latency = self.latency(
            Node::Broker {
                broker: BrokerId(1),
            },
            Node::Member { group, member },
        );
        if self.records_flows() {
            // One response drawn from each leader with data, sized by its records.
            let mut per_leader = [None; MAX_BROKERS as usize + 1];
            for (tp, first, end) in &data {
                if let Some(leader) = self.partition(*tp).leader {
                    *per_leader[leader.get() as usize].get_or_insert(0) += (end - first) as u32;
                }
            }
            self.draw_fetch_flows(group, member, FlowKind::ConsumerData, per_leader);
        }
        self.member_ev(
            group,
            member,
            self.k.now + latency,
            MemberEvent::FetchResponse { fetch, data },
        );
    }

    /// New data reached the high watermark (or the leader moved): answer a parked fetch now.
    pub(crate) fn answer_parked_consumer_fetch(
        &mut self,
        group: usize,
        member: usize,
        incarnation: u32,
    ) {
        let m = &self.groups[group].members[member];
        if m.incarnation != incarnation || !m.fetch_parked || m.status != MemberStatus::Running {
            return;
        }
        let fetch = m.fetch.expect("a parked fetch exists");
        self.groups[group].members[member].fetch_parked = false;
        for index in 0..self.groups[group].members[member].assigned.len() {
            let tp = self.groups[group].members[member].assigned[index];
            self.partition_mut(tp)
                .parked_consumers
                .retain(|parked| *parked != (group, member, incarnation));
        }
        let data = self.fetchable(group, member);
        self.respond_consumer_fetch(group, member, fetch, data);
    }

    /// A broker crashed: fetches parked on it fail and are retried by the consumer.
    pub(crate) fn release_consumer_fetches_on_broker(&mut self, broker: BrokerId) {
        for tp in self.all_partitions() {
            if self.partition(tp).leader == Some(broker) {
                let parked = std::mem::take(&mut self.partition_mut(tp).parked_consumers);
                for (group, member, incarnation) in parked {
                    self.answer_parked_consumer_fetch(group, member, incarnation);
                }
            }
        }
    }
}
