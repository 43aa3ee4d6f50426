//! Generates the gRPC code from `proto/` without a system `protoc`: `protox` parses the
//! files in pure Rust and `tonic-prost-build` turns the descriptor set into code.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/luovutusloki/v1/disclosure_log.proto"];
    // tonic-prost-build 0.14 prints no rerun-if-changed lines of its own (grpc/grpc-rust#2511).
    println!("cargo:rerun-if-changed=proto");

    let descriptors = protox::compile(protos, ["proto"])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("luovutusloki_descriptor.bin");
    // Server reflection serves this descriptor set.
    std::fs::write(
        &descriptor_path,
        prost::Message::encode_to_vec(&descriptors),
    )?;

    // Our codec answers INVALID_ARGUMENT, not tonic-prost's INTERNAL, to a request that
    // does not decode.
    tonic_prost_build::configure()
        .codec_path("crate::grpc::codec::ProtoCodec")
        .compile_fds(descriptors)?;
    Ok(())
}
