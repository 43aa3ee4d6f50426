//! The command-line reports, consents and catalogue checks: the same use cases as the gRPC
//! service, run against the configured database directly.

pub mod consents;
pub mod evidence;
pub mod registers;
pub mod report;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use time::Date;

use crate::catalogue::{Catalogue, Registers};
use crate::config::Settings;
use crate::domain::Period;
use crate::domain::finnish_time::{parse_day, start_of_finnish_day};
use crate::domain::{BusinessId, Hetu, LookupContext, RegisterId, ShortText, Timestamp};

/// The caller recorded with lookups made by command on the host (whoever may run them has
/// the database and the keys already); `requested_by` names the person.
pub const CLI_CALLER: &str = "cli";

/// Parses a business ID argument.
pub fn business_id(text: &str) -> Result<BusinessId, String> {
    BusinessId::parse(text).map_err(|e| e.to_string())
}

/// Parses a register id argument.
pub fn register_id(text: &str) -> Result<RegisterId, String> {
    RegisterId::parse(text).map_err(|e| e.to_string())
}

/// Parses a short text argument (a reference, a name).
pub fn short_text(text: &str) -> Result<ShortText, String> {
    ShortText::parse(text).map_err(|e| e.to_string())
}

/// Parses a day argument, YYYY-MM-DD.
pub fn day(text: &str) -> Result<Date, String> {
    parse_day(text).ok_or_else(|| "expected YYYY-MM-DD".to_owned())
}

/// The moment Finnish local day `day` ends (the next one starts).
pub fn end_of_day(day: Date) -> Timestamp {
    start_of_finnish_day(
        day.next_day()
            .expect("dates given are far from the end of time"),
    )
}

/// The period from the start of `from` to the end of `to` (both Finnish local days,
/// included); an unset end is open.
pub fn period(from: Option<Date>, to: Option<Date>) -> Period {
    Period {
        from: from.map(start_of_finnish_day),
        to: to.map(end_of_day),
    }
}

/// The identity code given as `--hetu`, or read from standard input for `-`. It is not
/// parsed by clap, whose errors repeat the value; this error never does.
pub fn read_hetu(arg: &str) -> anyhow::Result<Hetu> {
    let code = if arg == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim().to_owned()
    } else {
        arg.to_owned()
    };
    Hetu::parse(&code).map_err(|e| anyhow::anyhow!("--hetu: {e}"))
}

/// Who looks up and why: `--requested-by`, by default the login name ($USER).
pub fn lookup_context(
    requested_by: Option<ShortText>,
    case_reference: ShortText,
) -> anyhow::Result<LookupContext> {
    let requested_by = match requested_by {
        Some(given) => given,
        None => {
            let user = std::env::var("USER").unwrap_or_else(|_| "cli".into());
            ShortText::parse(&user).map_err(|e| anyhow::anyhow!("$USER: {e}"))?
        }
    };
    Ok(LookupContext {
        requested_by,
        case_reference,
    })
}

/// The register catalogue in `dir`, or in `registers.dir` when not given.
pub fn catalogue(settings: &Settings, dir: Option<&Path>) -> anyhow::Result<Arc<Catalogue>> {
    let dir = dir.unwrap_or(&settings.registers.dir);
    Ok(Registers::load(dir)
        .with_context(|| format!("loading the register catalogue {}", dir.display()))?
        .current())
}
