//! A broker: the replica manager (the logs of the replicas it hosts, follower fetch sessions, the high
//! watermark and the ISR, retention), and the broker's side of produce and of consumer fetches. The group
//! coordinator a broker runs for the groups whose offsets partition it leads is `coordinator`, a module
//! of its own (as Kafka's `group-coordinator` is beside its `ReplicaManager`).

pub mod fetch;
pub mod produce;
pub mod replica_manager;
