//! `luovutusloki withholding …`: withholding decisions of recorded disclosures (GDPR
//! Art. 23, Tietosuojalaki 1050/2018 34 §), in the configured database.

use time::Date;

use crate::config::Settings;
use crate::domain::finnish_time::date as finnish_date;
use crate::domain::provision::Language;
use crate::domain::{BusinessId, LongText, ShortText, WithholdingChange, WithholdingDecision};

use super::{Needs, Usage, business_id, caller, day, short_text};

/// Parses a long text argument (a reason, a ground).
pub(super) fn long_text(text: &str) -> Result<LongText, String> {
    LongText::parse(text).map_err(|e| e.to_string())
}

/// The `luovutusloki withholding` commands.
#[derive(Debug, clap::Subcommand)]
pub enum WithholdingCommand {
    /// Withhold a disclosure from the access report until a day, or lift its withholding;
    /// the decision is appended (the logged entry never changes).
    Decide {
        /// Business ID of the controller.
        #[arg(long, value_parser = business_id)]
        controller: BusinessId,
        /// The disclosure's id.
        #[arg(long)]
        disclosure: u64,
        /// Withheld until the end of this day (YYYY-MM-DD, Finnish time).
        #[arg(long, value_parser = day, required_unless_present = "lift")]
        until: Option<Date>,
        /// Lift the withholding.
        #[arg(long, conflicts_with = "until")]
        lift: bool,
        /// Why this decision.
        #[arg(long, value_parser = long_text)]
        reason: LongText,
        /// The legal ground of the restriction (required unless lifting).
        #[arg(long, value_parser = long_text)]
        ground: Option<LongText>,
        /// Telling the data subject that access is restricted would defeat its purpose.
        #[arg(long)]
        conceal_existence: bool,
        /// The official who decided.
        #[arg(long, value_parser = short_text)]
        decided_by: ShortText,
    },
    /// A disclosure's withholding decisions, oldest first.
    List {
        /// Business ID of the controller.
        #[arg(long, value_parser = business_id)]
        controller: BusinessId,
        /// The disclosure's id.
        #[arg(long)]
        disclosure: u64,
    },
}

/// One decision as a line: id, action, until, decided when and by whom, ground, reason.
fn decision_line(stored: &WithholdingDecision) -> String {
    let d = &stored.decision;
    format!(
        "{} {} until {} decided {} by {} ({}) ground {} conceal-existence {} reason {}",
        stored.id,
        d.action.label(),
        d.until
            .map(|t| finnish_date(t, Language::En))
            .unwrap_or_else(|| "-".into()),
        finnish_date(d.decided_at, Language::En),
        if d.decided_by.is_empty() {
            "-"
        } else {
            &d.decided_by
        },
        d.caller,
        d.ground.as_ref().map_or("-", |g| g.as_str()),
        d.conceal_existence,
        d.reason,
    )
}

/// Runs a withholding command against the configured database.
pub async fn run(settings: Settings, command: WithholdingCommand) -> anyhow::Result<()> {
    let services = super::services(&settings, Needs::default()).await?;
    let caller = caller();
    let decisions = match command {
        WithholdingCommand::Decide {
            controller,
            disclosure,
            until,
            lift: _,
            reason,
            ground,
            conceal_existence,
            decided_by,
        } => {
            if until.is_some() && ground.is_none() {
                return Err(Usage("--ground is required to withhold".into()).into());
            }
            let change = WithholdingChange {
                controller,
                disclosure_id: disclosure,
                until: until.map(super::end_of_day),
                reason,
                ground,
                conceal_existence,
                decided_by,
            };
            vec![services.decide_withholding(&caller, change).await?]
        }
        WithholdingCommand::List {
            controller,
            disclosure,
        } => {
            services
                .withholding_decisions(&caller, &controller, disclosure)
                .await?
        }
    };
    for decision in &decisions {
        println!("{}", decision_line(decision));
    }
    Ok(())
}
