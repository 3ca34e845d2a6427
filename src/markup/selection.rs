//! The selection panel: what a learner clicked or tapped in the picture (a producer, broker, partition,
//! group or member), its facts, and the actions it offers (`data-action`, run by the same delegation as
//! the picture's and the describe tables').

use super::action::{Action, Target};
use super::events::partition_list;
use super::Markup;
use crate::messages::{fill, t, Msg};
use crate::sim::group::{Activity, MemberStatus};
use crate::sim::ids::{BrokerId, GroupIx, MemberSlot, ProducerIx};
use crate::sim::network::Node;
use crate::sim::num::Shortest;
use crate::sim::report::{broker_list, dash};
use crate::sim::view::ClusterView;

/// One fact: a label (often a Kafka name, the same in every language) and its value.
fn fact(m: &mut Markup, label: &str, value: impl std::fmt::Display) {
    m.open("dt").text(label);
    m.open("dd").text(value);
}

fn button(m: &mut Markup, action: Action, testid: &'static str, label: Msg) {
    m.open("button")
        .attr("type", "button")
        .action(&action)
        .attr("data-testid", testid)
        .text(t(label));
}

/// The node's network: connected, isolated, or cut off from some nodes.
fn network_fact(m: &mut Markup, v: &ClusterView, node: Node) {
    let (isolated, from) = v.cuts_of(node);
    let value = if isolated {
        t(Msg::SelIsolated).to_string()
    } else if from.is_empty() {
        t(Msg::SelConnected).to_string()
    } else {
        let nodes: Vec<String> = from.into_iter().map(|n| v.node_name(n)).collect();
        fill(t(Msg::SelCutFrom), &[("nodes", &nodes.join(", "))])
    };
    fact(m, t(Msg::SelNetwork), value);
}

/// The node's network actions: cut it off from every node, or reconnect it (heal its cuts).
fn network_buttons(m: &mut Markup, v: &ClusterView, node: Node) {
    let target = Target::of_node(v, node);
    let (isolated, from) = v.cuts_of(node);
    if !isolated {
        button(
            m,
            Action::Isolate(target.clone()),
            "selection-isolate",
            Msg::NetIsolate,
        );
    }
    if isolated || !from.is_empty() {
        button(
            m,
            Action::Reconnect(target),
            "selection-reconnect",
            Msg::NetReconnect,
        );
    }
}

fn yes_no(value: bool) -> &'static str {
    t(if value { Msg::Yes } else { Msg::No })
}

/// A member's state in words.
pub fn member_state(status: MemberStatus, activity: Activity, joining: bool) -> &'static str {
    t(match (status, activity) {
        (MemberStatus::Crashed, _) => Msg::StateCrashed,
        (MemberStatus::Left, _) => Msg::StateLeft,
        _ if joining => Msg::StateJoining,
        (_, Activity::Processing { .. }) => Msg::StateProcessing,
        (_, Activity::Committing) => Msg::StateCommitting,
        (_, Activity::Polling) => Msg::StatePolling,
        (_, Activity::Stopped) => Msg::StateStopped,
    })
}

/// The panel's markup for `selected`: its facts and its actions apart, so that the page can keep the
/// buttons in place while the facts change (a button replaced under the pointer loses its click). A hint
/// when nothing (or nothing that still exists, or nothing with facts of its own) is selected.
pub fn render_parts(v: &ClusterView, selected: Option<&Target>) -> (String, String) {
    let mut p = Panel {
        facts: Markup::with_capacity(2048),
        actions: Markup::with_capacity(512),
    };
    let found = match selected {
        Some(Target::Broker(id)) => broker(&mut p, v, *id),
        Some(Target::Partition { topic, partition }) => {
            self::partition(&mut p, v, topic, *partition)
        }
        Some(Target::Group(group)) => self::group(&mut p, v, group),
        Some(Target::Member { group, member }) => self::member(&mut p, v, group, member),
        Some(Target::Producer(id)) => producer(&mut p, v, id),
        Some(
            Target::Controller
            | Target::Service(_)
            | Target::Queue(_)
            | Target::Flow { .. }
            | Target::World,
        )
        | None => false,
    };
    if !found {
        let mut m = Markup::with_capacity(256);
        m.open("p")
            .attr("class", "ks-small-text")
            .text(t(Msg::SelectHint));
        return (m.into_string(), String::new());
    }
    (p.facts.into_string(), p.actions.into_string())
}

/// The facts and the actions together.
pub fn render(v: &ClusterView, selected: Option<&Target>) -> String {
    let (mut facts, actions) = render_parts(v, selected);
    facts.push_str(&actions);
    facts
}

/// The panel being written: facts, and the action buttons.
struct Panel {
    facts: Markup,
    actions: Markup,
}

fn broker(p: &mut Panel, v: &ClusterView, id: u32) -> bool {
    let (m, actions) = (&mut p.facts, &mut p.actions);
    let Some(b) = v.brokers.iter().find(|b| b.id == id) else {
        return false;
    };
    let node = Node::Broker {
        broker: BrokerId(b.id),
    };
    m.open("h3")
        .text(fill(t(Msg::SelBroker), &[("broker", &b.id)]));
    let leads: Vec<String> = v
        .topics
        .iter()
        .flat_map(|topic| {
            topic
                .partitions
                .iter()
                .filter(|p| p.leader == Some(b.id))
                .map(move |p| format!("{}-{}", topic.name, p.partition))
        })
        .collect();
    let hosts = v
        .topics
        .iter()
        .flat_map(|topic| &topic.partitions)
        .filter(|p| p.replicas.contains(&b.id))
        .count();
    m.open("dl").children(|m| {
        fact(
            m,
            t(Msg::SelStatus),
            t(if b.alive {
                Msg::SelRunning
            } else {
                Msg::BrokerDown
            }),
        );
        fact(m, t(Msg::SelFenced), yes_no(b.fenced));
        fact(
            m,
            t(Msg::SelLeads),
            if leads.is_empty() {
                "-".to_string()
            } else {
                leads.join(", ")
            },
        );
        fact(m, t(Msg::SelReplicas), hosts);
        network_fact(m, v, node);
    });
    let (testid, label) = if b.alive {
        ("selection-broker-crash", Msg::BrokerCrash)
    } else {
        ("selection-broker-restart", Msg::BrokerRestart)
    };
    actions
        .open("div")
        .attr("class", "ks-buttons")
        .children(|m| {
            let action = if b.alive {
                Action::Crash
            } else {
                Action::Restart
            };
            button(m, action(Target::Broker(b.id)), testid, label);
            let (isolated, from) = v.cuts_of(node);
            if !isolated && !from.contains(&Node::Controller) {
                button(
                    m,
                    Action::CutFromController(Target::Broker(b.id)),
                    "selection-cut-controller",
                    Msg::NetCutController,
                );
            }
            network_buttons(m, v, node);
        });
    true
}

fn partition(p: &mut Panel, v: &ClusterView, topic: &str, partition: u32) -> bool {
    let m = &mut p.facts;
    let Some(p) = v
        .topics
        .iter()
        .find(|t| t.name == topic)
        .and_then(|t| t.partitions.iter().find(|p| p.partition == partition))
    else {
        return false;
    };
    m.open("h3").text(fill(
        t(Msg::SelPartition),
        &[("topic", &topic), ("partition", &p.partition)],
    ));
    m.open("dl").children(|m| {
        fact(
            m,
            t(Msg::SelLeader),
            p.leader
                .map_or_else(|| t(Msg::Offline).to_string(), |l| l.to_string()),
        );
        fact(m, "Replicas", broker_list(&p.replicas));
        fact(m, "ISR", broker_list(&p.isr));
        fact(m, "log start offset", p.log_start_offset);
        fact(m, "HW", p.high_watermark);
        fact(m, "LEO", p.log_end_offset);
        if p.offline {
            fact(m, t(Msg::SelStatus), t(Msg::Offline));
        } else if p.under_replicated {
            fact(m, t(Msg::SelStatus), t(Msg::UnderReplicated));
        }
        for g in &v.groups {
            if let Some(row) = g
                .partitions
                .iter()
                .find(|r| r.topic == topic && r.partition == p.partition)
            {
                fact(
                    m,
                    &fill(t(Msg::SelLagOf), &[("group", &g.group)]),
                    row.lag.map_or("-".to_string(), |lag| lag.to_string()),
                );
            }
        }
    });
    true
}

fn group(p: &mut Panel, v: &ClusterView, id: &str) -> bool {
    let m = &mut p.facts;
    let Some(g) = v.groups.iter().find(|g| g.group == id) else {
        return false;
    };
    m.open("h3")
        .text(fill(t(Msg::SelGroup), &[("group", &g.group)]));
    m.open("dl").children(|m| {
        fact(m, t(Msg::SelState), g.state);
        fact(m, "generation", g.generation);
        fact(m, "protocol", g.protocol);
        fact(m, "assignor", g.assignor.unwrap_or("-"));
        fact(
            m,
            t(Msg::SelGroupLeader),
            g.leader.as_deref().unwrap_or("-"),
        );
        fact(m, "coordinator", dash(g.coordinator.map(u64::from)));
        fact(
            m,
            "partition.assignment.strategy",
            &g.partition_assignment_strategy,
        );
        fact(m, "max.poll.records", g.max_poll_records);
        fact(m, "max.poll.interval.ms", g.max_poll_interval_ms);
        fact(m, "session.timeout.ms", g.session_timeout_ms);
        fact(m, "enable.auto.commit", g.enable_auto_commit);
        fact(m, "auto.commit.interval.ms", g.auto_commit_interval_ms);
        fact(m, t(Msg::Processing), Shortest(g.processing_ms_per_record));
        fact(m, t(Msg::SelLag), g.total_lag);
    });
    true
}

fn member(p: &mut Panel, v: &ClusterView, group: &str, id: &str) -> bool {
    let (m, actions) = (&mut p.facts, &mut p.actions);
    let Some(group_index) = v.groups.iter().position(|g| g.group == group) else {
        return false;
    };
    let g = &v.groups[group_index];
    let Some(member_index) = g.members.iter().position(|x| x.member == id) else {
        return false;
    };
    let member = &g.members[member_index];
    let node = Node::Member {
        group: GroupIx::at(group_index),
        member: MemberSlot::at(member_index),
    };
    m.open("h3").text(fill(
        t(Msg::SelMember),
        &[("member", &member.member), ("group", &g.group)],
    ));
    m.open("dl").children(|m| {
        fact(
            m,
            t(Msg::SelState),
            member_state(member.status, member.activity, member.joining),
        );
        fact(
            m,
            "generation",
            member
                .generation
                .map_or("-".to_string(), |generation| generation.to_string()),
        );
        let assignment: Vec<(String, u32)> = member.assignment.clone();
        fact(m, t(Msg::SelInGroup), yes_no(member.in_group));
        fact(m, "member.id", member.member_id.as_deref().unwrap_or("-"));
        fact(m, t(Msg::SelAssignment), partition_list(&assignment));
        fact(m, t(Msg::SelInHand), member.records_in_hand);
        fact(m, t(Msg::SelProcessed), member.records_processed);
        network_fact(m, v, node);
    });
    actions
        .open("div")
        .attr("class", "ks-buttons")
        .children(|m| {
            let target = Target::of_node(v, node);
            if member.status == MemberStatus::Running {
                button(
                    m,
                    Action::Crash(target.clone()),
                    "selection-crash",
                    Msg::MemberCrash,
                );
                button(
                    m,
                    Action::Leave(target),
                    "selection-leave",
                    Msg::MemberLeave,
                );
            } else {
                button(
                    m,
                    Action::Restart(target),
                    "selection-restart",
                    Msg::MemberRestart,
                );
            }
            network_buttons(m, v, node);
        });
    true
}

fn producer(p: &mut Panel, v: &ClusterView, id: &str) -> bool {
    let (m, actions) = (&mut p.facts, &mut p.actions);
    let Some(index) = v.producers.iter().position(|p| p.id == id) else {
        return false;
    };
    let p = &v.producers[index];
    let node = Node::Producer {
        producer: ProducerIx::at(index),
    };
    m.open("h3")
        .text(fill(t(Msg::SelProducer), &[("producer", &p.id)]));
    m.open("dl").children(|m| {
        fact(m, "topic", &p.topic);
        fact(m, "rate_per_sec", p.rate_per_sec);
        fact(m, "acks", p.acks);
        fact(m, "enable.idempotence", p.enable_idempotence);
        fact(m, t(Msg::SelAcknowledged), p.records_acknowledged);
        fact(m, t(Msg::SelFailed), p.records_failed);
        fact(m, t(Msg::SelPending), p.records_pending);
        network_fact(m, v, node);
    });
    actions
        .open("div")
        .attr("class", "ks-buttons")
        .children(|m| {
            network_buttons(m, v, node);
        });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::{hostile_view, structure, HOSTILE};

    #[test]
    fn every_kind_of_selection_has_facts_and_hostile_names_stay_text() {
        for hostile in HOSTILE {
            let (plain, bad) = (hostile_view("plain"), hostile_view(hostile));
            let selections = |name: &str| {
                [
                    Target::Broker(1),
                    Target::Partition {
                        topic: name.into(),
                        partition: 0,
                    },
                    Target::Group(name.into()),
                    Target::Member {
                        group: name.into(),
                        member: name.into(),
                    },
                    Target::Producer(name.into()),
                ]
            };
            for (a, b) in selections("plain").iter().zip(selections(hostile).iter()) {
                let (plain, bad) = (render(&plain, Some(a)), render(&bad, Some(b)));
                assert!(plain.contains("<dl>"), "{a:?}: {plain}");
                assert_eq!(structure(&plain), structure(&bad), "{bad}");
                if hostile.contains(['<', '"', '\'']) {
                    assert!(!bad.contains(hostile), "{bad}");
                }
            }
        }
        let view = hostile_view("plain");
        assert!(render(&view, Some(&Target::Broker(99))).contains("ks-small-text"));
        assert!(render(&view, Some(&Target::World)).contains("ks-small-text"));
        assert!(render(&view, None).contains("ks-small-text"));
    }

    #[test]
    fn a_node_touched_by_a_network_fault_names_its_cuts_and_offers_to_reconnect() {
        for name in ["plain", "\"><svg onload=alert(1)>"] {
            let mut view = hostile_view(name);
            let member = Node::Member {
                group: crate::sim::ids::GroupIx(0),
                member: crate::sim::ids::MemberSlot(0),
            };
            view.cuts = vec![
                (
                    Node::Broker {
                        broker: BrokerId(1),
                    },
                    None,
                ),
                (Node::Controller, Some(member)),
            ];
            let broker = render(&view, Some(&Target::Broker(1)));
            assert!(broker.contains("selection-reconnect"), "{broker}");
            assert!(!broker.contains("selection-isolate"), "{broker}");
            assert!(!broker.contains("selection-cut-controller"), "{broker}");
            assert!(broker.contains(t(Msg::SelIsolated)), "{broker}");
            let selected = Target::Member {
                group: name.into(),
                member: name.into(),
            };
            let member = render(&view, Some(&selected));
            assert!(member.contains("selection-isolate") && member.contains("selection-reconnect"));
            assert!(
                member.contains("data-action=\"reconnect:member:"),
                "{member}"
            );
            // The coordinator's view of the member is beside the client's.
            assert!(member.contains(t(Msg::SelInGroup)), "{member}");
            assert!(!member.contains(name) || name == "plain", "{member}");
            // Untouched nodes are connected and offer to be cut off.
            let other = render(&view, Some(&Target::Broker(2)));
            assert!(
                other.contains("selection-isolate") && other.contains("selection-cut-controller")
            );
            assert!(!other.contains("selection-reconnect"));
            assert!(other.contains(t(Msg::SelConnected)));
        }
    }
}
