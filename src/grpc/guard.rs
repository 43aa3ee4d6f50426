//! What every call passes before a handler: the global concurrency limit ([`OverloadLayer`]),
//! then authentication and the caller's rate ([`Authenticate`]). A refused call is answered
//! at once with a status: `UNAUTHENTICATED`, or `RESOURCE_EXHAUSTED` with a
//! `google.rpc.RetryInfo` saying when to try again; nothing is queued or dropped silently.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::Semaphore;
use tonic::service::Interceptor;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
use tonic::{Code, Request, Status};
use tonic_types::{ErrorDetails, StatusExt};
use tower::{Layer, Service};

use crate::auth::{Authenticator, Caller, Denied};

/// RESOURCE_EXHAUSTED with a retry hint.
pub fn retry_later(message: impl Into<String>, after: Duration) -> Status {
    Status::with_error_details(
        Code::ResourceExhausted,
        message,
        ErrorDetails::with_retry_info(Some(after)),
    )
}

/// Authenticates each call and takes it from its caller's rate; the [`crate::auth::Caller`]
/// rides in the request's extensions to the handler.
#[derive(Clone)]
pub struct Authenticate(pub Arc<Authenticator>);

impl Interceptor for Authenticate {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let caller = {
            let bearer = request
                .metadata()
                .get("authorization")
                .and_then(|value| value.to_str().ok());
            let certificates = request.peer_certs();
            let certificate = certificates
                .as_ref()
                .and_then(|chain| chain.first())
                .map(|der| der.as_ref());
            self.0.authenticate(bearer, certificate)?
        };
        if let Err(wait) = caller.admit() {
            return Err(retry_later(
                format!("caller {} is over its call rate", caller.name()),
                wait,
            ));
        }
        request.extensions_mut().insert(caller);
        Ok(request)
    }
}

/// The caller of an HTTP request (a page): the same credentials as a gRPC call, the
/// `authorization` header or else the mutual TLS client certificate.
pub fn http_caller(
    auth: &Authenticator,
    headers: &http::HeaderMap,
    extensions: &http::Extensions,
) -> Result<Caller, Denied> {
    let bearer = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let certificates = extensions
        .get::<TlsConnectInfo<TcpConnectInfo>>()
        .and_then(TlsConnectInfo::peer_certs);
    let certificate = certificates
        .as_ref()
        .and_then(|chain| chain.first())
        .map(|der| der.as_ref());
    auth.authenticate(bearer, certificate)
}

/// Caps the calls served at once; see [`Overload`].
#[derive(Debug, Clone)]
pub struct OverloadLayer {
    permits: Arc<Semaphore>,
    retry_after: Duration,
}

impl OverloadLayer {
    pub fn new(max_concurrent_calls: usize, retry_after: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent_calls.max(1))),
            retry_after,
        }
    }
}

impl<S> Layer<S> for OverloadLayer {
    type Service = Overload<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Overload {
            inner,
            limit: self.clone(),
        }
    }
}

impl<S: tonic::server::NamedService> tonic::server::NamedService for Overload<S> {
    const NAME: &'static str = S::NAME;
}

/// Serves a call while a permit is free, holding it until the response is ready; with none
/// free it answers RESOURCE_EXHAUSTED at once rather than queueing the call.
#[derive(Debug, Clone)]
pub struct Overload<S> {
    inner: S,
    limit: OverloadLayer,
}

impl<S, B, R> Service<http::Request<B>> for Overload<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    R: Default + Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        match Arc::clone(&self.limit.permits).try_acquire_owned() {
            Ok(permit) => {
                let response = self.inner.call(request);
                Box::pin(async move {
                    let response = response.await;
                    drop(permit);
                    response
                })
            }
            Err(_) => {
                let status = retry_later(
                    "the service is serving as many calls as it takes; retry shortly",
                    self.limit.retry_after,
                );
                Box::pin(std::future::ready(Ok(status.into_http())))
            }
        }
    }
}
