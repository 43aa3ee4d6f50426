//! The names of the gRPC methods this server serves, for whoever must tell them from other
//! paths (the metrics' method label) without seeing generated code.

use std::sync::LazyLock;

use prost::Message;

/// Every method of the services the server registers, `package.Service/Method`: the API's
/// and health's read from their descriptors, reflection's two (none built in) named here.
pub fn served_methods() -> Vec<&'static str> {
    static SERVED: LazyLock<Vec<String>> = LazyLock::new(|| {
        let mut served = vec![
            "grpc.reflection.v1.ServerReflection/ServerReflectionInfo".to_owned(),
            "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo".to_owned(),
        ];
        for set in [
            super::proto::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
        ] {
            let set = prost_types::FileDescriptorSet::decode(set)
                .expect("the built-in descriptor sets decode");
            for file in &set.file {
                for service in &file.service {
                    for method in &service.method {
                        served.push(format!(
                            "{}.{}/{}",
                            file.package(),
                            service.name(),
                            method.name()
                        ));
                    }
                }
            }
        }
        served
    });
    SERVED.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_health_and_reflection_are_served() {
        let served = served_methods();
        for method in [
            "luovutusloki.v1.DisclosureLog/RecordDisclosure",
            "grpc.health.v1.Health/Check",
            "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        ] {
            assert!(served.contains(&method), "{method} missing from {served:?}");
        }
    }
}
