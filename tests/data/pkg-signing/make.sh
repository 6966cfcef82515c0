#!/usr/bin/env bash
# Makes the test-only signing chain of tests/jamf_pkg.rs with openssl:
# a root, an intermediate, a "Developer ID Installer" leaf (Apple's
# extension 1.2.840.113635.100.6.1.14 and Team ID in OU), its key, and an
# unrelated root. These keys sign nothing but test packages.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days $days -sha256 \
  -subj "/CN=Test Root CA/O=apple-device-management tests" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -newkey rsa:2048 -nodes -keyout intermediate.key -out intermediate.csr -sha256 \
  -subj "/CN=Test Developer ID Certification Authority/OU=Test Certification Authority/O=apple-device-management tests"
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -CAcreateserial -out intermediate.pem \
  -days $days -sha256 -extfile ca.ext
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -sha256 \
  -subj "/UID=ABCDE12345/CN=Developer ID Installer: Example Corp (ABCDE12345)/OU=ABCDE12345/O=Example Corp/C=US"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n1.2.840.113635.100.6.1.14=critical,DER:0500\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA intermediate.pem -CAkey intermediate.key -CAcreateserial -out leaf.pem \
  -days $days -sha256 -extfile leaf.ext
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-root.key -out other-root.pem -days $days -sha256 \
  -subj "/CN=Test Root CA/O=someone else"
openssl pkcs8 -topk8 -nocrypt -in leaf.key -outform DER -out leaf.pk8.der
rm -f *.csr *.ext *.srl root.key intermediate.key other-root.key leaf.key
