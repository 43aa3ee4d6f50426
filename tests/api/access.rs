//! Who may do what, over real TLS: a test CA issues the server's and the callers'
//! certificates; callers authenticate by client certificate, API token or JWT. Every RPC is
//! called by every role, for its own controller and another's: the allowed calls succeed and
//! every other is UNAUTHENTICATED or PERMISSION_DENIED.

use luovutusloki::auth::{AuthSettings, CallerSettings, GrantSettings, JwtIssuerSettings, Role};
use luovutusloki::grpc::proto::disclosure_log_client::DisclosureLogClient;
use luovutusloki::grpc::proto::{self, *};
use luovutusloki::service::Limits;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, PKCS_ED25519};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity, ServerTlsConfig};
use tonic::{Code, Request, Status};

use crate::fixtures::{
    KEHA, KOKKOLA, OCTOBER_2026, access_case, at, hetu, income_register_submission, koko,
    service_provider_consent,
};
use crate::harness::{Kind, Options, TestApp, on_both_backends};

on_both_backends!(
    every_rpc_allows_exactly_its_role_at_its_own_controller,
    without_credentials_or_with_unknown_ones_a_call_is_unauthenticated,
    a_denial_does_not_reveal_whether_the_data_exists,
    writes_and_lookups_carry_the_authenticated_caller,
    verification_can_be_made_public,
    a_caller_over_its_rate_is_told_when_to_retry,
    beyond_the_concurrency_limit_calls_are_refused_with_a_retry_hint,
    joint_controllers_both_see_their_register_and_no_one_elses,
    a_callers_deadline_ends_its_call_and_frees_its_place,
);

/// The controller whose grants the callers hold (the KOKO fund) and its register.
const OWN_REGISTER: &str = "koko-jasen-ja-maksurekisteri";
/// Another controller's register (Kokkola's employment services).
const OTHER_REGISTER: &str = "kokkola-tyollisyyspalvelut";
const JWT_AUDIENCE: &str = "luovutusloki";
const JWT_ISSUER: &str = "https://sso.test.example/etuudet";

/// A test PKI: a CA, the server's certificate for `localhost`, and client certificates.
struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "luovutusloki test CA");
        let ca_pem = params.self_signed(&key).unwrap().pem();
        Self {
            ca_pem,
            issuer: Issuer::new(params, key),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A certificate and key (PEM) for `name`, as DNS name and common name.
    fn issue(&self, name: &str) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn server_tls(&self) -> ServerTlsConfig {
        let (cert, key) = self.issue("localhost");
        ServerTlsConfig::new()
            .identity(Identity::from_pem(cert, key))
            .client_ca_root(Certificate::from_pem(&self.ca_pem))
            .client_auth_optional(true)
    }

    fn client_tls(&self, certificate_name: Option<&str>) -> ClientTlsConfig {
        let tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&self.ca_pem))
            .domain_name("localhost");
        match certificate_name {
            Some(name) => {
                let (cert, key) = self.issue(name);
                tls.identity(Identity::from_pem(cert, key))
            }
            None => tls,
        }
    }
}

/// Signs the test issuer's JWTs.
struct JwtIssuer {
    key: jsonwebtoken::EncodingKey,
    public_key_file: std::path::PathBuf,
}

impl JwtIssuer {
    fn new(dir: &std::path::Path) -> Self {
        let pair = KeyPair::generate_for(&PKCS_ED25519).unwrap();
        let public_key_file = dir.join("jwt-issuer.pem");
        std::fs::write(&public_key_file, pair.public_key_pem()).unwrap();
        let key = jsonwebtoken::EncodingKey::from_ed_pem(pair.serialize_pem().as_bytes()).unwrap();
        Self {
            key,
            public_key_file,
        }
    }

    fn settings(&self) -> JwtIssuerSettings {
        JwtIssuerSettings {
            issuer: JWT_ISSUER.into(),
            audience: JWT_AUDIENCE.into(),
            algorithm: "EdDSA".into(),
            key_file: self.public_key_file.clone(),
        }
    }

    /// A token for `sub` that expires `expires_in` seconds from now (negative: expired).
    fn token(&self, sub: &str, expires_in: i64) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = serde_json::json!({
            "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "sub": sub, "exp": now + expires_in,
        });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
            &claims,
            &self.key,
        )
        .unwrap()
    }
}

/// How a test caller proves who it is.
#[derive(Debug, Clone)]
enum Credential {
    None,
    Certificate(&'static str),
    Token(&'static str),
    Jwt(String),
}

/// Adds `authorization: Bearer …` when the caller has a bearer credential.
#[derive(Clone)]
struct Bearer(Option<MetadataValue<Ascii>>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.0 {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        Ok(request)
    }
}

type Client = DisclosureLogClient<InterceptedService<Channel, Bearer>>;

fn grant(role: &str, controller: &str) -> GrantSettings {
    toml::from_str(&format!("role = {role:?}\ncontroller = {controller:?}")).unwrap()
}

fn caller(name: &str, role: &str) -> CallerSettings {
    CallerSettings {
        name: name.into(),
        certificate_names: vec![],
        token_sha256: vec![],
        jwt_subjects: vec![],
        grants: vec![grant(role, &koko())],
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(luovutusloki::auth::token_hash(token))
}

/// A TLS server whose callers each hold one role at the KOKO fund: the recorder by client
/// certificate, the auditor by JWT, the others by API token.
struct Secured {
    app: TestApp,
    pki: Pki,
    jwt: JwtIssuer,
}

const RECORDER_CERT: &str = "maksatus.koko.test";
const SUBJECT_ACCESS_TOKEN: &str = "kasittely-token-0123456789";
const VERIFIER_TOKEN: &str = "tarkastus-token-0123456789";
const ADMIN_TOKEN: &str = "yllapito-token-0123456789";
const AUDITOR_SUB: &str = "tietosuojavastaava";

impl Secured {
    async fn start(kind: Kind, configure: impl FnOnce(&mut Options)) -> Self {
        let pki = Pki::new();
        let jwt = JwtIssuer::new(pki.dir.path());
        let mut recorder = caller("maksatus", "recorder");
        recorder.certificate_names = vec![RECORDER_CERT.into()];
        let mut auditor = caller("tietosuoja", "auditor");
        auditor.jwt_subjects = vec![AUDITOR_SUB.into()];
        let mut subject_access = caller("kasittely", "subject-access");
        subject_access.token_sha256 = vec![token_hash(SUBJECT_ACCESS_TOKEN)];
        let mut verifier = caller("tarkastus", "verifier");
        verifier.token_sha256 = vec![token_hash(VERIFIER_TOKEN)];
        let mut admin = caller("yllapito", "admin");
        admin.token_sha256 = vec![token_hash(ADMIN_TOKEN)];
        let mut options = Options {
            auth: AuthSettings {
                public_verifier: false,
                jwt_issuers: vec![jwt.settings()],
                callers: vec![recorder, auditor, subject_access, verifier, admin],
            },
            tls: Some(pki.server_tls()),
            ..Options::default()
        };
        configure(&mut options);
        let app = TestApp::spawn_with(kind, options).await;
        Self { app, pki, jwt }
    }

    async fn client(&self, credential: &Credential) -> Client {
        let certificate = match credential {
            Credential::Certificate(name) => Some(*name),
            _ => None,
        };
        let bearer = match credential {
            Credential::Token(token) => Some(format!("Bearer {token}")),
            Credential::Jwt(token) => Some(format!("Bearer {token}")),
            _ => None,
        };
        let channel =
            Channel::from_shared(format!("https://127.0.0.1:{}", self.app.address.port()))
                .unwrap()
                .tls_config(self.pki.client_tls(certificate))
                .unwrap()
                .connect()
                .await
                .unwrap();
        DisclosureLogClient::with_interceptor(channel, Bearer(bearer.map(|b| b.parse().unwrap())))
    }

    /// Each role's credential, and no credential (`None` role).
    fn callers(&self) -> Vec<(Option<Role>, Credential)> {
        vec![
            (None, Credential::None),
            (Some(Role::Recorder), Credential::Certificate(RECORDER_CERT)),
            (
                Some(Role::Auditor),
                Credential::Jwt(self.jwt.token(AUDITOR_SUB, 600)),
            ),
            (
                Some(Role::SubjectAccess),
                Credential::Token(SUBJECT_ACCESS_TOKEN),
            ),
            (Some(Role::Verifier), Credential::Token(VERIFIER_TOKEN)),
            (Some(Role::Admin), Credential::Token(ADMIN_TOKEN)),
        ]
    }

    /// Records the data the read calls need: a disclosure (entry 0) and a consent.
    async fn with_data(self) -> Self {
        let mut recorder = self.client(&Credential::Certificate(RECORDER_CERT)).await;
        let mut request = income_register_submission("siirto-1", vec![hetu(1)]);
        request.source_system = String::new();
        recorder.record_disclosure(request).await.unwrap();
        recorder
            .record_consent(service_provider_consent(&koko(), "suostumus-1", hetu(1)))
            .await
            .unwrap();
        // The first checkpoint is published a moment after the reply: wait for it (at most
        // five seconds), so that the calls that need one do not race it on a loaded machine.
        let mut verifier = self.client(&Credential::Token(VERIFIER_TOKEN)).await;
        for _ in 0..250 {
            let request = luovutusloki::grpc::proto::GetCheckpointRequest { tree_size: 0 };
            if verifier.get_checkpoint(request).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self
    }
}

/// What an RPC needs of its caller.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// The role at the controller the request names.
    Role(Role),
    /// One of the roles at that controller.
    OneOf(&'static [Role]),
    /// Any role at that controller.
    AnyRole,
    /// The role at any controller (log-wide calls).
    Anywhere(Role),
}

const RPCS: &[(&str, Needs)] = &[
    ("RecordDisclosure", Needs::Role(Role::Recorder)),
    ("ImportDisclosures", Needs::Role(Role::Recorder)),
    ("GetDisclosure", Needs::Role(Role::Auditor)),
    ("ListDisclosures", Needs::Role(Role::Auditor)),
    ("ListSubjectDisclosures", Needs::Role(Role::SubjectAccess)),
    ("ListRegisters", Needs::AnyRole),
    ("GetRegister", Needs::AnyRole),
    ("ReloadRegisters", Needs::Anywhere(Role::Admin)),
    ("ListAccessLookups", Needs::Role(Role::Auditor)),
    ("SubjectAccessReport", Needs::Role(Role::SubjectAccess)),
    ("RecordConsent", Needs::Role(Role::Recorder)),
    ("RecordConsentRefusal", Needs::Role(Role::Recorder)),
    ("WithdrawConsent", Needs::Role(Role::Recorder)),
    ("GetConsent", Needs::OneOf(&[Role::Recorder, Role::Auditor])),
    ("ListConsents", Needs::Role(Role::SubjectAccess)),
    ("DisclosureStatistics", Needs::Role(Role::Auditor)),
    ("ProcessingRecord", Needs::Role(Role::Auditor)),
    ("GetCheckpoint", Needs::Anywhere(Role::Verifier)),
    ("GetInclusionProof", Needs::Role(Role::Verifier)),
    ("GetConsistencyProof", Needs::Anywhere(Role::Verifier)),
    ("GetEntryLeaf", Needs::Role(Role::Verifier)),
    ("DecideWithholding", Needs::Role(Role::SubjectAccess)),
    (
        "ListWithholdingDecisions",
        Needs::OneOf(&[Role::Auditor, Role::SubjectAccess]),
    ),
    ("DecideSafetyProtection", Needs::Role(Role::SubjectAccess)),
];

impl Needs {
    fn allows(self, role: Option<Role>, own: bool) -> bool {
        let Some(role) = role else { return false };
        match self {
            Needs::Role(needed) => role == needed && own,
            Needs::OneOf(roles) => roles.contains(&role) && own,
            Needs::AnyRole => own,
            // Not about one controller: "own" and "other" are the same call.
            Needs::Anywhere(needed) => role == needed,
        }
    }
}

/// Calls `rpc` with a valid request naming the KOKO fund (`own`) or Kokkola.
async fn call(client: &mut Client, rpc: &str, own: bool) -> Result<(), Status> {
    let controller = if own { koko() } else { KOKKOLA.to_owned() };
    let register = if own { OWN_REGISTER } else { OTHER_REGISTER };
    let c = controller.clone();
    match rpc {
        "RecordDisclosure" => {
            let mut request = income_register_submission("siirto-2", vec![hetu(2)]);
            request.controller_id = c;
            request.source_system = String::new();
            client.record_disclosure(request).await.map(drop)
        }
        "ImportDisclosures" => {
            let mut request = income_register_submission("siirto-3", vec![hetu(3)]);
            request.controller_id = c;
            request.source_system = String::new();
            let response = client
                .import_disclosures(tokio_stream::iter(vec![request]))
                .await?
                .into_inner();
            // A stream's messages are authorized one by one; the one result says.
            match response.results.first() {
                Some(result) if result.code != 0 => {
                    Err(Status::new(Code::from(result.code), result.message.clone()))
                }
                _ => Ok(()),
            }
        }
        "GetDisclosure" => client
            .get_disclosure(GetDisclosureRequest {
                controller_id: c,
                disclosure_id: 1,
            })
            .await
            .map(drop),
        "ListDisclosures" => client
            .list_disclosures(ListDisclosuresRequest {
                controller_id: c,
                ..Default::default()
            })
            .await
            .map(drop),
        "ListSubjectDisclosures" => client
            .list_subject_disclosures(ListSubjectDisclosuresRequest {
                controller_id: c,
                subject: hetu(1),
                context: access_case(),
                ..Default::default()
            })
            .await
            .map(drop),
        "ListRegisters" => client
            .list_registers(ListRegistersRequest { controller_id: c })
            .await
            .map(drop),
        "GetRegister" => client
            .get_register(GetRegisterRequest {
                register_id: register.into(),
            })
            .await
            .map(drop),
        "ReloadRegisters" => client
            .reload_registers(ReloadRegistersRequest {})
            .await
            .map(drop),
        "ListAccessLookups" => client
            .list_access_lookups(ListAccessLookupsRequest {
                controller_id: c,
                ..Default::default()
            })
            .await
            .map(drop),
        "SubjectAccessReport" => client
            .subject_access_report(SubjectAccessReportRequest {
                controller_id: c,
                subject: hetu(1),
                language: ReportLanguage::Fi.into(),
                context: access_case(),
                ..Default::default()
            })
            .await
            .map(drop),
        "RecordConsent" => client
            .record_consent(service_provider_consent(&c, "suostumus-1", hetu(1)))
            .await
            .map(drop),
        "RecordConsentRefusal" => client
            .record_consent_refusal(service_provider_consent(&c, "kielto-1", hetu(4)))
            .await
            .map(drop),
        "WithdrawConsent" => client
            .withdraw_consent(WithdrawConsentRequest {
                controller_id: c,
                reference: "suostumus-1".into(),
                withdrawn_at: at(OCTOBER_2026 + 7 * 86_400),
            })
            .await
            .map(drop),
        "GetConsent" => client
            .get_consent(GetConsentRequest {
                controller_id: c,
                reference: "suostumus-1".into(),
            })
            .await
            .map(drop),
        "ListConsents" => client
            .list_consents(ListConsentsRequest {
                controller_id: c,
                subject: hetu(1),
                context: access_case(),
            })
            .await
            .map(drop),
        "DisclosureStatistics" => client
            .disclosure_statistics(DisclosureStatisticsRequest {
                controller_id: c,
                from_date: "2026-10-01".into(),
                to_date: "2026-10-31".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        "ProcessingRecord" => client
            .processing_record(ProcessingRecordRequest {
                controller_id: c,
                register_id: register.into(),
                from_date: "2026-10-01".into(),
                to_date: "2026-10-31".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        "GetCheckpoint" => client
            .get_checkpoint(GetCheckpointRequest { tree_size: 0 })
            .await
            .map(drop),
        "GetInclusionProof" => client
            .get_inclusion_proof(GetInclusionProofRequest {
                controller_id: c,
                entry_id: 0,
                tree_size: 1,
            })
            .await
            .map(drop),
        "GetConsistencyProof" => client
            .get_consistency_proof(GetConsistencyProofRequest {
                old_size: 1,
                new_size: 1,
            })
            .await
            .map(drop),
        "GetEntryLeaf" => client
            .get_entry_leaf(GetEntryLeafRequest {
                controller_id: c,
                entry_id: 0,
            })
            .await
            .map(drop),
        "DecideWithholding" => client
            .decide_withholding(DecideWithholdingRequest {
                controller_id: c,
                disclosure_id: 1,
                until: at(time::OffsetDateTime::now_utc().unix_timestamp() + 86_400),
                reason: "Esitutkinta alkoi".into(),
                ground: "esitutkinta, esitutkintalaki 805/2011".into(),
                conceal_existence: false,
                decided_by: "kasittelija-17".into(),
            })
            .await
            .map(drop),
        "ListWithholdingDecisions" => client
            .list_withholding_decisions(ListWithholdingDecisionsRequest {
                controller_id: c,
                disclosure_id: 1,
            })
            .await
            .map(drop),
        "DecideSafetyProtection" => client
            .decide_safety_protection(DecideSafetyProtectionRequest {
                controller_id: c,
                subject: hetu(0),
                action: SafetyProtectionAction::Mark.into(),
                reason: "DVV:n ilmoitus".into(),
                decided_by: "kasittelija-17".into(),
            })
            .await
            .map(drop),
        other => panic!("no call for {other}"),
    }
}

async fn every_rpc_allows_exactly_its_role_at_its_own_controller(kind: Kind) {
    let secured = Secured::start(kind, |_| {}).await.with_data().await;
    let rpcs_in_proto = luovutusloki::grpc::proto::FILE_DESCRIPTOR_SET;
    assert_eq!(
        count_rpcs(rpcs_in_proto),
        RPCS.len(),
        "the matrix covers every RPC of the service"
    );
    let mut wrong = Vec::new();
    for (role, credential) in secured.callers() {
        let mut client = secured.client(&credential).await;
        for &(rpc, needs) in RPCS {
            for own in [true, false] {
                let outcome = call(&mut client, rpc, own).await;
                let allowed = needs.allows(role, own);
                let fine = match (&outcome, allowed, role) {
                    (Ok(()), true, _) => true,
                    (Err(status), false, None) => status.code() == Code::Unauthenticated,
                    (Err(status), false, Some(_)) => status.code() == Code::PermissionDenied,
                    _ => false,
                };
                if !fine {
                    wrong.push(format!(
                        "{rpc} by {role:?} for {} controller: expected {}, got {:?}",
                        if own { "its own" } else { "another" },
                        if allowed { "success" } else { "a denial" },
                        outcome.map_err(|s| (s.code(), s.message().to_owned()))
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The RPCs of `luovutusloki.v1.DisclosureLog` in the encoded descriptor set.
fn count_rpcs(descriptor_set: &[u8]) -> usize {
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(descriptor_set).unwrap();
    set.file
        .iter()
        .flat_map(|f| &f.service)
        .filter(|s| s.name() == "DisclosureLog")
        .map(|s| s.method.len())
        .sum()
}

async fn without_credentials_or_with_unknown_ones_a_call_is_unauthenticated(kind: Kind) {
    let secured = Secured::start(kind, |_| {}).await;
    let expired = secured.jwt.token(AUDITOR_SUB, -3600);
    let elsewhere = tempfile::tempdir().unwrap();
    let other_issuer = JwtIssuer::new(elsewhere.path());
    let forged = other_issuer.token(AUDITOR_SUB, 600);
    for credential in [
        Credential::None,
        Credential::Token("not-a-configured-token"),
        Credential::Jwt(expired),
        Credential::Jwt(forged),
        Credential::Certificate("unknown.system.test"),
    ] {
        let mut client = secured.client(&credential).await;
        let status = call(&mut client, "ListDisclosures", true)
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{credential:?}");
    }
    // A certificate from outside the trusted CA does not even complete the handshake.
    let stranger = Pki::new();
    let endpoint =
        Channel::from_shared(format!("https://127.0.0.1:{}", secured.app.address.port()))
            .unwrap()
            .tls_config(
                ClientTlsConfig::new()
                    .ca_certificate(Certificate::from_pem(&secured.pki.ca_pem))
                    .domain_name("localhost")
                    .identity({
                        let (cert, key) = stranger.issue(RECORDER_CERT);
                        Identity::from_pem(cert, key)
                    }),
            )
            .unwrap();
    let refused = match endpoint.connect().await {
        Err(_) => true,
        Ok(channel) => DisclosureLogClient::new(channel)
            .list_registers(ListRegistersRequest::default())
            .await
            .is_err(),
    };
    assert!(refused, "a certificate of another CA is refused");
    assert_eq!(secured.app.db.disclosure_count().await, 0);
}

async fn a_denial_does_not_reveal_whether_the_data_exists(kind: Kind) {
    let secured = Secured::start(kind, |_| {}).await.with_data().await;
    let mut auditor = secured
        .client(&Credential::Jwt(secured.jwt.token(AUDITOR_SUB, 600)))
        .await;
    let denial = |disclosure_id| {
        let mut auditor = auditor.clone();
        async move {
            auditor
                .get_disclosure(GetDisclosureRequest {
                    controller_id: KOKKOLA.into(),
                    disclosure_id,
                })
                .await
                .unwrap_err()
        }
    };
    let existing = denial(1).await;
    let missing = denial(999).await;
    assert_eq!(existing.code(), Code::PermissionDenied);
    assert_eq!(
        (existing.code(), existing.message()),
        (missing.code(), missing.message())
    );
    // The own controller's existing disclosure is readable, so id 1 does exist.
    auditor
        .get_disclosure(GetDisclosureRequest {
            controller_id: koko(),
            disclosure_id: 1,
        })
        .await
        .unwrap();
}

async fn writes_and_lookups_carry_the_authenticated_caller(kind: Kind) {
    let secured = Secured::start(kind, |_| {}).await;
    let mut recorder = secured
        .client(&Credential::Certificate(RECORDER_CERT))
        .await;
    let mut unnamed = income_register_submission("siirto-1", vec![hetu(1)]);
    unnamed.source_system = String::new();
    let receipt = recorder
        .record_disclosure(unnamed)
        .await
        .unwrap()
        .into_inner();
    let mut impostor = income_register_submission("siirto-2", vec![hetu(2)]);
    impostor.source_system = "joku-muu".into();
    let refused = recorder.record_disclosure(impostor).await.unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert_eq!(secured.app.db.disclosure_count().await, 1, "nothing stored");

    let mut auditor = secured
        .client(&Credential::Jwt(secured.jwt.token(AUDITOR_SUB, 600)))
        .await;
    let stored = auditor
        .get_disclosure(GetDisclosureRequest {
            controller_id: koko(),
            disclosure_id: receipt.disclosure_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.source_system, "maksatus");

    let mut staff = secured
        .client(&Credential::Token(SUBJECT_ACCESS_TOKEN))
        .await;
    call(&mut staff, "ListSubjectDisclosures", true)
        .await
        .unwrap();
    let lookups = auditor
        .list_access_lookups(ListAccessLookupsRequest {
            controller_id: koko(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .lookups;
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].caller, "kasittely");
    assert_eq!(lookups[0].requested_by, "kasittelija-17");

    recorder
        .record_consent(service_provider_consent(&koko(), "suostumus-1", hetu(1)))
        .await
        .unwrap();
    let withdrawn = recorder
        .withdraw_consent(WithdrawConsentRequest {
            controller_id: koko(),
            reference: "suostumus-1".into(),
            withdrawn_at: at(OCTOBER_2026 + 7 * 86_400),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            withdrawn.recorded_by.as_str(),
            withdrawn.withdrawn_by.as_str()
        ),
        ("maksatus", "maksatus")
    );
}

async fn verification_can_be_made_public(kind: Kind) {
    let secured = Secured::start(kind, |o| o.auth.public_verifier = true)
        .await
        .with_data()
        .await;
    let mut anyone = secured.client(&Credential::None).await;
    call(&mut anyone, "GetCheckpoint", true).await.unwrap();
    call(&mut anyone, "GetConsistencyProof", true)
        .await
        .unwrap();
    // An entry's leaf names its controller's disclosure: still only for verifiers.
    let leaf = call(&mut anyone, "GetEntryLeaf", true).await.unwrap_err();
    assert_eq!(leaf.code(), Code::Unauthenticated);
    let listing = call(&mut anyone, "ListDisclosures", true)
        .await
        .unwrap_err();
    assert_eq!(listing.code(), Code::Unauthenticated);
}

fn retry_delay(status: &Status) -> Option<std::time::Duration> {
    use tonic_types::StatusExt;
    status.get_details_retry_info()?.retry_delay
}

async fn a_caller_over_its_rate_is_told_when_to_retry(kind: Kind) {
    let secured = Secured::start(kind, |o| {
        o.limits = Limits {
            caller_calls_per_second: 1,
            caller_burst: 2,
            ..Limits::default()
        };
    })
    .await;
    let mut admin = secured.client(&Credential::Token(ADMIN_TOKEN)).await;
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        outcomes.push(call(&mut admin, "ListRegisters", true).await);
    }
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok(), "{outcomes:?}");
    let refused = outcomes[2].as_ref().unwrap_err();
    assert_eq!(refused.code(), Code::ResourceExhausted);
    let delay = retry_delay(refused).expect("a retry hint");
    assert!(delay > std::time::Duration::ZERO && delay <= std::time::Duration::from_secs(1));
    // Another caller has a rate of its own.
    let mut verifier = secured.client(&Credential::Token(VERIFIER_TOKEN)).await;
    call(&mut verifier, "ListRegisters", true).await.unwrap();
}

async fn beyond_the_concurrency_limit_calls_are_refused_with_a_retry_hint(kind: Kind) {
    let secured = Secured::start(kind, |o| {
        o.limits = Limits {
            max_concurrent_calls: 1,
            ..Limits::default()
        };
    })
    .await;
    let recorder = secured
        .client(&Credential::Certificate(RECORDER_CERT))
        .await;
    // An import stream left open holds the one permit.
    let (sender, messages) = tokio::sync::mpsc::channel::<proto::RecordDisclosureRequest>(1);
    let mut importer = recorder.clone();
    let import = tokio::spawn(async move {
        importer
            .import_disclosures(tokio_stream::wrappers::ReceiverStream::new(messages))
            .await
    });
    let mut request = income_register_submission("siirto-1", vec![hetu(1)]);
    request.source_system = String::new();
    sender.send(request).await.unwrap();
    let mut other = secured.client(&Credential::Token(ADMIN_TOKEN)).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let refused = loop {
        match call(&mut other, "ListRegisters", true).await {
            Err(status) => break status,
            Ok(()) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
            Ok(()) => panic!("the open import never held the permit"),
        }
    };
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert!(retry_delay(&refused).is_some(), "a retry hint");
    drop(sender);
    let imported = import.await.unwrap().unwrap().into_inner();
    assert_eq!(imported.recorded, 1);
    call(&mut other, "ListRegisters", true).await.unwrap();
}

async fn joint_controllers_both_see_their_register_and_no_one_elses(kind: Kind) {
    const KEHA_TOKEN: &str = "keha-token-0123456789";
    let secured = Secured::start(kind, |o| {
        let mut keha = caller("keha", "auditor");
        keha.grants = vec![grant("auditor", KEHA)];
        keha.token_sha256 = vec![token_hash(KEHA_TOKEN)];
        o.auth.callers.push(keha);
    })
    .await;
    let mut keha = secured.client(&Credential::Token(KEHA_TOKEN)).await;
    let mut seen: Vec<String> = keha
        .list_registers(ListRegistersRequest::default())
        .await
        .unwrap()
        .into_inner()
        .registers
        .into_iter()
        .map(|r| r.id)
        .collect();
    seen.sort();
    // KEHA-keskus is the joint controller of Kokkola's employment services register.
    assert_eq!(seen, ["keha-palkkaturva-puhelut", OTHER_REGISTER]);
    keha.get_register(GetRegisterRequest {
        register_id: OTHER_REGISTER.into(),
    })
    .await
    .unwrap();
    let koko_register = keha
        .get_register(GetRegisterRequest {
            register_id: OWN_REGISTER.into(),
        })
        .await
        .unwrap_err();
    assert_eq!(koko_register.code(), Code::PermissionDenied);
    let unknown = keha
        .get_register(GetRegisterRequest {
            register_id: "ei-tallaista".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (
            unknown.code(),
            unknown.message().replace("ei-tallaista", OWN_REGISTER)
        ),
        (koko_register.code(), koko_register.message().to_owned()),
        "an unknown register and another's are refused alike"
    );
}

#[test]
fn off_loopback_without_tls_and_callers_the_service_refuses_to_start() {
    let data_dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_luovutusloki"))
        .arg("serve")
        .env("LUOVUTUSLOKI_LISTEN", "0.0.0.0:0")
        .env("LUOVUTUSLOKI_DATABASE__DATA_DIR", data_dir.path())
        .env(
            "LUOVUTUSLOKI_REGISTERS__DIR",
            crate::harness::test_registers(),
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("[tls]") && said.contains("[[auth.callers]]"),
        "names what is missing: {said}"
    );
    assert!(
        std::fs::read_dir(data_dir.path()).unwrap().next().is_none(),
        "refused before creating a database or a key"
    );
}

#[tokio::test]
async fn an_unconfigured_service_warns_that_every_local_caller_has_every_role() {
    let db = crate::harness::Database::create(Kind::Sqlite).await;
    let data_dir = tempfile::tempdir().unwrap();
    let service = crate::harness::ServiceProcess::start(&db, data_dir.path(), "info");
    let (_, log) = service.stop("TERM");
    assert!(
        log.contains("NO CALLERS CONFIGURED: every caller on this machine has every role"),
        "{log}"
    );
}

async fn a_callers_deadline_ends_its_call_and_frees_its_place(kind: Kind) {
    let secured = Secured::start(kind, |o| {
        o.limits = Limits {
            max_concurrent_calls: 1,
            ..Limits::default()
        };
    })
    .await;
    let mut recorder = secured
        .client(&Credential::Certificate(RECORDER_CERT))
        .await;
    // An import stream that never ends, with a deadline of 300 ms (grpc-timeout).
    let (_sender, messages) = tokio::sync::mpsc::channel::<proto::RecordDisclosureRequest>(1);
    let mut request = Request::new(tokio_stream::wrappers::ReceiverStream::new(messages));
    request.set_timeout(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let ended = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        recorder.import_disclosures(request),
    )
    .await
    .expect("the server ends the call at the caller's deadline")
    .unwrap_err();
    assert!(
        matches!(ended.code(), Code::Cancelled | Code::DeadlineExceeded),
        "{ended:?}"
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    // The one place is free again, once the server has seen the call end (the client may
    // see the deadline a moment before the server drops the call).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match call(&mut recorder, "ListRegisters", true).await {
            Ok(()) => break,
            Err(status)
                if status.code() == Code::ResourceExhausted
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
            Err(status) => panic!("the place was not freed: {status:?}"),
        }
    }
}
