"""hvac (Debian's python3-hvac 0.11.2) client.secrets.identity identity-token methods against
a live dev Coffer: the issuer setting, named keys, roles, a signed ID token for a userpass
user's entity, introspection, discovery and the public keys. Argv: address, root token.
Prints one line per step and, last, the token and its client id for the caller to verify."""
import sys
import warnings

import hvac
from hvac import exceptions
from hvac_steps import expect, step

warnings.simplefilter("ignore", DeprecationWarning)

addr, root_token = sys.argv[1], sys.argv[2]
client = hvac.Client(url=addr, token=root_token)
identity = client.secrets.identity

identity.configure_tokens_backend(issuer="")
assert identity.read_tokens_backend_configuration()["data"]["issuer"] == ""
step("configure_tokens_backend, read_tokens_backend_configuration")

identity.create_named_key(name="py-key", algorithm="ES256", rotation_period="12h", verification_ttl="6h", allowed_client_ids=["*"])
key = identity.read_named_key(name="py-key")["data"]
assert key["algorithm"] == "ES256" and key["rotation_period"] == 43200 and key["verification_ttl"] == 21600, key
assert "py-key" in identity.list_named_keys()["data"]["keys"]
expect(exceptions.InvalidRequest, identity.create_named_key, name="py-bad", algorithm="HS256")
step("create_named_key, read_named_key, list_named_keys")

template = '{"team": {{identity.entity.metadata.team}}, "groups": {{identity.entity.groups.names}}}'
identity.create_or_update_role(name="py-role", key="py-key", template=template, ttl="1h")
role = identity.read_role(name="py-role")["data"]
assert role["key"] == "py-key" and role["ttl"] == 3600 and role["template"] == template, role
assert identity.list_roles()["data"]["keys"] == ["py-role"]
step("create_or_update_role, read_role, list_roles")

client.sys.enable_auth_method("userpass")
client.sys.create_or_update_policy("py-oidc", 'path "identity/oidc/token/*" { capabilities = ["read"] }')
client.auth.userpass.create_or_update_user(username="py-oidc-user", password="py-pass", policies=["py-oidc"])
login = client.auth.userpass.login(username="py-oidc-user", password="py-pass", use_token=False)["auth"]
entity_id = login["entity_id"]
identity.update_entity(entity_id=entity_id, metadata={"team": "py"})
group = identity.create_or_update_group(name="py-oidc-group", member_entity_ids=[entity_id])["data"]
user = hvac.Client(url=addr, token=login["client_token"])
signed = user.secrets.identity.generate_signed_id_token(name="py-role")["data"]
assert signed["client_id"] == role["client_id"] and signed["ttl"] == 3600, signed
step("generate_signed_id_token")

assert identity.introspect_signed_id_token(token=signed["token"])["active"] is True
assert identity.introspect_signed_id_token(token=signed["token"], client_id=role["client_id"])["active"] is True
assert identity.introspect_signed_id_token(token=signed["token"], client_id="other")["active"] is False
step("introspect_signed_id_token")

conf = identity.read_well_known_configurations()
assert conf["issuer"] == addr + "/v1/identity/oidc", conf
assert conf["jwks_uri"] == addr + "/v1/identity/oidc/.well-known/keys", conf
keys = identity.read_active_public_keys()["keys"]
assert any(k["alg"] == "ES256" for k in keys), keys
assert all("d" not in k for k in keys), "no private part is published"
step("read_well_known_configurations, read_active_public_keys")

# hvac 0.11.2 posts rotate_named_key to oidc/key/:name (not .../rotate): an update of verification_ttl.
identity.rotate_named_key(name="py-key", verification_ttl="2h")
assert identity.read_named_key(name="py-key")["data"]["verification_ttl"] == 7200
step("rotate_named_key")

identity.create_named_key(name="py-temp", allowed_client_ids=["*"])
identity.create_or_update_role(name="py-temp", key="py-temp", ttl="1h")
expect(exceptions.InvalidRequest, identity.delete_named_key, name="py-temp")
identity.delete_role(name="py-temp")
expect(exceptions.InvalidPath, identity.read_role, name="py-temp")
identity.delete_named_key(name="py-temp")
expect(exceptions.InvalidPath, identity.read_named_key, name="py-temp")
step("delete_role, delete_named_key")

print("token", signed["token"], flush=True)
print("client", signed["client_id"], flush=True)
print("entity", entity_id, flush=True)
print("ok hvac identity oidc", flush=True)
