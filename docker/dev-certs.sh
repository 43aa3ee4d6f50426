#!/bin/sh
# DEVELOPMENT ONLY. Makes the TLS material of docker/compose.yaml in /tls, once: a CA, the
# server's certificate (names luovutusloki, localhost, 127.0.0.1) and a client certificate
# (CN and DNS name maksatus-dev) for trying mutual TLS. Remove the `tls` volume to get new
# ones. Production certificates come from the organisation's CA (docs/deployment.md).
set -eu

out=/tls
if [ -f "$out/server.crt" ]; then
    echo "dev certificates exist in $out; remove the tls volume to make new ones"
    exit 0
fi
cd "$out"
umask 077
days=825

cat > ca.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = luovutusloki dev CA (not for production)
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
cat > server.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:luovutusloki, DNS:localhost, IP:127.0.0.1
EOF
cat > client.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:maksatus-dev
EOF

# P-256 keys; OpenSSL 3 writes them as PKCS#8, which the service reads.
openssl req -x509 -config ca.cnf -extensions ca_ext -newkey ec \
    -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" -keyout ca.key -out ca.crt
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=luovutusloki" -keyout server.key -out server.csr
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days "$days" -extfile server.ext -out server.crt
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=maksatus-dev" -keyout client-maksatus-dev.key -out client.csr
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days "$days" -extfile client.ext -out client-maksatus-dev.crt
rm -f server.csr client.csr ca.srl ca.cnf server.ext client.ext

# The service runs as uid 10001 (docker/Dockerfile) and reads the server key and the CA
# certificate; the CA key stays root's. The client key is readable so that it can be copied
# out for a client on the host: acceptable only because all of this is for development.
chmod 0644 ca.crt server.crt client-maksatus-dev.crt client-maksatus-dev.key
chown 10001:10001 server.key
chmod 0400 server.key
echo "dev certificates written to $out"
