pub mod proto {
    tonic::include_proto!("luovutusloki.v1");
}
