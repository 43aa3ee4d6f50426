//! The gRPC edge: tonic services, proto ↔ domain conversion, error mapping. The only place
//! that sees generated code.

mod access_log;
pub mod codec;
mod consent;
mod convert;
mod error;
mod guard;
mod register;
mod served;
pub mod server;
mod service;
mod tls;
mod transparency;

pub use access_log::AccessLogLayer;
pub use guard::{Authenticate, OverloadLayer, retry_later};
pub use served::served_methods;
pub use service::DisclosureLogService;
pub use tls::server_tls_config;

/// Code generated from `proto/luovutusloki/v1`.
pub mod proto {
    tonic::include_proto!("luovutusloki.v1");

    /// The encoded descriptor set of the API, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/luovutusloki_descriptor.bin"));
}
