//! Planning a group-commit batch, the same for both backends: which items are new, which
//! replay a stored disclosure, which conflict with one; and the ids the new ones get.

use std::collections::HashMap;

use crate::domain::{PendingDisclosure, Receipt, Timestamp, WriteOutcome};

/// A stored disclosure with the transfer id of a batch item.
#[derive(Debug, Clone)]
pub(super) struct Existing {
    pub receipt: Receipt,
    pub key_id: u16,
    pub digest: Vec<u8>,
}

/// The batch items to insert, in order, and the outcomes known before inserting.
pub(super) struct Plan {
    outcomes: Vec<Planned>,
    pub inserts: Vec<usize>,
}

enum Planned {
    Known(WriteOutcome),
    Insert,
    /// Identical to an earlier item of the same batch that is being inserted.
    SameAs(usize),
}

impl Plan {
    /// Classifies each item against `existing`, keyed by (controller, transfer id).
    pub fn new(
        batch: &[PendingDisclosure],
        existing: &HashMap<(String, String), Existing>,
    ) -> Self {
        let mut first_new: HashMap<(&str, &str), usize> = HashMap::new();
        let mut inserts = Vec::new();
        let outcomes = batch
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let key = item.key();
                if let Some(stored) = existing.get(&(key.0.to_owned(), key.1.to_owned())) {
                    let same = item
                        .digest_under(stored.key_id)
                        .is_some_and(|d| d.as_slice() == stored.digest.as_slice());
                    return Planned::Known(if same {
                        WriteOutcome::Replayed(stored.receipt)
                    } else {
                        WriteOutcome::Conflict
                    });
                }
                match first_new.get(&key) {
                    Some(&j)
                        if item.digest_under(batch[j].active_key)
                            == Some(batch[j].stored_digest()) =>
                    {
                        Planned::SameAs(j)
                    }
                    Some(_) => Planned::Known(WriteOutcome::Conflict),
                    None => {
                        first_new.insert(key, i);
                        inserts.push(i);
                        Planned::Insert
                    }
                }
            })
            .collect();
        Self { outcomes, inserts }
    }

    /// Receipts for the inserts, given the first ids reserved for them, in insert order.
    pub fn receipts(
        &self,
        batch: &[PendingDisclosure],
        first_disclosure_id: i64,
        first_entry_id: i64,
        recorded_at: Timestamp,
    ) -> Vec<Receipt> {
        let mut next_entry = first_entry_id;
        self.inserts
            .iter()
            .enumerate()
            .map(|(n, &i)| {
                let count = batch[i].subjects.len();
                let receipt = Receipt {
                    disclosure_id: first_disclosure_id + n as i64,
                    first_entry_id: next_entry,
                    subject_count: count as u32,
                    recorded_at,
                };
                next_entry += count as i64;
                receipt
            })
            .collect()
    }

    /// Every item's outcome, given the receipts of the inserts.
    pub fn outcomes(self, receipts: &[Receipt]) -> Vec<WriteOutcome> {
        let receipt_of: HashMap<usize, Receipt> = self
            .inserts
            .iter()
            .copied()
            .zip(receipts.iter().copied())
            .collect();
        self.outcomes
            .into_iter()
            .enumerate()
            .map(|(i, planned)| match planned {
                Planned::Known(outcome) => outcome,
                Planned::Insert => WriteOutcome::Recorded(receipt_of[&i]),
                Planned::SameAs(j) => WriteOutcome::Replayed(receipt_of[&j]),
            })
            .collect()
    }
}
