//! The deterministic core: a discrete-event simulation of a Kafka cluster and its clients.
//!
//! No web crates, no clocks, no ambient randomness: a run is a pure function of the scenario, the seed
//! and the commands applied (with their times). Start with [`Simulation`] (`engine/`).

pub mod accounting;
pub mod assignor;
pub mod broker;
pub mod config;
pub mod consumer;
pub mod controller;
pub mod coordinator;
pub mod engine;
pub mod event;
pub mod golden;
pub mod group;
pub mod host;
pub mod id_table;
pub mod ids;
pub mod invariants;
pub mod kernel;
pub mod keys;
pub mod log;
pub mod metadata;
pub mod network;
pub mod num;
pub mod partition;
pub mod partitioner;
pub mod producer;
pub mod protocol;
pub mod queue;

pub mod report;
pub mod rng;
pub mod scenario;
pub mod sort;
pub mod view;
pub mod world;

pub use engine::{Simulation, Snapshot};
pub use scenario::{Command, Scenario};
