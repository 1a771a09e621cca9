"""hvac (Debian's python3-hvac) against a live Coffer over TLS: the cert auth method through
client.auth.cert (create_ca_certificate_role, read, list, delete, configure, login with a
client certificate). Exits non-zero on the first mismatch; prints one line per step.

Arguments: address, root token, the listener's CA file, the client CA file, a client
certificate and key it issued, and a certificate and key from a CA nobody trusts."""
import sys
import warnings

import hvac
from hvac_steps import step

warnings.simplefilter("ignore", DeprecationWarning)

addr, root_token, listener_ca, client_ca, cert_file, key_file, stranger_cert, stranger_key = sys.argv[1:9]
client = hvac.Client(url=addr, token=root_token, verify=listener_ca)

client.sys.enable_auth_method("cert")
client.sys.create_or_update_policy("py-cert", 'path "secret/data/py/*" { capabilities = ["read"] }')
client.secrets.kv.v2.create_or_update_secret(path="py/app", secret={"k": "v"})
step("enable cert")

cert = client.auth.cert
cert.create_ca_certificate_role(
    "web", client_ca, allowed_common_names="py.example.com", token_policies=["py-cert"], token_ttl="30m"
)
cert.create_ca_certificate_role("spare", client_ca, display_name="spare-certs")
role = cert.read_ca_certificate_role("web")["data"]
assert role["token_policies"] == ["py-cert"], role
assert role["token_ttl"] == 1800, role
assert role["allowed_common_names"] == ["py.example.com"], role
assert role["display_name"] == "web", role
assert sorted(cert.list_certificate_roles()["data"]["keys"]) == ["spare", "web"]
step("create_ca_certificate_role, read_ca_certificate_role, list_certificate_roles")

cert.configure_tls_certificate(disable_binding=False)
step("configure_tls_certificate")

person = hvac.Client(url=addr, verify=listener_ca)
answer = person.auth.cert.login(name="web", cert_pem=cert_file, key_pem=key_file)
assert answer["auth"]["metadata"]["cert_name"] == "web", answer
assert answer["auth"]["metadata"]["common_name"] == "py.example.com", answer
assert sorted(answer["auth"]["policies"]) == ["default", "py-cert"], answer
assert person.is_authenticated()
assert person.secrets.kv.v2.read_secret_version(path="py/app")["data"]["data"] == {"k": "v"}
step("login with a client certificate, then read with the token")

try:
    hvac.Client(url=addr, verify=listener_ca).auth.cert.login(cert_pem=stranger_cert, key_pem=stranger_key)
except hvac.exceptions.InvalidRequest as err:
    assert "invalid certificate" in str(err), err
else:
    raise AssertionError("a certificate from an untrusted CA logged in")
step("login refused for an untrusted CA")

cert.delete_certificate_role("web")
assert cert.list_certificate_roles()["data"]["keys"] == ["spare"]
try:
    hvac.Client(url=addr, verify=listener_ca).auth.cert.login(name="web", cert_pem=cert_file, key_pem=key_file)
except hvac.exceptions.InvalidRequest:
    pass
else:
    raise AssertionError("a deleted entry still lets in")
step("delete_certificate_role")
print("ok hvac cert")
