//! Generates the benchmark's gRPC client from the service's public API, `../proto`, the same
//! way the service does (`protox` parses the files in pure Rust, `tonic-prost-build` writes
//! the code), but the client only: the benchmark shares the API's definition, not the
//! service's code.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["../proto/luovutusloki/v1/disclosure_log.proto"];
    // tonic-prost-build 0.14 prints no rerun-if-changed lines of its own (grpc/grpc-rust#2511).
    println!("cargo:rerun-if-changed=../proto");

    let descriptors = protox::compile(protos, ["../proto"])?;
    tonic_prost_build::configure()
        .build_server(false)
        .compile_fds(descriptors)?;
    Ok(())
}
