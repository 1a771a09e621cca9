"""hvac (Debian's python3-hvac) against a live, uninitialized Coffer: sys, mounts,
policies, tokens and kv v1, as a Python user would call them. Exits non-zero on the
first mismatch; prints one line per step."""
import sys

import hvac
from hvac_steps import step

addr = sys.argv[1]
client = hvac.Client(url=addr)


assert client.sys.is_initialized() is False
result = client.sys.initialize(secret_shares=3, secret_threshold=2)
keys, root_token = result["keys"], result["root_token"]
assert len(keys) == 3 and len(result["keys_base64"]) == 3
assert client.sys.is_initialized() is True
assert client.sys.is_sealed() is True
step("initialize")

status = client.sys.submit_unseal_key(keys[0])
assert status["sealed"] is True and status["progress"] == 1 and status["t"] == 2
status = client.sys.submit_unseal_keys(keys[1:])
assert status["sealed"] is False, status
assert client.sys.read_health_status(method="GET")["sealed"] is False
step("unseal")

client.token = root_token
assert client.is_authenticated()
assert client.lookup_token()["data"]["policies"] == ["root"]
step("authenticate")

client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"}, description="team secrets")
mounts = client.sys.list_mounted_secrets_engines()
assert "kv1/" in mounts["data"] and mounts["data"]["kv1/"]["type"] == "kv"
assert mounts["data"]["kv1/"]["description"] == "team secrets"
client.sys.tune_mount_configuration("kv1", default_lease_ttl="1h", max_lease_ttl="2h")
conf = client.sys.read_mount_configuration("kv1")
assert conf["data"]["default_lease_ttl"] == 3600 and conf["data"]["max_lease_ttl"] == 7200, conf
step("mounts")

kv = client.secrets.kv.v1
kv.create_or_update_secret(path="app/db", secret={"password": "s3cret"}, mount_point="kv1")
assert kv.read_secret(path="app/db", mount_point="kv1")["data"] == {"password": "s3cret"}
assert kv.list_secrets(path="app", mount_point="kv1")["data"]["keys"] == ["db"]
kv.delete_secret(path="app/db", mount_point="kv1")
try:
    kv.read_secret(path="app/db", mount_point="kv1")
    raise AssertionError("deleted secret still readable")
except hvac.exceptions.InvalidPath:
    pass
step("kv v1 with the LIST verb")

client.sys.move_backend("kv1", "kv2")
assert "kv2/" in client.sys.list_mounted_secrets_engines()["data"]
client.sys.disable_secrets_engine("kv2")
assert "kv2/" not in client.sys.list_mounted_secrets_engines()["data"]
step("remount and disable")

policy = 'path "kv1/*" { capabilities = ["read", "list"] }'
client.sys.create_or_update_policy(name="reader", policy=policy)
assert client.sys.read_policy(name="reader")["data"]["rules"] == policy
assert "reader" in client.sys.list_policies()["data"]["policies"]
client.sys.create_or_update_policy(name="writer", policy='path "kv1/*" { capabilities = ["create", "update"] }')
assert "writer" in client.sys.list_policies()["data"]["policies"]
client.sys.delete_policy(name="writer")
assert "writer" not in client.sys.list_policies()["data"]["policies"]
client.write("sys/policies/acl/acl-shape", policy='path "kv1/*" { capabilities = ["read"] }')
assert client.read("sys/policies/acl/acl-shape")["data"]["policy"].startswith('path "kv1/*"')
assert "acl-shape" in client.list("sys/policies/acl")["data"]["keys"]
try:
    client.sys.create_or_update_policy(name="broken", policy='path "x" { capabilities = ["fly"] }')
    raise AssertionError("invalid policy accepted")
except hvac.exceptions.InvalidRequest:
    pass
step("policies")

token = client.auth.token.create(policies=["reader"], ttl="1h", renewable=True)
tok, acc = token["auth"]["client_token"], token["auth"]["accessor"]
assert token["auth"]["lease_duration"] == 3600
looked = client.auth.token.lookup(tok)["data"]
assert looked["policies"] == ["default", "reader"] and looked["accessor"] == acc
assert client.auth.token.lookup_accessor(acc)["data"]["accessor"] == acc
renewed = client.auth.token.renew(tok, increment="30m")
assert renewed["auth"]["lease_duration"] <= 3600
orphan = client.auth.token.create(policies=["reader"], no_parent=True)
assert orphan["auth"]["orphan"] is True
child = hvac.Client(url=addr, token=tok)
assert child.auth.token.lookup_self()["data"]["id"] == tok
assert child.sys.list_mounted_secrets_engines.__name__
client.auth.token.revoke_accessor(acc)
try:
    child.auth.token.lookup_self()
    raise AssertionError("revoked token still works")
except hvac.exceptions.Forbidden:
    pass
client.auth.token.revoke(orphan["auth"]["client_token"])
accessors = client.auth.token.list_accessors()["data"]["keys"]
assert acc not in accessors and len(accessors) >= 1
step("tokens")

status = client.sys.start_root_token_generation()
assert status["started"] is True and len(status["otp"]) == 28
client.sys.cancel_root_generation()
assert client.sys.read_root_generation_progress()["started"] is False
ks = client.sys.get_encryption_key_status()
assert ks["data"]["term"] == 1
client.sys.rotate_encryption_key()
assert client.sys.get_encryption_key_status()["term"] == 2
rekey = client.sys.start_rekey(secret_shares=2, secret_threshold=2)
done = client.sys.rekey_multi(keys[:2], nonce=rekey["nonce"])
assert done["complete"] is True and len(done["keys"]) == 2
keys = done["keys"]
step("generate-root cancel and rekey")

client.sys.seal()
assert client.sys.is_sealed() is True
assert client.sys.submit_unseal_keys(keys)["sealed"] is False
step("seal and unseal with the new keys")
client.sys.seal()
step("seal")
