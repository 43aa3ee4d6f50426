//! The command line: reports, consents, evidence and catalogue checks. Each command parses
//! its arguments into domain types and calls the same use case of [`crate::service`] as
//! the gRPC service does, against the configured database, as the command-line caller
//! (`cli`, every role: whoever may run it has the database and the keys already).

pub mod consents;
pub mod evidence;
pub mod progress;
pub mod registers;
pub mod report;
pub mod turvakielto;
pub mod withholding;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use time::Date;

use crate::auth::Caller;
use crate::catalogue::{Catalogue, Registers};
use crate::config::Settings;
use crate::crypto::Keyring;
use crate::domain::Period;
use crate::domain::finnish_time::{parse_day, start_of_finnish_day};
use crate::domain::{
    BusinessId, Days, DaysError, Hetu, LookupContext, RegisterId, ShortText, Timestamp,
};
use crate::service::{
    ConsentError, DisclosureQueryError, EvidenceError, OtherLog, ReportError, SafetyDecisionError,
    Services, WithholdingError,
};
use crate::storage::Store;

/// The use cases over the configured database, with what `needs` adds, held to the
/// controllers the log is bound to (setting `controllers`) as the service is.
pub async fn services(settings: &Settings, needs: Needs) -> anyhow::Result<Services> {
    let controllers = settings.log_controllers().map_err(anyhow::Error::msg)?;
    let store = crate::app::open_store(settings, crate::storage::OpenOptions::default()).await?;
    Ok(needs.build(store).with_controllers(controllers))
}

/// What a command's use cases need besides the database.
#[derive(Default)]
pub struct Needs {
    keys: Option<Arc<Keyring>>,
    registers: Option<Registers>,
}

impl Needs {
    /// The configured subject keys, for commands that read identity codes.
    pub fn keys(mut self, settings: &Settings) -> anyhow::Result<Self> {
        self.keys = Some(Arc::new(
            settings.keyring().context("loading the subject keys")?,
        ));
        Ok(self)
    }

    /// The register catalogue in `dir`, or in `registers.dir` when not given.
    pub fn registers(mut self, settings: &Settings, dir: Option<&Path>) -> anyhow::Result<Self> {
        self.registers = Some(registers(settings, dir)?);
        Ok(self)
    }

    fn build(self, store: Store) -> Services {
        let mut services = Services::new(store);
        if let Some(keys) = self.keys {
            services = services.with_keys(keys);
        }
        if let Some(registers) = self.registers {
            services = services.with_registers(registers);
        }
        services
    }
}

/// The caller the commands act as.
pub fn caller() -> Caller {
    Caller::command_line()
}

/// An argument that the argument parser let through but that does not hold (it is read or
/// checked later, e.g. an identity code from standard input, or a span of days).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// The exit status of a failed command: 2 for a bad argument (as the argument parser
/// answers), 3 when what it named does not exist, 4 when a rule of the log refused it, 1
/// otherwise.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.chain().any(|e| {
        e.is::<Usage>()
            || matches!(e.downcast_ref(), Some(ConsentError::Validity(_)))
            || matches!(e.downcast_ref(), Some(WithholdingError::Invalid(_)))
    }) {
        return 2;
    }
    let not_found = error.chain().any(|e| {
        matches!(e.downcast_ref(), Some(ConsentError::NotFound(_)))
            || matches!(e.downcast_ref(), Some(ReportError::UnknownRegister(_)))
            || matches!(
                e.downcast_ref(),
                Some(EvidenceError::NoCheckpoint | EvidenceError::NoEntry)
            )
            || matches!(e.downcast_ref(), Some(WithholdingError::NotFound))
    });
    let refused = error.chain().any(|e| {
        matches!(
            e.downcast_ref(),
            Some(ConsentError::Refusal(_) | ConsentError::ReferenceTaken(_))
        ) || matches!(e.downcast_ref(), Some(ReportError::NotController { .. }))
            || matches!(e.downcast_ref(), Some(EvidenceError::OutOfRange(_)))
            || matches!(e.downcast_ref(), Some(WithholdingError::NothingToLift))
            || matches!(e.downcast_ref(), Some(SafetyDecisionError::NothingToLift))
            || for_another_log(e)
    });
    if not_found {
        3
    } else if refused {
        4
    } else {
        1
    }
}

/// Whether `error` is the controller rule of a log bound to other controllers, whichever
/// use case refused.
fn for_another_log(error: &(dyn std::error::Error + 'static)) -> bool {
    matches!(error.downcast_ref(), Some(ReportError::OtherLog(_)))
        || matches!(error.downcast_ref(), Some(ConsentError::OtherLog(_)))
        || matches!(error.downcast_ref(), Some(EvidenceError::OtherLog(_)))
        || matches!(error.downcast_ref(), Some(WithholdingError::OtherLog(_)))
        || matches!(error.downcast_ref(), Some(SafetyDecisionError::OtherLog(_)))
        || matches!(
            error.downcast_ref(),
            Some(DisclosureQueryError::OtherLog(_))
        )
        || matches!(error.downcast_ref(), Some(OtherLog { .. }))
}

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
    Hetu::parse(&code).map_err(|e| Usage(format!("--hetu: {e}")).into())
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

/// The Finnish local days from `--from` to `--to`, both included.
pub fn days(from: Date, to: Date) -> anyhow::Result<Days> {
    Days::new(from, to).map_err(|e| {
        Usage(match e {
            DaysError::Reversed => "--to must not be before --from".to_owned(),
            DaysError::TooLong => format!("--to: {e}"),
        })
        .into()
    })
}

/// The register catalogue in `dir`, or in `registers.dir` when not given.
pub fn catalogue(settings: &Settings, dir: Option<&Path>) -> anyhow::Result<Arc<Catalogue>> {
    Ok(registers(settings, dir)?.current())
}

fn registers(settings: &Settings, dir: Option<&Path>) -> anyhow::Result<Registers> {
    let dir = dir.unwrap_or(&settings.registers.dir);
    Registers::load(dir)
        .with_context(|| format!("loading the register catalogue {}", dir.display()))
}
