//! What the KRaft controller keeps besides the partitions' registrations (`partition::Partition`, in
//! `Simulation::topics`): each broker's registration, and whether a preferred-leader balance is
//! scheduled. Only the controller's handlers change it; brokers and clients read it as metadata.

use super::ids::Micros;

/// The controller's state besides the partitions' registrations (`Simulation::topics`): each broker's
/// registration, and whether a preferred-leader balance is scheduled.
#[derive(Clone, Debug)]
pub struct Controller {
    /// By broker index.
    pub registrations: Vec<Registration>,
    /// A preferred-leader election is scheduled (`Ev::BalanceLeaders`).
    pub(crate) leader_balance_scheduled: bool,
}

/// A broker as the controller registers it (`BrokerRegistration`, and its heartbeat state).
#[derive(Clone, Debug, Default)]
pub struct Registration {
    /// The controller has fenced it (its session expired); it holds no leadership and no ISR place.
    pub fenced: bool,
    /// When its current registration began: its heartbeats go every `broker.heartbeat.interval.ms` from
    /// then.
    pub registered_us: Micros,
    /// Since when a network fault has cut this running broker off from the controller: its heartbeats
    /// are lost, and the controller fences it `broker.session.timeout.ms` after the last that arrived.
    pub cut_at: Option<Micros>,
}

impl Controller {
    pub fn new(brokers: u32) -> Controller {
        Controller {
            registrations: vec![Registration::default(); brokers as usize],
            leader_balance_scheduled: false,
        }
    }
}
