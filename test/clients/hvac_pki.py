"""hvac (Debian's python3-hvac) client.secrets.pki against a live dev Coffer: the methods for
what Coffer's PKI engine has so far (roots, roles, issue, sign, revoke, CRLs). Exits
non-zero on the first mismatch. argv: address, token, a PEM CSR to sign."""
import sys

import hvac
from hvac_steps import expect, step

addr, token, csr = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
client = hvac.Client(url=addr, token=token)
pki = client.secrets.pki

client.sys.enable_secrets_engine("pki", path="pki", config={"max_lease_ttl": "87600h"})
step("mount")

root = pki.generate_root(type="internal", common_name="hvac root", extra_params={"ttl": "8760h", "key_type": "ec"})["data"]
assert root["certificate"].startswith("-----BEGIN CERTIFICATE-----"), root
assert pki.read_ca_certificate().strip() == root["certificate"].strip()
assert root["certificate"].strip() in pki.read_ca_certificate_chain()
step("generate_root, read_ca_certificate, read_ca_certificate_chain")

pki.create_or_update_role("web", extra_params={"allowed_domains": "example.com", "allow_subdomains": True, "max_ttl": "72h"})
assert pki.read_role("web")["data"]["allowed_domains"] == ["example.com"]
assert pki.list_roles()["data"]["keys"] == ["web"]
pki.create_or_update_role("gone", extra_params={})
pki.delete_role("gone")
step("create_or_update_role, read_role, list_roles, delete_role")

issued = pki.generate_certificate("web", common_name="www.example.com", extra_params={"ttl": "1h", "key_type": "ec"})["data"]
assert issued["private_key"] and issued["serial_number"] and issued["issuing_ca"].strip() == root["certificate"].strip()
expect(hvac.exceptions.InvalidRequest, pki.generate_certificate, "web", common_name="www.evil.com")
signed = pki.sign_certificate("web", csr=csr, common_name="svc.example.com", extra_params={"ttl": "1h"})["data"]
assert "private_key" not in signed, signed
step("generate_certificate, sign_certificate")

assert issued["serial_number"] in pki.list_certificates()["data"]["keys"]
assert pki.read_certificate(issued["serial_number"])["data"]["certificate"] == issued["certificate"]
pki.revoke_certificate(issued["serial_number"])
assert pki.read_certificate(issued["serial_number"])["data"]["revocation_time"] > 0
crl = pki.read_crl()
assert crl.startswith("-----BEGIN X509 CRL-----"), crl
assert pki.rotate_crl()["data"]["success"] is True
step("list_certificates, read_certificate, revoke_certificate, read_crl, rotate_crl")
