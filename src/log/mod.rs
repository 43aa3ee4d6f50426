//! The log, kept as Tessera keeps one: an entry is *sequenced* (durably given an index),
//! *integrated* (in the Merkle tree) and *published* (in a signed checkpoint), each with its
//! own guarantee. Callers see the [`appender`](Recorder) they record through and a read-only
//! [`Reader`]; the [`publisher`](PublishConfig) signs checkpoints behind the writer.
//!
//! Sequencing and integration happen in one transaction per batch (storage's `LogAppend`),
//! so an acknowledged entry is always in the tree; publication follows, after each batch or
//! once an interval.

mod appender;
mod budget;
mod error;
mod publisher;
mod reader;
mod writer;

pub use appender::{Admission, Recorded, Recorder};
pub use error::AppendError;
pub use publisher::PublishConfig;
pub use reader::Reader;
pub use writer::{WriterConfig, WriterHandle};
