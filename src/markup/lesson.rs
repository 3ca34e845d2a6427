//! The lesson player's words for a step's check, live: "email_group lag ≤ 2 — now 37". Pure, in the
//! current language; the player (`ui::lesson`) shows them as text (Leptos escapes it).

use crate::lesson::{Bound, Condition, Measure};
use crate::messages::{t, Msg};
use crate::sim::num::Shortest;

fn measure_name(measure: Measure) -> &'static str {
    t(match measure {
        Measure::Time => Msg::MeasureTime,
        Measure::Lag => Msg::MeasureLag,
        Measure::Processed => Msg::MeasureProcessed,
        Measure::Duplicated => Msg::MeasureDuplicated,
        Measure::Missed => Msg::MeasureMissed,
        Measure::Generation => Msg::MeasureGeneration,
        Measure::IdleMembers => Msg::MeasureIdleMembers,
        Measure::Lost => Msg::MeasureLost,
        Measure::Failed => Msg::MeasureFailed,
        Measure::WrittenTwice => Msg::MeasureWrittenTwice,
        Measure::LogEnd => Msg::MeasureLogEnd,
        Measure::Leader => Msg::MeasureLeader,
        Measure::Isr => Msg::MeasureIsr,
        Measure::Offline => Msg::MeasureOffline,
        Measure::Online => Msg::MeasureOnline,
        Measure::UnderReplicated => Msg::MeasureUnderReplicated,
        Measure::Fenced => Msg::MeasureFenced,
        Measure::Unfenced => Msg::MeasureUnfenced,
        Measure::SyncFailed => Msg::MeasureSyncFailed,
        Measure::SyncP50 => Msg::MeasureSyncP50,
        Measure::KafkaP50 => Msg::MeasureKafkaP50,
        Measure::DuplicateEffects => Msg::MeasureDuplicateEffects,
        Measure::RejectedDuplicates => Msg::MeasureRejectedDuplicates,
        Measure::QueuePublished => Msg::MeasureQueuePublished,
        Measure::QueueRedelivered => Msg::MeasureQueueRedelivered,
    })
}

/// A value as the player shows it: whole numbers as they are, others to a tenth; seconds for the clock.
fn value(measure: Measure, value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    match measure {
        Measure::Time => format!("{} s", Shortest(rounded)),
        _ => Shortest(rounded).to_string(),
    }
}

/// One condition in words: its subject, its measure, what it must be, and its value now.
pub fn condition_words(c: &Condition) -> String {
    let subject = if c.subject.is_empty() {
        String::new()
    } else {
        format!("{} ", c.subject)
    };
    let name = measure_name(c.measure);
    let yes_no = |v: f64| {
        t(if v == 1.0 {
            Msg::MeasureYes
        } else {
            Msg::MeasureNo
        })
    };
    let (wanted, now) = match c.bound {
        Bound::AtLeast(bound) => (
            format!("{name} ≥ {}", value(c.measure, bound)),
            c.now.map(|now| value(c.measure, now)),
        ),
        Bound::AtMost(bound) => (
            format!("{name} ≤ {}", value(c.measure, bound)),
            c.now.map(|now| value(c.measure, now)),
        ),
        Bound::Not(bound) => (
            format!("{name} ≠ {}", value(c.measure, bound)),
            c.now.map(|now| value(c.measure, now)),
        ),
        Bound::Yes => (name.to_string(), c.now.map(|now| yes_no(now).to_string())),
    };
    format!(
        "{subject}{wanted} — {} {}",
        t(Msg::LessonNow),
        now.as_deref().unwrap_or("-")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_read_as_words_with_their_value_now() {
        let lag = Condition {
            subject: "email_group".into(),
            measure: Measure::Lag,
            bound: Bound::AtMost(2.0),
            now: Some(37.0),
        };
        assert_eq!(condition_words(&lag), "email_group lag ≤ 2 — now 37");
        let clock = Condition {
            subject: String::new(),
            measure: Measure::Time,
            bound: Bound::AtLeast(15.0),
            now: Some(12.34),
        };
        assert_eq!(condition_words(&clock), "the clock ≥ 15 s — now 12.3 s");
        let offline = Condition {
            subject: "unclean-0".into(),
            measure: Measure::Offline,
            bound: Bound::Yes,
            now: None,
        };
        assert_eq!(condition_words(&offline), "unclean-0 offline — now -");
    }
}
