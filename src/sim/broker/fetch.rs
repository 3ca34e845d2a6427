//! The broker's side of a consumer's Fetch: read the partitions it leads up to the high watermark, answered
//! at once or parked until data arrives or `fetch.max.wait.ms` ends (`ReplicaManager.fetchMessages`,
//! `DelayedFetch`). The request carries where to read each partition; the broker also answers where
//! `auto.offset.reset` puts a partition with no position (ListOffsets) and where the epoch of a consumer's
//! last records ends (OffsetsForLeaderEpoch), both folded into the fetch.

use crate::config::AutoOffsetReset;
use crate::host::{Broker, Host};
use crate::ids::{GroupIx, MemberSlot};
use crate::network::{FlowKind, Node};
use crate::protocol::{
    ConsumerFetchRequest, ConsumerFetched, Ev, FetchFrom, FetchOutcome, MemberEvent,
};
use crate::scenario::MAX_MEMBERS;

/// Where a member's fetch parked at a broker sits in `Broker::consumer_purgatory`.
#[inline(always)]
fn purgatory_slot(group: GroupIx, member: MemberSlot) -> usize {
    group.index() * MAX_MEMBERS + member.index()
}

/// The broker's consumer-fetch handlers.
impl Broker {
    /// A consumer's FetchRequest arrived at `broker`.
    pub(crate) fn consumer_fetch_arrive(
        &mut self,
        h: &mut Host<'_>,
        request: Box<ConsumerFetchRequest>,
    ) {
        let (broker, group, member) = (self.id, request.group, request.member);
        if !self.alive {
            // Connection refused: the client learns at once.
            let at = h.k.now
                + h.k
                    .latency(Node::Broker { broker }, Node::Member { group, member });
            return h.fetch_failed(broker, request.sender(), at);
        }
        let (data, answer_now) = self.serve_consumer_fetch(h, &request);
        if answer_now {
            return self.send_consumer_fetch_response(h, &request, data);
        }
        // Long poll: parked until new data reaches the high watermark, the leader moves, or
        // fetch.max.wait.ms ends.
        for entry in &request.partitions {
            let incarnation = request.incarnation;
            self.replicas
                .get_mut(entry.tp)
                .expect("the leader's replica")
                .parked_consumers
                .push((group, member, incarnation));
        }
        let deadline = h.k.on_quantum(h.k.now + request.max_wait_us);
        let index = purgatory_slot(group, member);
        if self.consumer_purgatory.len() <= index {
            self.consumer_purgatory
                .resize_with(index + 1, Default::default);
        }
        let slot = &mut self.consumer_purgatory[index];
        slot.request = Some(request);
        slot.deadline = deadline;
        self.arm_consumer_fetch_wait(h, group, member);
    }

    /// Keeps the slot's one wake-up set no later than its deadline.
    fn arm_consumer_fetch_wait(&mut self, h: &mut Host<'_>, group: GroupIx, member: MemberSlot) {
        let broker = self.id;
        let slot = &mut self.consumer_purgatory[purgatory_slot(group, member)];
        let deadline = slot.deadline;
        if slot.timer_at.is_none_or(|at| at > deadline) {
            slot.timer_at = Some(deadline);
            h.k.schedule(
                deadline,
                Ev::ConsumerFetchWait {
                    broker,
                    group,
                    member,
                },
            );
        }
    }

    /// What the broker answers now for each partition of the fetch, and whether anything is worth
    /// answering at once (records, a reset, an error, a divergence): otherwise the fetch waits.
    fn serve_consumer_fetch(
        &self,
        h: &Host<'_>,
        request: &ConsumerFetchRequest,
    ) -> (Vec<ConsumerFetched>, bool) {
        let broker = self.id;
        // Allocated at the first answer: a fetch with nothing to answer waits, and drops the list.
        let mut data = Vec::new();
        let answer = |data: &mut Vec<ConsumerFetched>, fetched| {
            if data.capacity() == 0 {
                data.reserve_exact(request.partitions.len());
            }
            data.push(fetched);
        };
        let mut answer_now = false;
        let mut total_bytes = 0;
        for entry in &request.partitions {
            let tp = entry.tp;
            let partition = h.partition(tp);
            let leader_epoch = partition.leader_epoch;
            let outcome_of = |outcome| ConsumerFetched {
                tp,
                from: entry.from,
                leader_epoch,
                outcome,
            };
            let log = match self.replicas.get(tp).map(|replica| &replica.log) {
                Some(log) if partition.leader == Some(broker) => log,
                _ => {
                    answer(&mut data, outcome_of(FetchOutcome::NotLeader));
                    answer_now = true;
                    continue;
                }
            };
            let (log_start, high_watermark, log_end) =
                (log.log_start_offset, log.high_watermark, log.log_end_offset);
            let position = match entry.from {
                FetchFrom::Offset(position) => position,
                FetchFrom::Reset(AutoOffsetReset::Latest) => high_watermark,
                FetchFrom::Reset(_) => log_start,
            };
            if let (Some(epoch), FetchFrom::Offset(_)) = (entry.validate, entry.from) {
                // `LeaderEpochFileCache.endOffsetFor`: where the consumer's epoch ends in this log.
                let end_offset = log
                    .end_offset_for_epoch(epoch)
                    .map_or(log_start, |(_, end)| end);
                if end_offset < position {
                    answer(
                        &mut data,
                        outcome_of(FetchOutcome::Diverging { end_offset }),
                    );
                    answer_now = true;
                    continue;
                }
            }
            if position < log_start || position > log_end {
                answer(&mut data, outcome_of(FetchOutcome::OutOfRange));
                answer_now = true;
                continue;
            }
            let told = matches!(entry.from, FetchFrom::Reset(_)) || entry.validate.is_some();
            if position >= high_watermark || total_bytes >= request.max_bytes {
                // Nothing to read yet; a reset or a validation is still worth telling.
                if told {
                    answer(
                        &mut data,
                        outcome_of(FetchOutcome::Records {
                            first: position,
                            end: position,
                            last_epoch: 0,
                        }),
                    );
                    answer_now = true;
                }
                continue;
            }
            let record_bytes = log.record_bytes_at(position).max(1);
            let max_records = (request.partition_max_bytes / record_bytes).max(1);
            let end = high_watermark.min(position + max_records);
            total_bytes += (end - position) * record_bytes;
            let last_epoch = log.epoch_at(end - 1).unwrap_or(leader_epoch);
            answer(
                &mut data,
                outcome_of(FetchOutcome::Records {
                    first: position,
                    end,
                    last_epoch,
                }),
            );
            answer_now = true;
        }
        (data, answer_now)
    }

    fn send_consumer_fetch_response(
        &mut self,
        h: &mut Host<'_>,
        request: &ConsumerFetchRequest,
        data: Vec<ConsumerFetched>,
    ) {
        let broker = self.id;
        let (group, member) = (request.group, request.member);
        let records = data
            .iter()
            .map(|fetched| match fetched.outcome {
                FetchOutcome::Records { first, end, .. } => (end - first) as u32,
                _ => 0,
            })
            .sum();
        let sent = h.k.send(
            Node::Broker { broker },
            Node::Member { group, member },
            FlowKind::ConsumerData,
            records,
            Ev::Member {
                group,
                member,
                incarnation: request.incarnation,
                event: MemberEvent::FetchResponse {
                    broker,
                    fetch: request.fetch,
                    data,
                },
            },
        );
        if !sent {
            // Lost to a network fault: the consumer's request.timeout.ms runs out.
            let at = request.sent_us + crate::protocol::CONSUMER_REQUEST_TIMEOUT_US;
            h.fetch_failed(broker, request.sender(), at);
        }
    }

    /// The delayed-fetch timer of a parked consumer fetch: answers it if its `fetch.max.wait.ms` is over,
    /// or re-arms for the deadline of the fetch parked now.
    pub(crate) fn consumer_fetch_wait_expired(
        &mut self,
        h: &mut Host<'_>,
        group: GroupIx,
        member: MemberSlot,
    ) {
        let now = h.k.now;
        let Some(slot) = self
            .consumer_purgatory
            .get_mut(purgatory_slot(group, member))
        else {
            return;
        };
        if slot.timer_at == Some(now) {
            slot.timer_at = None;
        }
        if slot.request.is_none() {
            return;
        }
        if slot.deadline > now {
            self.arm_consumer_fetch_wait(h, group, member);
            return;
        }
        self.answer_parked_consumer_fetch(h, group, member);
    }

    /// New data reached the high watermark, the leader moved or the wait ended: the parked fetch of a
    /// member at `broker` is answered with what there is now.
    pub(crate) fn answer_parked_consumer_fetch(
        &mut self,
        h: &mut Host<'_>,
        group: GroupIx,
        member: MemberSlot,
    ) {
        let Some(request) = self
            .consumer_purgatory
            .get_mut(purgatory_slot(group, member))
            .and_then(|slot| slot.request.take())
        else {
            return;
        };
        let incarnation = request.incarnation;
        for entry in &request.partitions {
            if let Some(replica) = self.replicas.get_mut(entry.tp) {
                replica
                    .parked_consumers
                    .retain(|parked| *parked != (group, member, incarnation));
            }
        }
        let (data, _) = self.serve_consumer_fetch(h, &request);
        self.send_consumer_fetch_response(h, &request, data);
    }

    /// A broker crashed: the fetches parked on it are gone, and their consumers' connections close.
    pub(crate) fn release_consumer_fetches(&mut self, h: &mut Host<'_>) {
        let broker = self.id;
        for index in 0..self.consumer_purgatory.len() {
            let Some(request) = self.consumer_purgatory[index].request.take() else {
                continue;
            };
            let (group, member) = (request.group, request.member);
            for entry in &request.partitions {
                let incarnation = request.incarnation;
                if let Some(replica) = self.replicas.get_mut(entry.tp) {
                    replica
                        .parked_consumers
                        .retain(|parked| *parked != (group, member, incarnation));
                }
            }
            let now = h.k.now;
            h.fetch_failed(broker, request.sender(), now);
        }
    }
}
