//! Group commit of the lookup record: lookups made at the same time share one statement and
//! one commit, and each is answered only once the commit that holds it is done. No task
//! runs in the background: whoever finds no commit under way commits what is waiting, on a
//! task of its own so that a caller who goes away cannot abandon the others.

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::domain::NewLookup;
use crate::storage::{Lookups, StorageError, Store};

/// Most lookups in one statement (ten parameters each: within both backends' limits).
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<(), Arc<StorageError>>>;

/// Lookups waiting to be recorded, and the lock whose holder records them.
#[derive(Default)]
pub(super) struct LookupQueue {
    /// A plain mutex: held only to push or take, never across an await.
    waiting: Mutex<Vec<(NewLookup, Reply)>>,
    /// Held while a batch commits; the next batch gathers in `waiting` meanwhile.
    committing: Arc<tokio::sync::Mutex<()>>,
}

impl LookupQueue {
    /// Records `lookup` in `store`; returns once it is committed.
    pub(super) async fn record(
        &self,
        store: &Store,
        lookup: NewLookup,
    ) -> Result<(), StorageError> {
        let (reply, mut answer) = oneshot::channel();
        self.waiting
            .lock()
            .expect("never poisoned: no panic while held")
            .push((lookup, reply));
        loop {
            tokio::select! {
                // An answer first: a batch that took this lookup may have committed already.
                biased;
                answer = &mut answer => {
                    return match answer {
                        Ok(result) => result.map_err(StorageError::Shared),
                        Err(_) => Err(StorageError::Unexpected("the commit of the lookup record was abandoned".into())),
                    };
                }
                guard = Arc::clone(&self.committing).lock_owned() => {
                    let batch: Vec<(NewLookup, Reply)> = {
                        let mut waiting = self.waiting.lock().expect("never poisoned");
                        let n = waiting.len().min(MAX_BATCH);
                        waiting.drain(..n).collect()
                    };
                    if batch.is_empty() {
                        continue;
                    }
                    let store = store.clone();
                    tokio::spawn(async move {
                        let (lookups, replies): (Vec<NewLookup>, Vec<Reply>) = batch.into_iter().unzip();
                        let result = store.record_lookups(&lookups).await.map_err(Arc::new);
                        for reply in replies {
                            // A caller who went away needs no answer.
                            let _ = reply.send(result.clone());
                        }
                        drop(guard);
                    });
                }
            }
        }
    }
}
