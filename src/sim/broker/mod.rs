//! A broker: the replica manager (the logs of the replicas it hosts, follower fetch sessions, the high
//! watermark and the ISR, retention), the broker's side of produce and of consumer fetches, and the group
//! coordinator for the groups whose offsets partition it leads.

pub mod coordinator;
pub mod fetch;
pub mod produce;
pub mod replica_manager;
