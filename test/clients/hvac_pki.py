"""hvac (Debian's python3-hvac) client.secrets.pki against a live dev Coffer: the methods for
what Coffer's PKI engine has so far (roots, roles with every Vault field, issue and sign in
each format, leases, revoke, CRLs). Exits non-zero on the first mismatch. argv: address,
token, a PEM CSR to sign.

The issuer lifecycle runs on a second mount, `pki_int`: an intermediate signed by the root,
set back, a cross-signed CA, a legacy bundle import, and delete_root; then the CRL and URL
configuration and tidy. Every method of this hvac's secrets.pki is called."""
import base64
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

# Every role field Vault has, through hvac's extra_params, read back as written.
role = {
    "allowed_domains": ["example.com"], "allow_subdomains": True, "allow_bare_domains": True,
    "allow_glob_domains": False, "allow_wildcard_certificates": False, "allowed_uri_sans": ["spiffe://example.com/*"],
    "allowed_other_sans": ["1.3.6.1.4.1.311.20.2.3;UTF8:*@example.com"], "allowed_user_ids": ["u-*"],
    "code_signing_flag": False, "email_protection_flag": True, "key_type": "ec", "key_bits": 384,
    "signature_bits": 384, "ext_key_usage_oids": ["1.3.6.1.4.1.311.10.3.12"], "locality": ["Berlin"],
    "policy_identifiers": ["1.3.6.1.4.1.44947.1.1.1"], "cn_validations": ["hostname"], "generate_lease": True,
    "basic_constraints_valid_for_non_ca": True, "not_before_duration": "60s", "ttl": "1h", "max_ttl": "4h",
}
pki.create_or_update_role("full", extra_params=dict(role))
read = pki.read_role("full")["data"]
for k, v in role.items():
    want = {"not_before_duration": 60, "ttl": 3600, "max_ttl": 14400}.get(k, v)
    assert read[k] == want, (k, read[k], want)
assert read["use_pss"] is False and read["allowed_serial_numbers"] == [] and read["issuer_ref"] == "default", read
expect(hvac.exceptions.InvalidRequest, pki.create_or_update_role, "bad", extra_params={"key_type": "ec", "key_bits": 2048})
expect(hvac.exceptions.InvalidRequest, pki.create_or_update_role, "bad", extra_params={"ext_key_usage_oids": "not-an-oid"})
step("create_or_update_role and read_role with every role field")

leased = pki.generate_certificate("full", common_name="l.example.com", extra_params={
    "alt_names": "ops@example.com", "uri_sans": "spiffe://example.com/web", "user_ids": "u-1",
    "other_sans": "1.3.6.1.4.1.311.20.2.3;UTF8:svc@example.com", "format": "der", "private_key_format": "pkcs8",
})
assert leased["lease_id"].startswith("pki/issue/full/") and leased["renewable"] is False, leased
assert 3590 <= leased["lease_duration"] <= 3600, leased["lease_duration"]
der = base64.b64decode(leased["data"]["certificate"])
assert der[0] == 0x30, "certificate is base64 DER"
assert base64.b64decode(leased["data"]["private_key"])[0] == 0x30
expect(hvac.exceptions.InvalidRequest, pki.generate_certificate, "full", common_name="*.example.com")
client.sys.revoke_lease(leased["lease_id"])
assert pki.read_certificate(leased["data"]["serial_number"])["data"]["revocation_time"] > 0
step("generate_certificate with a lease in der, revoke_lease revokes it")

bundle = pki.sign_certificate("web", csr=csr, common_name="svc.example.com", extra_params={"format": "pem_bundle", "remove_roots_from_chain": True})["data"]
assert bundle["certificate"].count("-----BEGIN CERTIFICATE-----") == 1 and bundle["ca_chain"] == [], bundle
step("sign_certificate as pem_bundle without roots")

client.sys.enable_secrets_engine("pki", path="pki_int", config={"max_lease_ttl": "8760h"})
int_csr = pki.generate_intermediate("internal", "hvac intermediate", extra_params={"key_type": "ec"}, mount_point="pki_int")["data"]["csr"]
assert int_csr.startswith("-----BEGIN CERTIFICATE REQUEST-----"), int_csr
int_cert = pki.sign_intermediate(int_csr, "hvac intermediate", extra_params={"ttl": "4380h"})["data"]
assert int_cert["issuing_ca"].strip() == root["certificate"].strip(), int_cert
pki.set_signed_intermediate(int_cert["certificate"], mount_point="pki_int")
assert pki.read_ca_certificate(mount_point="pki_int").strip() == int_cert["certificate"].strip()
pki.create_or_update_role("svc", extra_params={"allowed_domains": "svc.test", "allow_subdomains": True}, mount_point="pki_int")
leaf = pki.generate_certificate("svc", common_name="a.svc.test", extra_params={"ttl": "1h"}, mount_point="pki_int")["data"]
assert leaf["issuing_ca"].strip() == int_cert["certificate"].strip()
# Only the intermediate was set (no chain after it), and the root lives on another mount:
# as in Vault, the chain is what this mount holds.
assert [c.strip() for c in leaf["ca_chain"]] == [int_cert["certificate"].strip()], leaf["ca_chain"]
step("generate_intermediate, sign_intermediate, set_signed_intermediate, and a leaf from the intermediate")

verbatim = pki.sign_verbatim(csr, extra_params={"ttl": "1h"})["data"]
assert verbatim["certificate"].startswith("-----BEGIN CERTIFICATE-----") and "private_key" not in verbatim
named = pki.sign_verbatim(csr, name="web", extra_params={"ttl": "1h"})["data"]
assert named["serial_number"] != verbatim["serial_number"]
step("sign_verbatim, with and without a role")

cross = pki.sign_self_issued(root["certificate"], mount_point="pki_int")["data"]
assert cross["certificate"].startswith("-----BEGIN CERTIFICATE-----") and cross["certificate"] != root["certificate"]
assert cross["issuing_ca"].strip() == int_cert["certificate"].strip()
step("sign_self_issued")

client.sys.enable_secrets_engine("pki", path="pki_import")
bundle = pki.generate_root(type="exported", common_name="to import", extra_params={"ttl": "24h"}, mount_point="pki_int")["data"]
pki.submit_ca_information(bundle["certificate"] + bundle["private_key"], mount_point="pki_import")
assert pki.read_ca_certificate(mount_point="pki_import").strip() == bundle["certificate"].strip()
expect(hvac.exceptions.InvalidRequest, pki.submit_ca_information, "not a bundle", mount_point="pki_import")
pki.delete_root(mount_point="pki_import")
assert pki.read_ca_certificate(mount_point="pki_import") == ""
step("submit_ca_information, delete_root")

pki.set_crl_configuration(expiry="48h", extra_params={"ocsp_expiry": "6h"})
crl_config = pki.read_crl_configuration()["data"]
assert crl_config["expiry"] == "48h" and crl_config["disable"] is False and crl_config["ocsp_expiry"] == "6h", crl_config
expect(hvac.exceptions.InvalidRequest, pki.set_crl_configuration, expiry="not a duration")
step("set_crl_configuration, read_crl_configuration")

urls = {"issuing_certificates": ["http://ca.example.com/v1/pki/ca"], "crl_distribution_points": ["http://ca.example.com/v1/pki/crl"], "ocsp_servers": ["http://ca.example.com/v1/pki/ocsp"]}
pki.set_urls(dict(urls))
read_urls = pki.read_urls()["data"]
for k, v in urls.items():
    assert read_urls[k] == v, (k, read_urls[k])
with_urls = pki.generate_certificate("web", common_name="u.example.com", extra_params={"ttl": "1h"})["data"]
assert with_urls["serial_number"], with_urls
expect(hvac.exceptions.InvalidRequest, pki.set_urls, {"ocsp_servers": ["not a url"]})
step("set_urls, read_urls")

tidy = pki.tidy(extra_params={"tidy_cert_store": True, "tidy_revoked_certs": True, "safety_buffer": "1h"})
# Vault answers tidy 202, which this hvac hands back as the raw response.
assert tidy.status_code == 202, tidy.status_code
assert "Tidy operation successfully started" in " ".join(tidy.json().get("warnings") or []), tidy.text
step("tidy")
