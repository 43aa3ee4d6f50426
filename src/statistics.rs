//! Dashboard statistics: counts of disclosures and subject entries grouped by any of the
//! log's dimensions, per day, per month or over the whole period, read from the per-day
//! rollup that the write path keeps.

use std::collections::BTreeMap;

use crate::domain::RollupEntry;
use crate::domain::finnish_time::date_of_day_number;

/// What a count can be grouped by (also a command-line value, in kebab case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dimension {
    Register,
    Recipient,
    RecipientKind,
    /// One group per act cited; a disclosure citing two acts counts in both.
    Statute,
    /// One group per category; a disclosure of three categories counts in all three.
    DataCategory,
    Channel,
    Classification,
    LegalBasis,
}

/// The time step of the groups (also a command-line value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Bucket {
    /// The whole period is one step.
    #[value(name = "period")]
    Whole,
    Day,
    Month,
}

/// One group's value in one dimension: a stable key and a label for people.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Value {
    pub dimension: Dimension,
    pub key: String,
    pub label: String,
}

/// The counts of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `2026-10-05`, `2026-10`, or empty for the whole period.
    pub period: String,
    pub values: Vec<Value>,
    pub disclosures: u64,
    pub entries: u64,
}

/// The values of `entry` in `dimension` (several for statutes and categories).
fn values_of(entry: &RollupEntry, dimension: Dimension) -> Vec<Value> {
    let value = |key: String, label: String| Value {
        dimension,
        key,
        label,
    };
    match dimension {
        Dimension::Register => vec![value(
            entry.register.to_string(),
            entry.register.to_string(),
        )],
        Dimension::Recipient => vec![value(
            entry.recipient.identifier.as_str().to_owned(),
            entry.recipient.name.to_string(),
        )],
        Dimension::RecipientKind => {
            let kind = entry.recipient.kind.label();
            vec![value(kind.to_owned(), kind.to_owned())]
        }
        Dimension::Statute => {
            let mut acts: Vec<String> = entry.provisions.iter().map(|p| p.statute_key()).collect();
            acts.sort();
            acts.dedup();
            acts.into_iter().map(|a| value(a.clone(), a)).collect()
        }
        Dimension::DataCategory => entry
            .data_categories
            .iter()
            .map(|c| value(c.label().to_owned(), c.label().to_owned()))
            .collect(),
        Dimension::Channel => {
            let label = entry.channel.label();
            vec![value(label.to_owned(), label.to_owned())]
        }
        Dimension::Classification => {
            let label = entry.classification.label();
            vec![value(label.to_owned(), label.to_owned())]
        }
        Dimension::LegalBasis => {
            let label = entry.legal_basis.label();
            vec![value(label.to_owned(), label.to_owned())]
        }
    }
}

fn period(day: i32, bucket: Bucket) -> String {
    let date = date_of_day_number(day);
    match bucket {
        Bucket::Whole => String::new(),
        Bucket::Day => format!(
            "{}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
        Bucket::Month => format!("{}-{:02}", date.year(), u8::from(date.month())),
    }
}

/// Every combination of one value per dimension.
fn combinations(entry: &RollupEntry, group_by: &[Dimension]) -> Vec<Vec<Value>> {
    let mut combos = vec![Vec::new()];
    for &dimension in group_by {
        let values = values_of(entry, dimension);
        combos = combos
            .into_iter()
            .flat_map(|combo| {
                values.iter().map(move |v| {
                    let mut next = combo.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    combos
}

/// Sums `entries` into groups, ordered by period, then values.
pub fn aggregate(entries: &[RollupEntry], group_by: &[Dimension], bucket: Bucket) -> Vec<Group> {
    let mut sums: BTreeMap<(String, Vec<Value>), (u64, u64)> = BTreeMap::new();
    for entry in entries {
        let period = period(entry.day, bucket);
        for values in combinations(entry, group_by) {
            let sum = sums.entry((period.clone(), values)).or_default();
            sum.0 += entry.disclosures as u64;
            sum.1 += entry.entries as u64;
        }
    }
    sums.into_iter()
        .map(|((period, values), (disclosures, entries))| Group {
            period,
            values,
            disclosures,
            entries,
        })
        .collect()
}
