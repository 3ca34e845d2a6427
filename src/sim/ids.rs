//! Identifiers and units shared by every part of the core.

/// Simulated time, in microseconds.
pub type Micros = u64;

/// A partition of a topic, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tp {
    pub topic: usize,
    pub partition: u32,
}
