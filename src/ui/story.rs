//! Rebalances, step by step: each group's latest rebalances retold from the trace as numbered steps
//! (who joins, who revokes what, what the leader assigns, who gets what), so that the eager protocol
//! (every member revokes everything, then waits) and the cooperative one (only moving partitions are
//! revoked, and a second rebalance hands them over) can be told apart.

use super::messages::t;
use super::picture::group_colour;
use super::Ui;
use crate::sim::event::{EventKind, TopicPartitionPair};
use crate::sim::view::ClusterView;
use leptos::prelude::*;
use std::fmt::Write;

/// How many rebalances are kept per group (a cooperative rebalance usually takes two).
const PER_GROUP: usize = 2;
/// How many steps one story keeps.
const MAX_STEPS: usize = 40;

#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub group: String,
    pub colour: &'static str,
    pub protocol: &'static str,
    pub started_us: u64,
    pub steps: Vec<(u64, String)>,
    /// The group reached Stable: later joins and departures belong to the next rebalance.
    pub stable: bool,
}

/// The stories, and the steps seen since a group's last rebalance ended (a member sending JoinGroup or
/// leaving comes before the coordinator starts the rebalance it causes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Book {
    pub stories: Vec<Story>,
    pending: Vec<(String, u64, String)>,
}

fn list(partitions: &[TopicPartitionPair]) -> String {
    if partitions.is_empty() {
        return "-".into();
    }
    partitions
        .iter()
        .map(|(topic, partition)| format!("{topic}-{partition}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The group an event belongs to and the step it adds, for the events a rebalance is made of.
fn step(kind: &EventKind) -> Option<(&str, String)> {
    use EventKind::*;
    Some(match kind {
        ConsumerJoining {
            group,
            member,
            reason,
        } => (group, format!("{member} {} ({reason})", t("story.join"))),
        PartitionsRevoked {
            group,
            member,
            partitions,
        } => (
            group,
            format!("{member} {} {}", t("story.revoke"), list(partitions)),
        ),
        PartitionsLost {
            group,
            member,
            partitions,
        } => (
            group,
            format!("{member} {} {}", t("story.lost"), list(partitions)),
        ),
        ConsumerLeft {
            group,
            member,
            reason,
        } => (group, format!("{member} {} ({reason})", t("story.left"))),
        GroupStateChanged {
            group,
            state,
            generation,
        } => (
            group,
            format!(
                "{} {state}, {} {generation}: {}",
                t("story.state"),
                t("story.generation"),
                match state.as_str() {
                    "PreparingRebalance" => t("story.preparing"),
                    "CompletingRebalance" => t("story.completing"),
                    "Stable" => t("story.stable"),
                    _ => "",
                }
            ),
        ),
        RebalanceCompleted {
            group,
            leader,
            assignor,
            assignment,
            ..
        } => {
            let mut text = format!("{leader} ({}) {assignor}:", t("story.leader"));
            for (member, partitions) in assignment {
                let _ = write!(text, " {member} → {};", list(partitions));
            }
            (group, text)
        }
        PartitionsAssigned {
            group,
            member,
            partitions,
        } => (
            group,
            format!("{member} {} {}", t("story.assigned"), list(partitions)),
        ),
        _ => return None,
    })
}

/// Adds an event to the stories; returns whether anything changed.
pub fn absorb(book: &mut Book, t_us: u64, kind: &EventKind, view: &ClusterView) -> bool {
    let stories = &mut book.stories;
    if let EventKind::RebalanceStarted { group, reason, .. } = kind {
        let mut steps: Vec<(u64, String)> = book
            .pending
            .iter()
            .filter(|(g, _, _)| g == group)
            .map(|(_, t_us, text)| (*t_us, text.clone()))
            .collect();
        book.pending.retain(|(g, _, _)| g != group);
        let started_us = steps.first().map_or(t_us, |(first, _)| *first);
        steps.push((t_us, format!("{}: {reason}", t("story.start"))));
        let (index, protocol) = view
            .groups
            .iter()
            .enumerate()
            .find(|(_, g)| g.group == *group)
            .map_or((0, ""), |(i, g)| (i, g.protocol));
        stories.push(Story {
            group: group.clone(),
            colour: group_colour(index),
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
    let Some((group, text)) = step(kind) else {
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
                story.steps.push((t_us, text));
            }
            true
        }
        _ if cause => {
            if book.pending.len() < MAX_STEPS {
                book.pending.push((group.to_string(), t_us, text));
            }
            false
        }
        _ => false,
    }
}

fn render(stories: &[Story]) -> String {
    let mut out = String::new();
    if stories.is_empty() {
        let _ = write!(out, "<p>{}</p>", t("story.none"));
    }
    for story in stories.iter().rev() {
        let _ = write!(
            out,
            r#"<div class="ks-story" data-protocol="{}"><h3 style="color: {}">{} · {} {:.3} s · {}</h3><p class="ks-small-text">{}</p><ol>"#,
            story.protocol,
            story.colour,
            story.group,
            t("story.at"),
            story.started_us as f64 / 1e6,
            story.protocol,
            if story.protocol == "COOPERATIVE" {
                t("story.cooperative")
            } else {
                t("story.eager")
            }
        );
        for (t_us, text) in &story.steps {
            let _ = write!(
                out,
                "<li><time>+{} ms</time> {text}</li>",
                (t_us - story.started_us) / 1000
            );
        }
        out.push_str("</ol></div>");
    }
    out
}

#[component]
pub fn Rebalances() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let html = Memo::new(move |_| ui.stories.with(|book| render(&book.stories)));
    view! {
        <section class="ks-panel" aria-label=t("story.title")>
            <h2 title=t("story.tip")>{t("story.title")}</h2>
            <div class="ks-stories" data-testid="rebalances" inner_html=move || html.get()></div>
        </section>
    }
}
