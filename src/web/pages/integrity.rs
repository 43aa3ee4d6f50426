//! `/integrity`: the tree size, the latest checkpoint and its age, the verifier key, and
//! how to verify the log offline. The same use case, and so the same rule, as GetCheckpoint.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::service::EvidenceError;
use crate::web::WebState;
use crate::web::respond::{denied, failed, render};
use crate::web::viewer::{Chrome, Viewer};

pub fn routes() -> Router<Arc<WebState>> {
    Router::new().route("/integrity", get(integrity))
}

#[derive(Template)]
#[template(path = "web/integrity.html")]
struct IntegrityPage<'a> {
    c: Chrome,
    p: &'static IntegrityTexts,
    tree_size: u64,
    note: Option<String>,
    age_seconds: Option<i64>,
    verifier_key: Option<&'a str>,
}

async fn integrity(State(state): State<Arc<WebState>>, viewer: Viewer) -> Response {
    let lang = viewer.lang;
    let (tree_size, note, age_seconds) = match state.services.checkpoint(&viewer.caller, None).await
    {
        Ok(checkpoint) => {
            let age = (state.services.now().micros() - checkpoint.signed_at) / 1_000_000;
            (checkpoint.size, Some(checkpoint.note), Some(age.max(0)))
        }
        Err(EvidenceError::NoCheckpoint) => (0, None, None),
        Err(EvidenceError::Denied(refusal)) => return denied(lang, &refusal),
        Err(error) => return failed(lang, "reading the latest checkpoint for /integrity", &error),
    };
    let page = IntegrityPage {
        c: viewer.chrome(),
        p: lang.pick(&FI, &SV, &EN),
        tree_size,
        note,
        age_seconds,
        verifier_key: state.verifier_key.as_deref(),
    };
    render(StatusCode::OK, &page)
}

/// The integrity page's texts.
pub struct IntegrityTexts {
    pub tree_size: &'static str,
    pub latest: &'static str,
    pub no_checkpoint: &'static str,
    pub age: &'static str,
    pub seconds: &'static str,
    pub verifier_key: &'static str,
    pub no_key: &'static str,
    pub offline: &'static str,
    pub offline_text: &'static str,
}

const FI: IntegrityTexts = IntegrityTexts {
    tree_size: "Merkintöjä puussa",
    latest: "Viimeisin tarkistuspiste",
    no_checkpoint: "Tarkistuspistettä ei ole vielä allekirjoitettu.",
    age: "Tarkistuspisteen ikä",
    seconds: "s",
    verifier_key: "Tarkistusavain",
    no_key: "Tarkistuspisteitä ei allekirjoiteta tässä palvelussa.",
    offline: "Näin tarkistat lokin itse",
    offline_text: "Tarkistus ei tarvitse tätä palvelua: komennot lukevat tietokantaa tai todistetiedostoa suoraan.",
};

const SV: IntegrityTexts = IntegrityTexts {
    tree_size: "Poster i trädet",
    latest: "Senaste kontrollpunkt",
    no_checkpoint: "Ingen kontrollpunkt har ännu signerats.",
    age: "Kontrollpunktens ålder",
    seconds: "s",
    verifier_key: "Verifieringsnyckel",
    no_key: "Kontrollpunkter signeras inte i denna tjänst.",
    offline: "Så här verifierar du loggen själv",
    offline_text: "Verifieringen behöver inte denna tjänst: kommandona läser databasen eller bevisfilen direkt.",
};

const EN: IntegrityTexts = IntegrityTexts {
    tree_size: "Entries in the tree",
    latest: "Latest checkpoint",
    no_checkpoint: "No checkpoint has been signed yet.",
    age: "Age of the checkpoint",
    seconds: "s",
    verifier_key: "Verifier key",
    no_key: "This service does not sign checkpoints.",
    offline: "How to verify the log yourself",
    offline_text: "Verifying needs nothing of this service: the commands read the database or the proof file directly.",
};
