//! Sync, replica side: the hybrid logical clock ([`hlc`]), the wire contract shared with the hub
//! ([`proto`]), the merge rules on the replica ([`replica`]) and the HTTP client ([`client`]).
//! Which tables sync, and how, is declared once in `yingji_store::capture::SYNCED_TABLES`.

pub mod client;
mod error;
pub mod hlc;
pub mod proto;
pub mod replica;
pub mod token_store;

pub use error::SyncError;
