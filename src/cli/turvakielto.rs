//! `luovutusloki turvakielto …`: marking a person as having a non-disclosure for personal
//! safety (661/2009 36 §) without a disclosure, or lifting the mark, in the configured
//! database; the same use case as DecideSafetyProtection.

use crate::config::Settings;
use crate::domain::finnish_time::date as finnish_date;
use crate::domain::provision::Language;
use crate::domain::{BusinessId, LongText, SafetyAction, SafetyChange, ShortText};

use super::withholding::long_text;
use super::{Needs, business_id, caller, short_text};

/// The `luovutusloki turvakielto` commands.
#[derive(Debug, clap::Subcommand)]
pub enum TurvakieltoCommand {
    /// Mark a person as protected at the controller, e.g. when the population register
    /// reports a new turvakielto; the decision is appended.
    Mark(DecisionArgs),
    /// Lift the person's mark in force at the controller; the decision is appended.
    Lift(DecisionArgs),
}

/// Arguments of a turvakielto decision.
#[derive(Debug, clap::Args)]
pub struct DecisionArgs {
    /// Business ID of the controller.
    #[arg(long, value_parser = business_id)]
    controller: BusinessId,
    /// The person's identity code, or `-` to read it from standard input (which keeps it
    /// out of the shell history and the process list).
    #[arg(long)]
    hetu: String,
    /// Why this decision.
    #[arg(long, value_parser = long_text)]
    reason: LongText,
    /// The official who decided.
    #[arg(long, value_parser = short_text)]
    decided_by: ShortText,
}

/// Runs a turvakielto command against the configured database; prints the decision as a
/// line: id, action, decided when, by whom (caller), reason. Never the identity code.
pub async fn run(settings: Settings, command: TurvakieltoCommand) -> anyhow::Result<()> {
    let (action, args) = match command {
        TurvakieltoCommand::Mark(args) => (SafetyAction::Mark, args),
        TurvakieltoCommand::Lift(args) => (SafetyAction::Lift, args),
    };
    let change = SafetyChange {
        controller: args.controller,
        subject: super::read_hetu(&args.hetu)?,
        action,
        reason: args.reason,
        decided_by: args.decided_by,
    };
    let services = super::services(&settings, Needs::default().keys(&settings)?).await?;
    let decision = services.decide_safety_protection(&caller(), change).await?;
    println!(
        "{} {} decided {} by {} ({}) reason {}",
        decision.id,
        decision.action.label(),
        finnish_date(decision.decided_at, Language::En),
        decision.decided_by,
        decision.caller,
        decision.reason,
    );
    Ok(())
}
