//! Rebalances, step by step: each group's latest rebalances retold from the trace as numbered steps
//! (who joins, who revokes what, what the leader assigns, who gets what), so that the eager protocol
//! (every member revokes everything, then waits) and the cooperative one (only moving partitions are
//! revoked, and a second rebalance hands them over) can be told apart.

use super::events::{self, partition_list as list};
use super::picture::group_colour_class;
use super::Markup;
use crate::messages::{t, Msg};
use crate::sim::event::EventKind;
use crate::sim::num::Fixed;
use crate::sim::view::ClusterView;
use std::fmt::Write;

/// How many rebalances are kept per group (a cooperative rebalance usually takes two).
const PER_GROUP: usize = 2;
/// How many steps one story keeps.
const MAX_STEPS: usize = 40;

#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub group: String,
    /// The class giving the title its group's colour.
    pub colour: &'static str,
    pub protocol: &'static str,
    pub started_us: u64,
    pub steps: Vec<(u64, EventKind)>,
    /// The group reached Stable: later joins and departures belong to the next rebalance.
    pub stable: bool,
}

/// The stories, and the steps seen since a group's last rebalance ended (a member sending JoinGroup or
/// leaving comes before the coordinator starts the rebalance it causes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Book {
    pub stories: Vec<Story>,
    pending: Vec<(String, u64, EventKind)>,
}

/// The group of an event a rebalance is made of.
fn step_group(kind: &EventKind) -> Option<&str> {
    use EventKind::*;
    match kind {
        ConsumerJoining { group, .. }
        | PartitionsRevoked { group, .. }
        | PartitionsLost { group, .. }
        | ConsumerLeft { group, .. }
        | GroupStateChanged { group, .. }
        | RebalanceCompleted { group, .. }
        | PartitionsAssigned { group, .. } => Some(group),
        _ => None,
    }
}

/// A step's text in the current language.
fn step_text(kind: &EventKind) -> String {
    use EventKind::*;
    match kind {
        RebalanceStarted { reason, .. } => {
            format!("{}: {}", t(Msg::StoryStart), events::reason(reason))
        }
        ConsumerJoining { member, reason, .. } => {
            format!(
                "{member} {} ({})",
                t(Msg::StoryJoin),
                events::reason(reason)
            )
        }
        PartitionsRevoked {
            member, partitions, ..
        } => {
            format!("{member} {} {}", t(Msg::StoryRevoke), list(partitions))
        }
        PartitionsLost {
            member, partitions, ..
        } => {
            format!("{member} {} {}", t(Msg::StoryLost), list(partitions))
        }
        ConsumerLeft {
            member,
            reason,
            previous_process,
            ..
        } => {
            format!(
                "{} {} ({})",
                events::member_who_left(member, *previous_process),
                t(Msg::StoryLeft),
                events::reason(reason)
            )
        }
        GroupStateChanged {
            state, generation, ..
        } => format!(
            "{} {state}, {} {generation}: {}",
            t(Msg::StoryState),
            t(Msg::StoryGeneration),
            match state.as_str() {
                "PreparingRebalance" => t(Msg::StoryPreparing),
                "CompletingRebalance" => t(Msg::StoryCompleting),
                "Stable" => t(Msg::StoryStable),
                _ => "",
            }
        ),
        RebalanceCompleted {
            leader,
            assignor,
            assignment,
            ..
        } => {
            let mut text = format!("{leader} ({}) {assignor}:", t(Msg::StoryLeader));
            for (member, partitions) in assignment {
                let _ = write!(text, " {member} → {};", list(partitions));
            }
            text
        }
        PartitionsAssigned {
            member, partitions, ..
        } => {
            format!("{member} {} {}", t(Msg::StoryAssigned), list(partitions))
        }
        other => events::sentence(other),
    }
}

/// Adds an event to the stories; returns whether anything changed.
pub fn absorb(book: &mut Book, t_us: u64, kind: &EventKind, view: &ClusterView) -> bool {
    let stories = &mut book.stories;
    if let EventKind::RebalanceStarted { group, .. } = kind {
        let mut steps: Vec<(u64, EventKind)> = book
            .pending
            .iter()
            .filter(|(g, _, _)| g == group)
            .map(|(_, t_us, kind)| (*t_us, kind.clone()))
            .collect();
        book.pending.retain(|(g, _, _)| g != group);
        let started_us = steps.first().map_or(t_us, |(first, _)| *first);
        steps.push((t_us, kind.clone()));
        let (index, protocol) = view
            .groups
            .iter()
            .enumerate()
            .find(|(_, g)| g.group == *group)
            .map_or((0, ""), |(i, g)| (i, g.protocol));
        stories.push(Story {
            group: group.clone(),
            colour: group_colour_class(index),
            protocol,
            started_us,
            steps,
            stable: false,
        });
        let count = stories.iter().filter(|s| s.group == *group).count();
        if count > PER_GROUP {
            if let Some(oldest) = stories.iter().position(|s| s.group == *group) {
                stories.remove(oldest);
            }
        }
        return true;
    }
    let Some(group) = step_group(kind) else {
        return false;
    };
    let cause = match kind {
        EventKind::ConsumerJoining { .. } | EventKind::ConsumerLeft { .. } => true,
        EventKind::GroupStateChanged { state, .. } => state == "PreparingRebalance",
        _ => false,
    };
    match stories.iter_mut().rev().find(|s| s.group == group) {
        Some(story) if !(cause && story.stable) => {
            if matches!(kind, EventKind::GroupStateChanged { state, .. } if state == "Stable") {
                story.stable = true;
            }
            if story.steps.len() < MAX_STEPS {
                story.steps.push((t_us, kind.clone()));
            }
            true
        }
        _ if cause => {
            if book.pending.len() < MAX_STEPS {
                book.pending.push((group.to_string(), t_us, kind.clone()));
            }
            false
        }
        _ => false,
    }
}

/// The stories, newest first, as markup.
pub fn render(stories: &[Story]) -> String {
    let mut m = Markup::with_capacity(4096);
    if stories.is_empty() {
        m.open("p").text(t(Msg::StoryNone));
    }
    for story in stories.iter().rev() {
        m.open("div")
            .attr("class", "ks-story")
            .attr("data-protocol", story.protocol)
            .children(|m| {
                m.open("h3").attr("class", story.colour).text(format_args!(
                    "{} · {} {} s · {}",
                    story.group,
                    t(Msg::StoryAt),
                    Fixed(story.started_us as f64 / 1e6, 3),
                    story.protocol
                ));
                m.open("p").attr("class", "ks-small-text").text(
                    if story.protocol == "COOPERATIVE" {
                        t(Msg::StoryCooperative)
                    } else {
                        t(Msg::StoryEager)
                    },
                );
                m.open("ol").children(|m| {
                    for (t_us, kind) in &story.steps {
                        m.open("li").children(|m| {
                            m.open("time")
                                .text(format_args!("+{} ms", (t_us - story.started_us) / 1000));
                            m.text(format_args!(" {}", step_text(kind)));
                        });
                    }
                });
            });
    }
    m.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::tests_support::hostile_view;
    use crate::markup::tests_support::{structure, HOSTILE};

    fn story_of(name: &str) -> String {
        let view = hostile_view(name);
        let mut book = Book::default();
        let events = [
            EventKind::ConsumerJoining {
                group: name.into(),
                member: name.into(),
                reason: crate::sim::event::Reason::Joining,
            },
            EventKind::RebalanceStarted {
                group: name.into(),
                reason: crate::sim::event::Reason::NewMemberJoined {
                    member: name.into(),
                },
                generation: 1,
            },
            EventKind::PartitionsAssigned {
                group: name.into(),
                member: name.into(),
                partitions: vec![(name.into(), 0)],
            },
        ];
        for (i, event) in events.iter().enumerate() {
            absorb(&mut book, i as u64 * 1000, event, &view);
        }
        render(&book.stories)
    }

    #[test]
    fn hostile_names_never_reach_the_story_raw() {
        for hostile in HOSTILE {
            let (plain, bad) = (story_of("plain"), story_of(hostile));
            assert_eq!(structure(&plain), structure(&bad), "{bad}");
            if hostile.contains(['<', '"', '\'']) {
                assert!(!bad.contains(hostile), "{bad}");
            }
        }
    }
}
