//! `luovutusloki registers check`.

use std::path::Path;

use crate::catalogue::UndeclaredPolicy;
use crate::config::Settings;

/// Validates a catalogue directory and lists its registers: what `serve` and a reload
/// would load.
pub fn check(settings: &Settings, dir: Option<&Path>) -> anyhow::Result<()> {
    let catalogue = super::catalogue(settings, dir)?;
    for register in catalogue.registers() {
        let controllers: Vec<String> = register
            .controllers
            .iter()
            .map(|c| {
                let example = if c.example { ", example ID" } else { "" };
                format!("{} ({}{example})", c.name.fi, c.business_id)
            })
            .collect();
        println!(
            "{}: {} — {} declared disclosures, {} on-request groups, {} processors, undeclared: {}; {}",
            register.id,
            register.name.fi,
            register.disclosures.len(),
            register.on_request.len(),
            register.processors.len(),
            match register.undeclared {
                UndeclaredPolicy::Flag => "flag",
                UndeclaredPolicy::Reject => "reject",
            },
            controllers.join(", ")
        );
    }
    for warning in catalogue.warnings() {
        println!("warning: {warning}");
    }
    let dir = dir.unwrap_or(&settings.registers.dir);
    println!("{} registers in {}: valid", catalogue.len(), dir.display());
    Ok(())
}
