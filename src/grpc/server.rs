//! The gRPC server: a function of a bound listener, the use cases and a shutdown future. It
//! serves the API, health and reflection behind TLS, authentication, the concurrency limit
//! and the access log; on shutdown it stops accepting and lets calls in flight finish.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::service::Routes;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Server, ServerTlsConfig};
use tonic_web::GrpcWebLayer;
use tower::Layer;

use crate::auth::Authenticator;
use crate::service::{Limits, Services};

use super::proto::{self, disclosure_log_server::DisclosureLogServer};
use super::{AccessLogLayer, Authenticate, DisclosureLogService, OverloadLayer};

/// How the gRPC server is served.
#[derive(Debug, Clone)]
pub struct GrpcOptions {
    pub limits: Limits,
    /// Who the callers are (an open authenticator lets every caller do everything).
    pub auth: Arc<Authenticator>,
    /// Server TLS, with client certificates if configured; `None`: plain text.
    pub tls: Option<ServerTlsConfig>,
    /// How long calls in flight may take to finish once `shutdown` completes.
    pub shutdown_grace: Duration,
    /// The checkpoint verifier key shown on `/integrity`; `None` when nothing is signed.
    pub verifier_key: Option<String>,
    pub web: crate::web::WebSettings,
    /// The keys of the dashboard's session cookies.
    pub session_keys: Arc<crate::web::session::SessionKeys>,
}

/// Serves the use cases of `services` on `listener` until `shutdown` completes, then stops
/// accepting and lets the calls in flight finish within the grace period. `services` is
/// dropped when this returns, so a recorder it holds lets the writer drain.
pub async fn serve(
    listener: TcpListener,
    services: Services,
    options: GrpcOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    crate::telemetry::metrics::metrics().serve_methods(super::served_methods());
    let oidc = match &options.web.oidc {
        Some(settings) => Some(Arc::new(
            crate::web::oidc::Oidc::new(settings).map_err(anyhow::Error::msg)?,
        )),
        None => None,
    };
    let web = crate::web::router(crate::web::WebState {
        services: services.clone(),
        auth: Arc::clone(&options.auth),
        resolve_caller: super::guard::http_caller,
        verifier_key: options.verifier_key.clone(),
        settings: options.web.clone(),
        oidc,
        sessions: Arc::clone(&options.session_keys),
    });
    let service = DisclosureLogService::new(services);
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<DisclosureLogServer<DisclosureLogService>>()
        .await;
    // Both reflection versions: grpcurl speaks v1, many other clients still v1alpha.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    // The signal is watched twice: by the server (to stop accepting) and by the grace timer.
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let mut stop_serving = stopped.clone();
    // Without TCP_NODELAY a response and its trailers, written separately, wait on the
    // client's delayed ACK (Nagle): about 40 ms added to a call.
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let health_on_stop = health.clone();
    let overload = OverloadLayer::new(
        options.limits.max_concurrent_calls,
        Duration::from_millis(options.limits.retry_after_ms),
    );
    let disclosure_log = InterceptedService::new(
        overload.layer(
            DisclosureLogServer::new(service)
                .max_decoding_message_size(options.limits.max_message_bytes),
        ),
        Authenticate(Arc::clone(&options.auth)),
    );
    let mut builder = Server::builder();
    if let Some(tls) = options.tls.clone() {
        builder = builder.tls_config(tls).context("configuring TLS")?;
    }
    // One listener for gRPC (HTTP/2), gRPC-Web and the pages (HTTP/1.1 or HTTP/2). The web
    // router is the base, so its 404 page is the fallback (an unknown gRPC service is HTTP
    // 404, which clients read as UNIMPLEMENTED). gRPC-Web wraps each gRPC service, never the
    // server: server-wide it answers 400 to every HTTP/1.1 request that is not gRPC-Web.
    // The timeout below covers pages too; they read one checkpoint, far inside it. The
    // overload guard stays on the API only: a page costs one read, and the caller's own
    // rate limit applies to it (src/web).
    let grpc_web = GrpcWebLayer::new();
    // With `[web] listen` the pages have their own address and the gRPC listener none.
    let (api_base, web_server) = match options.web.listen {
        None => (Routes::from(web), None),
        Some(listen) => {
            let listener = TcpListener::bind(listen)
                .await
                .with_context(|| format!("binding [web] listen = {listen}"))?;
            tracing::info!(web_address = %listener.local_addr()?, "serving the pages");
            let mut web_builder = Server::builder();
            if let Some(tls) = options.tls.clone() {
                web_builder = web_builder.tls_config(tls).context("configuring TLS")?;
            }
            let mut stop_web = stopped.clone();
            let served = web_builder
                .accept_http1(true)
                .timeout(Duration::from_secs(options.limits.max_call_secs.max(1)))
                .trace_fn(crate::telemetry::rpc_span)
                .add_routes(Routes::from(web))
                .serve_with_incoming_shutdown(
                    TcpIncoming::from(listener).with_nodelay(Some(true)),
                    async move {
                        let _ = stop_web.wait_for(|s| *s).await;
                    },
                );
            // A plain 404 (clients read it as UNIMPLEMENTED), not tonic's default: a gRPC
            // status in an HTTP 200, a blank page to a browser that still comes here.
            let no_pages = axum::Router::new().fallback(|| async { http::StatusCode::NOT_FOUND });
            (Routes::from(no_pages), Some(served))
        }
    };
    let routes = api_base
        .add_service(grpc_web.layer(health_service))
        .add_service(grpc_web.layer(reflection_v1))
        .add_service(grpc_web.layer(reflection_v1alpha))
        .add_service(grpc_web.layer(disclosure_log))
        .prepare();
    let serve = builder
        .accept_http1(true)
        .timeout(Duration::from_secs(options.limits.max_call_secs.max(1)))
        .trace_fn(crate::telemetry::rpc_span)
        .layer(AccessLogLayer)
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, async move {
            let _ = stop_serving.wait_for(|s| *s).await;
            tracing::info!("shutting down: no new calls, finishing those in flight");
            health_on_stop
                .set_not_serving::<DisclosureLogServer<DisclosureLogService>>()
                .await;
        });

    let mut grace = stopped;
    let deadline = async move {
        let _ = grace.wait_for(|s| *s).await;
        tokio::time::sleep(options.shutdown_grace).await;
    };
    let web_served = async move {
        match web_server {
            Some(served) => served.await,
            None => Ok(()),
        }
    };
    tokio::select! {
        served = async { tokio::try_join!(serve, web_served) } => { served?; }
        () = deadline => tracing::warn!("grace period over; abandoning calls still in flight"),
    }

    Ok(())
}
