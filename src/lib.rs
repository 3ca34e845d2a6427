//! kafka-sim: a deterministic, visual simulator of Apache Kafka.
//!
//! A short tour:
//! - [`sim`] is the core: a discrete-event simulation of brokers, partitions and replicas, producers and
//!   consumer groups, with Kafka 4.0's names, defaults and semantics. No web crates; tested natively.
//! - [`layout`] turns a [`sim::view::ClusterView`] into positions on the picture and interpolates
//!   messages in flight. Pure geometry, tested natively.
//! - [`pace`] decides how much simulated time each animation frame runs, within a budget of core time.
//! - `ui` (wasm32 only) is the Leptos app: it reads the view and sends [`sim::Command`]s.
//!
//! See `ARCHITECTURE.md` for the map and the invariants.

pub mod budget;
pub mod layout;
pub mod lesson;
pub mod markup;
pub mod messages;
pub mod pace;
pub mod share;
pub mod state;
pub mod travel;
pub use kafka_sim_core as sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;
