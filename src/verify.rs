//! `luovutusloki verify`: checks the whole log against its own tree and signed checkpoints,
//! from the rows alone. Every leaf is recomputed from its entry and disclosure, the tree is
//! rebuilt from the leaves, and every stored checkpoint must carry a good signature by the
//! verifier key and name the rebuilt tree's root at its size. Purged entries count by their
//! stored leaf hash and are reported as purged.

use std::collections::HashMap;
use std::fmt;

use tokio::sync::mpsc;

use crate::log::Reader;
use crate::storage::{StorageError, Store};

use crate::domain::{LeafContent, LeafRecord, StoredCheckpoint, StoredLeaf};
use crate::transparency::checkpoint::{VerifierKey, open};
use crate::transparency::merkle::{Frontier, Hash};

/// Entries read per query.
const CHUNK: u32 = 10_000;
/// Checkpoints read per query.
const CHECKPOINT_PAGE: u32 = 1_000;
/// Problems kept beyond the first, for the report.
const MAX_PROBLEMS: usize = 100;

/// Something the verifier found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The entry's row, or its disclosure's, no longer gives its leaf hash.
    Changed {
        entry: i64,
        disclosure: i64,
        /// Whether every entry of the disclosure seen so far disagrees too (then it is most
        /// likely a field of the disclosure that changed).
        whole_disclosure: bool,
    },
    /// The entry holds what another entry's leaf hash covers: rows were swapped or
    /// reordered.
    Moved { entry: i64, holds: i64 },
    /// No row for this index, below the head.
    Missing { entry: i64 },
    /// The entry's disclosure is missing, or does not count the entry among its own.
    Orphan { entry: i64, disclosure: i64 },
    /// Only one of the subject hash and the sealed copy is left.
    HalfPurged { entry: i64 },
    /// Emptied as a purge would, but no recorded purge covers it.
    PurgedWithoutRecord { entry: i64 },
    /// Integrated, by the head, but without a leaf hash.
    NoLeafHash { entry: i64 },
    /// The head's root is not the root of the rebuilt tree.
    HeadRoot { size: u64 },
    /// A checkpoint's signature does not verify with the verifier key.
    BadSignature { size: u64, detail: String },
    /// A checkpoint's signed body disagrees with its row, or its root with the tree.
    CheckpointMismatch { size: u64, detail: String },
    /// A checkpoint of a tree larger than the rebuilt one.
    CheckpointBeyondTree { size: u64, tree: u64 },
}

impl Problem {
    /// The entry the problem is about, if it is about one.
    pub fn entry(&self) -> Option<i64> {
        match self {
            Self::Changed { entry, .. }
            | Self::Moved { entry, .. }
            | Self::Missing { entry }
            | Self::Orphan { entry, .. }
            | Self::HalfPurged { entry }
            | Self::PurgedWithoutRecord { entry }
            | Self::NoLeafHash { entry } => Some(*entry),
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Changed {
                entry,
                disclosure,
                whole_disclosure: true,
            } => write!(
                f,
                "entry {entry}: changed field: disclosure {disclosure} no longer gives its \
                 entries' leaf hashes (a field of the disclosure was changed)"
            ),
            Self::Changed {
                entry, disclosure, ..
            } => write!(
                f,
                "entry {entry}: changed field: the entry or its disclosure {disclosure} no \
                 longer gives its leaf hash"
            ),
            Self::Moved { entry, holds } => write!(
                f,
                "entry {entry}: reordered rows: it holds the contents of entry {holds}"
            ),
            Self::Missing { entry } => write!(f, "entry {entry}: missing index: no such row"),
            Self::Orphan { entry, disclosure } => write!(
                f,
                "entry {entry}: its disclosure {disclosure} is missing or does not list it"
            ),
            Self::HalfPurged { entry } => write!(
                f,
                "entry {entry}: only one of its subject hash and sealed copy was removed"
            ),
            Self::PurgedWithoutRecord { entry } => write!(
                f,
                "entry {entry}: its content was removed, but no recorded purge covers it"
            ),
            Self::NoLeafHash { entry } => {
                write!(f, "entry {entry}: in the tree but its leaf hash is gone")
            }
            Self::HeadRoot { size } => write!(
                f,
                "log head: its root is not the root of the rebuilt tree of {size} entries"
            ),
            Self::BadSignature { size, detail } => {
                write!(f, "checkpoint {size}: bad signature: {detail}")
            }
            Self::CheckpointMismatch { size, detail } => {
                write!(f, "checkpoint {size}: does not match: {detail}")
            }
            Self::CheckpointBeyondTree { size, tree } => write!(
                f,
                "checkpoint {size}: names a tree larger than the {tree} entries that verify"
            ),
        }
    }
}

/// What the verifier found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Entries read.
    pub entries: u64,
    /// Of them, purged: counted by their stored leaf hash.
    pub purged: u64,
    /// Entries recorded with tamper evidence off and not integrated yet.
    pub not_integrated: u64,
    /// The size and root of the rebuilt tree.
    pub tree_size: u64,
    pub root: Option<Hash>,
    /// Checkpoints whose signature and root were checked and found good.
    pub checkpoints: u64,
    /// The first problems found, in log order; empty when the log verifies.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, problem: Problem) {
        if self.problems.len() <= MAX_PROBLEMS {
            self.problems.push(problem);
        }
    }
}

/// Entries that disagree with what they keep of their leaf hash, kept to tell swaps from
/// edits.
struct Mismatch {
    entry: i64,
    disclosure: i64,
    stored: StoredLeaf,
    computed: Hash,
}

/// How far a verification has come: entries read of those recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub entries: u64,
    /// Entries recorded when it started; more are read if more are there.
    pub total: u64,
}

/// How to verify; the defaults suit a log of any size.
pub struct Options<'a> {
    /// Entries read per query.
    pub chunk: u32,
    /// Told after each chunk how far the verification has come.
    pub progress: Option<&'a mut (dyn FnMut(Progress) + Send)>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            chunk: CHUNK,
            progress: None,
        }
    }
}

/// Verifies the log in `store` with the checkpoint verifier key `key`.
pub async fn verify(store: &Store, key: &VerifierKey) -> Result<Report, StorageError> {
    verify_with(store, key, Options::default()).await
}

/// Verifies the log in `store` with the checkpoint verifier key `key`, as `options` say.
pub async fn verify_with(
    store: &Store,
    key: &VerifierKey,
    mut options: Options<'_>,
) -> Result<Report, StorageError> {
    let log = Reader::new(store);
    let head = log.tree_head().await?;
    let total = log.entries_recorded().await?;
    let purges = log.purges().await?;
    let mut report = Report::default();
    let mut frontier = Frontier::empty();
    // The tree can be rebuilt only up to the first missing leaf.
    let mut intact = true;
    let mut checkpoints = Checkpoints::new(log);
    checkpoints.peek_size().await?;
    let mut mismatches: Vec<Mismatch> = Vec::new();
    let mut seen = Tally::default();
    let mut next = 0i64;
    let mut chunks = read_ahead(store.clone(), i64::from(options.chunk.max(1)), total);
    while let Some(leaves) = chunks.recv().await {
        for leaf in leaves? {
            while next < leaf.index {
                if (next as u64) < head.size {
                    report.problem(Problem::Missing { entry: next });
                }
                intact = false;
                next += 1;
            }
            next = leaf.index + 1;
            report.entries += 1;
            let integrated = (leaf.index as u64) < head.size;
            if leaf.content == LeafContent::Purged && !purges.iter().any(|p| p.covers(leaf.index)) {
                report.problem(Problem::PurgedWithoutRecord { entry: leaf.index });
            }
            let hash = check_leaf(&leaf, integrated, &mut report, &mut mismatches, &mut seen);
            match hash {
                Some(hash) if intact && integrated => {
                    frontier.append(hash, |_, _| {});
                    if checkpoints.next_size == Some(frontier.size()) {
                        checkpoints.reached(&frontier, &mut report, key).await?;
                    }
                }
                Some(_) => {}
                None => intact = false,
            }
        }
        if let Some(progress) = options.progress.as_mut() {
            progress(Progress {
                entries: report.entries,
                total,
            });
        }
    }
    while (next as u64) < head.size {
        report.problem(Problem::Missing { entry: next });
        next += 1;
        intact = false;
    }
    diagnose(&mut report, &mismatches, &seen.finish());
    report.tree_size = frontier.size();
    report.root = Some(frontier.root());
    if intact && frontier.size() == head.size && frontier.root() != head.root {
        report.problem(Problem::HeadRoot { size: head.size });
    }
    checkpoints.rest(&frontier, &mut report, key).await?;
    report
        .problems
        .sort_by_key(|p| p.entry().unwrap_or(i64::MAX));
    Ok(report)
}

/// Reads the log's entries as leaves, `chunk` ids at a time, on a task of its own: the next
/// chunk is read, and its leaf hashes computed, while the verifier checks this one. Stops
/// after an error, or at the first empty chunk at or past `total`.
fn read_ahead(
    store: Store,
    chunk: i64,
    total: u64,
) -> mpsc::Receiver<Result<Vec<LeafRecord>, StorageError>> {
    let (sender, receiver) = mpsc::channel(2);
    tokio::spawn(async move {
        let log = Reader::new(&store);
        let mut start = 0i64;
        loop {
            let leaves = log.leaves(start..start + chunk, false).await;
            let last = match &leaves {
                Ok(leaves) => leaves.is_empty() && start as u64 >= total,
                Err(_) => true,
            };
            // The verifier stopped (an error of its own): so does the reading.
            if sender.send(leaves).await.is_err() || last {
                break;
            }
            start += chunk;
        }
    });
    receiver
}

/// Per disclosure, the entries seen and how many of them disagree with their leaf hash.
/// A disclosure's entries are consecutive, so the counts are kept for the current run and
/// added up in the map when it ends.
#[derive(Default)]
struct Tally {
    run: Option<(i64, (u32, u32))>,
    done: HashMap<i64, (u32, u32)>,
}

impl Tally {
    fn count(&mut self, disclosure: i64, disagrees: bool) {
        match &mut self.run {
            Some((id, counts)) if *id == disclosure => {
                counts.0 += 1;
                counts.1 += u32::from(disagrees);
            }
            run => {
                if let Some((id, (entries, disagreeing))) = run.take() {
                    let total = self.done.entry(id).or_default();
                    total.0 += entries;
                    total.1 += disagreeing;
                }
                *run = Some((disclosure, (1, u32::from(disagrees))));
            }
        }
    }

    fn finish(mut self) -> HashMap<i64, (u32, u32)> {
        self.count(i64::MIN, false);
        self.done.remove(&i64::MIN);
        self.done
    }
}

/// Checks one entry; returns the hash it adds to the tree, or `None` if it cannot.
fn check_leaf(
    leaf: &LeafRecord,
    integrated: bool,
    report: &mut Report,
    mismatches: &mut Vec<Mismatch>,
    seen: &mut Tally,
) -> Option<Hash> {
    let entry = leaf.index;
    match (&leaf.content, leaf.stored) {
        (LeafContent::Present { hash, .. }, Some(stored)) => {
            let disagrees = !stored.matches(hash);
            seen.count(leaf.disclosure_id, disagrees);
            if disagrees {
                mismatches.push(Mismatch {
                    entry,
                    disclosure: leaf.disclosure_id,
                    stored,
                    computed: *hash,
                });
            }
            // The row's own hash goes into the tree, so an edit also shows against every
            // checkpoint after it, even if the stored leaf hash was rewritten to match.
            Some(*hash)
        }
        (LeafContent::Present { hash, .. }, None) if !integrated => {
            report.not_integrated += 1;
            Some(*hash)
        }
        (LeafContent::Present { .. }, None) => {
            report.problem(Problem::NoLeafHash { entry });
            None
        }
        (LeafContent::Purged, Some(StoredLeaf::Hash(stored))) => {
            report.purged += 1;
            Some(stored)
        }
        (LeafContent::Purged, _) => {
            report.problem(Problem::NoLeafHash { entry });
            None
        }
        (LeafContent::HalfPurged, stored) => {
            report.problem(Problem::HalfPurged { entry });
            whole(stored)
        }
        (LeafContent::NoDisclosure, stored) => {
            report.problem(Problem::Orphan {
                entry,
                disclosure: leaf.disclosure_id,
            });
            whole(stored)
        }
    }
}

/// The whole leaf hash `stored` keeps, if it keeps it whole.
fn whole(stored: Option<StoredLeaf>) -> Option<Hash> {
    match stored {
        Some(StoredLeaf::Hash(hash)) => Some(hash),
        _ => None,
    }
}

/// Turns the entries that disagree with their leaf hashes into problems: an entry whose
/// contents give what another disagreeing entry keeps of its hash was moved; the rest were
/// changed.
fn diagnose(report: &mut Report, mismatches: &[Mismatch], seen: &HashMap<i64, (u32, u32)>) {
    let kept = |hash: &Hash| StoredLeaf::fingerprint_of(hash);
    let fingerprint = |stored: &StoredLeaf| match stored {
        StoredLeaf::Hash(hash) => kept(hash),
        fingerprint => *fingerprint,
    };
    let by_stored: HashMap<StoredLeaf, i64> = mismatches
        .iter()
        .map(|m| (fingerprint(&m.stored), m.entry))
        .collect();
    for m in mismatches {
        match by_stored.get(&kept(&m.computed)) {
            Some(&holds) => report.problem(Problem::Moved {
                entry: m.entry,
                holds,
            }),
            None => {
                let (entries, disagreeing) = seen.get(&m.disclosure).copied().unwrap_or_default();
                report.problem(Problem::Changed {
                    entry: m.entry,
                    disclosure: m.disclosure,
                    whole_disclosure: entries > 1 && entries == disagreeing,
                })
            }
        }
    }
}

/// The stored checkpoints, read in size order as the rebuilt tree grows past them.
struct Checkpoints<'a> {
    log: Reader<'a>,
    page: std::vec::IntoIter<StoredCheckpoint>,
    after: Option<u64>,
    done: bool,
    /// The size of the next checkpoint as last peeked, so that the tree's growth is
    /// compared with it without a call per entry.
    next_size: Option<u64>,
}

impl<'a> Checkpoints<'a> {
    fn new(log: Reader<'a>) -> Self {
        Self {
            log,
            page: Vec::new().into_iter(),
            after: None,
            done: false,
            next_size: None,
        }
    }

    async fn peek_size(&mut self) -> Result<Option<u64>, StorageError> {
        if self.page.as_slice().is_empty() && !self.done {
            let page = self.log.checkpoints(self.after, CHECKPOINT_PAGE).await?;
            self.done = page.len() < CHECKPOINT_PAGE as usize;
            self.page = page.into_iter();
        }
        self.next_size = self.page.as_slice().first().map(|c| c.size);
        Ok(self.next_size)
    }

    fn take(&mut self) -> StoredCheckpoint {
        let checkpoint = self.page.next().expect("peeked");
        self.after = Some(checkpoint.size);
        checkpoint
    }

    /// Checks every checkpoint of the tree's current size.
    async fn reached(
        &mut self,
        tree: &Frontier,
        report: &mut Report,
        key: &VerifierKey,
    ) -> Result<(), StorageError> {
        while self.peek_size().await? == Some(tree.size()) {
            let checkpoint = self.take();
            check_checkpoint(&checkpoint, Some(tree.root()), report, key);
        }
        Ok(())
    }

    /// Checks the checkpoints beyond the rebuilt tree: signatures still, roots not.
    async fn rest(
        &mut self,
        tree: &Frontier,
        report: &mut Report,
        key: &VerifierKey,
    ) -> Result<(), StorageError> {
        while self.peek_size().await?.is_some() {
            let checkpoint = self.take();
            check_checkpoint(&checkpoint, None, report, key);
            report.problem(Problem::CheckpointBeyondTree {
                size: checkpoint.size,
                tree: tree.size(),
            });
        }
        Ok(())
    }
}

fn check_checkpoint(
    stored: &StoredCheckpoint,
    tree_root: Option<Hash>,
    report: &mut Report,
    key: &VerifierKey,
) {
    let size = stored.size;
    let signed = match open(&stored.note, key) {
        Ok(signed) => signed,
        Err(error) => {
            report.problem(Problem::BadSignature {
                size,
                detail: error.to_string(),
            });
            return;
        }
    };
    let detail = if signed.size != size || signed.root != stored.root {
        Some("the signed note names another size or root than its row")
    } else if tree_root.is_some_and(|root| root != signed.root) {
        Some("its root is not the root of the log's first entries")
    } else {
        None
    };
    match detail {
        Some(detail) => report.problem(Problem::CheckpointMismatch {
            size,
            detail: detail.into(),
        }),
        None if tree_root.is_some() => report.checkpoints += 1,
        None => {}
    }
}
