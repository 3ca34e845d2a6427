//! What the controls show, as the page's controls (`ui::controls`, Leptos components) and the transport's
//! status read it: the produce-rate slider's log scale, the key modes, the speed's text and the status
//! (time quantum, speed reached).

use super::Markup;
use crate::messages::{t, Msg};
use crate::sim::scenario::KeySpec;

/// The produce-rate slider's positions: 0 to `RATE_STEPS` on a log scale of 1 to 100,000 records/s.
pub const RATE_STEPS: f64 = 500.0;

pub fn rate_to_position(rate: u32) -> f64 {
    if rate == 0 {
        0.0
    } else {
        ((rate as f64).log10() * RATE_STEPS / 5.0).round()
    }
}

pub fn position_to_rate(position: f64) -> u32 {
    if position <= 0.0 {
        0
    } else {
        10f64
            .powf(position * 5.0 / RATE_STEPS)
            .round()
            .min(100_000.0) as u32
    }
}

/// The key modes the keys control offers, with their labels.
pub const KEY_MODES: [(&str, Msg); 4] = [
    ("none", Msg::KeysNone),
    ("list", Msg::KeysList),
    ("distinct", Msg::KeysDistinct),
    ("hot", Msg::KeysHot),
];

pub fn key_mode(keys: &KeySpec) -> &'static str {
    match keys {
        KeySpec::None => "none",
        KeySpec::List(_) => "list",
        KeySpec::Distinct(_) => "distinct",
        KeySpec::Hot { .. } => "hot",
    }
}

/// The speed a slider position gives (`10^position`), as the transport shows it.
pub fn speed_text(speed_log: f64) -> String {
    format!("{}×", crate::sim::num::Fixed(10f64.powf(speed_log), 1))
}

/// The transport's status: the time quantum in coarse time (`quantum`), the speed reached when the
/// device cannot keep up (`behind`).
pub fn transport_status(quantum_ms: u64, behind: Option<f64>) -> String {
    let mut m = Markup::with_capacity(256);
    if quantum_ms > 0 {
        m.open("span")
            .attr("class", "ks-quantum")
            .attr("data-testid", "quantum")
            .attr("title", t(Msg::QuantumTip))
            .text(format_args!("{} {quantum_ms} ms", t(Msg::Quantum)));
    }
    if let Some(reached) = behind {
        m.open("span")
            .attr("class", "ks-behind")
            .attr("data-testid", "behind")
            .attr("role", "status")
            .attr("title", t(Msg::BehindTip))
            .text(format_args!(
                "{} {}×",
                t(Msg::Behind),
                crate::sim::num::Fixed(reached, 1)
            ));
    }
    m.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_slider_is_a_log_scale() {
        assert_eq!(position_to_rate(0.0), 0);
        assert_eq!(position_to_rate(400.0), 10_000);
        assert_eq!(position_to_rate(RATE_STEPS), 100_000);
        assert_eq!(rate_to_position(0), 0.0);
        for rate in [5, 100, 10_000, 100_000] {
            assert_eq!(position_to_rate(rate_to_position(rate)), rate);
        }
    }
}
