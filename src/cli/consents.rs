//! `luovutusloki consents …`: consents and refusals in the configured database.

use anyhow::Context;
use time::Date;

use super::CLI_CALLER;
use crate::config::Settings;
use crate::consents;
use crate::domain::finnish_time::{date as finnish_date, start_of_finnish_day};
use crate::domain::provision::Language;
use crate::domain::{
    BusinessId, Consent, ConsentDecision, ConsentScope, ConsentTerms, DataCategories, DataCategory,
    LongText, RecipientKind, ShortText, Timestamp,
};
use crate::storage::Store;
use crate::storage::prelude::*;

use super::{business_id, day, short_text};

/// Arguments naming one consent.
#[derive(Debug, clap::Args)]
pub struct ConsentKeyArgs {
    /// Business ID of the controller.
    #[arg(long, value_parser = business_id)]
    pub controller: BusinessId,
    /// The controller's reference of the consent.
    #[arg(long, value_parser = short_text)]
    pub reference: ShortText,
}

fn recipient_kind(text: &str) -> Result<RecipientKind, String> {
    RecipientKind::from_label(text).ok_or_else(|| format!("unknown recipient kind {text}"))
}

fn data_category(text: &str) -> Result<DataCategory, String> {
    DataCategory::from_label(text).ok_or_else(|| format!("unknown data category {text}"))
}

fn long_text(text: &str) -> Result<LongText, String> {
    LongText::parse(text).map_err(|e| e.to_string())
}

/// Arguments of `luovutusloki consents record` and `refuse`.
#[derive(Debug, clap::Args)]
pub struct ConsentArgs {
    #[command(flatten)]
    pub key: ConsentKeyArgs,
    /// The data subject's identity code, or `-` to read it from standard input.
    #[arg(long)]
    pub hetu: String,
    /// Kind of recipient the consent is for (e.g. employer, service_provider).
    #[arg(long, value_parser = recipient_kind)]
    pub recipient_kind: RecipientKind,
    /// Only this recipient (business ID); unset: any recipient of the kind.
    #[arg(long, value_parser = business_id)]
    pub recipient_id: Option<BusinessId>,
    /// Data categories, comma-separated (docs/data-categories.md).
    #[arg(long, value_delimiter = ',', required = true, value_parser = data_category)]
    pub categories: Vec<DataCategory>,
    /// What the data may be used for.
    #[arg(long, value_parser = long_text)]
    pub purpose: LongText,
    /// Day the consent was given or refused (YYYY-MM-DD, Finnish time).
    #[arg(long, value_parser = day)]
    pub given: Date,
    /// Last day of validity, included (consents only).
    #[arg(long, value_parser = day)]
    pub valid_until: Option<Date>,
    /// The signed document's reference.
    #[arg(long, value_parser = short_text)]
    pub document: ShortText,
}

/// The `luovutusloki consents` commands.
#[derive(Debug, clap::Subcommand)]
pub enum ConsentsCommand {
    /// Record a data subject's consent.
    Record(ConsentArgs),
    /// Record that a data subject refused consent.
    Refuse(ConsentArgs),
    /// Withdraw a consent from a day on (not retroactively).
    Withdraw {
        #[command(flatten)]
        key: ConsentKeyArgs,
        /// Day of withdrawal (YYYY-MM-DD, Finnish time); default: now.
        #[arg(long, value_parser = day)]
        at: Option<Date>,
    },
    /// Show one consent or refusal.
    Show {
        #[command(flatten)]
        key: ConsentKeyArgs,
    },
    /// A data subject's consents and refusals; a recorded lookup.
    List {
        /// Business ID of the controller.
        #[arg(long, value_parser = business_id)]
        controller: BusinessId,
        /// The data subject's identity code, or `-` to read it from standard input.
        #[arg(long)]
        hetu: String,
        /// The case the lookup belongs to.
        #[arg(long = "case", value_parser = short_text)]
        case_reference: ShortText,
        /// Who looks up; default: the login name ($USER).
        #[arg(long, value_parser = short_text)]
        requested_by: Option<ShortText>,
    },
}

fn consent_terms(args: ConsentArgs, decision: ConsentDecision) -> anyhow::Result<ConsentTerms> {
    let valid_until = args.valid_until.map(super::end_of_day);
    anyhow::ensure!(
        decision == ConsentDecision::Given || valid_until.is_none(),
        "--valid-until: a refusal has no validity"
    );
    Ok(ConsentTerms {
        controller: args.key.controller,
        reference: args.key.reference,
        decision,
        scope: ConsentScope {
            recipient_kind: args.recipient_kind,
            recipient_id: args.recipient_id,
            data_categories: DataCategories::new(args.categories)
                .context("--categories: give at least one")?,
            purpose: args.purpose,
        },
        given_at: start_of_finnish_day(args.given),
        valid_until,
        document_reference: args.document,
    })
}

/// One consent as a line: reference, decision, dates, scope, document.
fn consent_line(c: &Consent) -> String {
    let day = |t: Option<Timestamp>| t.map(|t| finnish_date(t, Language::En)).unwrap_or_default();
    let scope = &c.terms.scope;
    format!(
        "{} {} given {} valid-until {} withdrawn {} to {}{} of {} ({}) document {}",
        c.terms.reference,
        c.terms.decision.label(),
        finnish_date(c.terms.given_at, Language::En),
        day(c.terms.valid_until),
        day(c.withdrawn_at),
        scope.recipient_kind.label(),
        scope
            .recipient_id
            .as_ref()
            .map(|id| format!(" {id}"))
            .unwrap_or_default(),
        scope
            .data_categories
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(","),
        scope.purpose,
        c.terms.document_reference,
    )
}

/// Runs a consent command against the configured database.
pub async fn run(settings: Settings, command: ConsentsCommand) -> anyhow::Result<()> {
    let listed = {
        let store =
            crate::app::open_store(&settings, crate::storage::OpenOptions::default()).await?;
        run_on(&settings, &store, command).await
    }?;
    for consent in &listed {
        println!("{}", consent_line(consent));
    }
    Ok(())
}

async fn run_on(
    settings: &Settings,
    store: &Store,
    command: ConsentsCommand,
) -> anyhow::Result<Vec<Consent>> {
    let now = Timestamp::now();
    let keys = || settings.keyring().context("loading the subject keys");
    Ok(match command {
        ConsentsCommand::Record(args) => {
            let subject = super::read_hetu(&args.hetu)?;
            let terms = consent_terms(args, ConsentDecision::Given)?;
            vec![consents::store(store, &keys()?, CLI_CALLER, terms, &subject, now).await?]
        }
        ConsentsCommand::Refuse(args) => {
            let subject = super::read_hetu(&args.hetu)?;
            let terms = consent_terms(args, ConsentDecision::Refused)?;
            vec![consents::store(store, &keys()?, CLI_CALLER, terms, &subject, now).await?]
        }
        ConsentsCommand::Withdraw { key, at } => {
            let at = at.map(start_of_finnish_day).unwrap_or(now);
            vec![consents::withdraw(store, CLI_CALLER, &key.controller, &key.reference, at).await?]
        }
        ConsentsCommand::Show { key } => {
            let found = store.get_consent(&key.controller, &key.reference).await?;
            vec![found.with_context(|| format!("no consent {}", key.reference))?]
        }
        ConsentsCommand::List {
            controller,
            hetu,
            case_reference,
            requested_by,
        } => {
            let context = super::lookup_context(requested_by, case_reference)?;
            let subject = super::read_hetu(&hetu)?;
            consents::list(
                store,
                &keys()?,
                CLI_CALLER,
                &controller,
                &subject,
                context,
                now,
            )
            .await?
        }
    })
}
