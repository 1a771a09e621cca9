"""hvac (Debian's python3-hvac 0.11.2) against a live dev Coffer: the userpass and approle
auth methods through client.auth.userpass / client.auth.approle and the older Client
helpers (create_userpass, auth_userpass, create_role, get_role_id, auth_approle...). Exits
non-zero on the first mismatch; prints one line per step."""
import sys
import warnings

import hvac
from hvac_steps import step

warnings.simplefilter("ignore", DeprecationWarning)

addr, root_token = sys.argv[1], sys.argv[2]
client = hvac.Client(url=addr, token=root_token)


def refused(exc, call, message):
    try:
        call()
    except exc as err:
        assert message in str(err), err
        return
    raise AssertionError("expected %s" % exc.__name__)


client.sys.enable_auth_method("userpass")
client.sys.enable_auth_method("approle")
client.sys.create_or_update_policy("py-read", 'path "secret/data/py/*" { capabilities = ["read"] }')
client.secrets.kv.v2.create_or_update_secret(path="py/app", secret={"password": "py-s3cret"})
assert "userpass/" in client.sys.list_auth_methods()["data"]
step("enable both methods")

# --- userpass, current API ---
up = client.auth.userpass
up.create_or_update_user("Ada", password="first-pw", policies="py-read", token_ttl="30m")
assert up.list_user()["data"]["keys"] == ["ada"]
user = up.read_user("ada")["data"]
assert user["token_ttl"] == 1800 and user["policies"] == ["py-read"], user
login = up.login("ADA", "first-pw", use_token=False)
assert login["auth"]["metadata"] == {"username": "ada"}
assert sorted(login["auth"]["policies"]) == ["default", "py-read"]
assert login["auth"]["lease_duration"] == 1800
up.update_password_on_user("ada", "second-pw")
refused(hvac.exceptions.InvalidRequest, lambda: up.login("ada", "first-pw", use_token=False), "invalid username or password")
person = hvac.Client(url=addr)
person.auth.userpass.login("ada", "second-pw")
assert person.is_authenticated()
assert person.secrets.kv.v2.read_secret_version(path="py/app")["data"]["data"] == {"password": "py-s3cret"}
refused(hvac.exceptions.Forbidden, lambda: person.sys.list_auth_methods(), "permission denied")
step("auth.userpass create, read, list, login, update password")

# --- userpass, the older helpers ---
client.create_userpass("grace", "pw", ["py-read"])
assert "grace" in client.list_userpass()["data"]["keys"]
grace = client.read_userpass("grace")
assert grace["data"]["token_policies"] == ["py-read"], grace
client.update_userpass_policies("grace", ["py-read", "extra"])
assert client.read_userpass("grace")["data"]["token_policies"] == ["extra", "py-read"]
client.update_userpass_password("grace", "pw2")
legacy = hvac.Client(url=addr)
legacy.auth_userpass("grace", "pw2")
assert legacy.is_authenticated()
client.delete_userpass("grace")
up.delete_user("ada")
refused(hvac.exceptions.InvalidPath, lambda: up.read_user("ada"), "")
step("legacy userpass helpers")

# --- approle, current API ---
ar = client.auth.approle
ar.create_or_update_approle("py-app", token_policies=["py-read"], token_ttl="20m", token_max_ttl="1h", secret_id_num_uses=10, secret_id_ttl="10m")
assert ar.list_roles()["data"]["keys"] == ["py-app"]
role = ar.read_role("py-app")["data"]
assert role["token_policies"] == ["py-read"] and role["secret_id_num_uses"] == 10 and role["token_ttl"] == 1200, role
role_id = ar.read_role_id("py-app")["data"]["role_id"]
ar.update_role_id("py-app", "py-custom-role-id")
assert ar.read_role_id("py-app")["data"]["role_id"] == "py-custom-role-id"
role_id = "py-custom-role-id"
generated = ar.generate_secret_id("py-app", metadata={"team": "py"}, cidr_list=["127.0.0.0/8", "::1/128"])["data"]
assert generated["secret_id_num_uses"] == 10 and generated["secret_id_ttl"] == 600
custom = ar.create_custom_secret_id("py-app", "py-custom-secret", metadata={"kind": "custom"})["data"]
assert custom["secret_id"] == "py-custom-secret"
looked = ar.read_secret_id("py-app", generated["secret_id"])["data"]
assert looked["metadata"] == {"team": "py"} and looked["cidr_list"] == ["127.0.0.0/8", "::1/128"]
accessors = ar.list_secret_id_accessors("py-app")["data"]["keys"]
assert sorted(accessors) == sorted([generated["secret_id_accessor"], custom["secret_id_accessor"]])
assert ar.read_secret_id_accessor("py-app", custom["secret_id_accessor"])["data"]["metadata"] == {"kind": "custom"}
machine = hvac.Client(url=addr)
answer = machine.auth.approle.login(role_id, generated["secret_id"])
assert answer["auth"]["metadata"] == {"team": "py", "role_name": "py-app"}
assert machine.is_authenticated()
assert machine.secrets.kv.v2.read_secret_version(path="py/app")["data"]["data"]["password"] == "py-s3cret"
assert machine.auth.token.lookup_self()["data"]["meta"]["role_name"] == "py-app"
ar.destroy_secret_id_accessor("py-app", custom["secret_id_accessor"])
refused(hvac.exceptions.InvalidRequest, lambda: hvac.Client(url=addr).auth.approle.login(role_id, "py-custom-secret"), "invalid role or secret ID")
ar.destroy_secret_id("py-app", generated["secret_id"])
refused(hvac.exceptions.InvalidRequest, lambda: hvac.Client(url=addr).auth.approle.login(role_id, generated["secret_id"]), "invalid role or secret ID")
step("auth.approle roles, role ids, secret ids, login")

# --- approle, the older helpers ---
client.create_role("py-legacy", token_policies="py-read", secret_id_ttl="5m")
assert "py-legacy" in client.list_roles()["data"]["keys"]
assert client.get_role("py-legacy")["data"]["secret_id_ttl"] == 300
legacy_role_id = client.get_role_id("py-legacy")
client.set_role_id("py-legacy", "py-legacy-id")
assert client.get_role_id("py-legacy") == "py-legacy-id"
wrapped = client.create_role_secret_id("py-legacy", meta={"via": "wrap"}, wrap_ttl="2m")
assert wrapped["wrap_info"]["ttl"] == 120 and wrapped["data"] is None
unwrapped = hvac.Client(url=addr, token=wrapped["wrap_info"]["token"]).sys.unwrap()["data"]
assert unwrapped["secret_id_accessor"] == wrapped["wrap_info"]["wrapped_accessor"]
assert client.get_role_secret_id("py-legacy", unwrapped["secret_id"])["data"]["metadata"] == {"via": "wrap"}
assert client.list_role_secrets("py-legacy")["data"]["keys"] == [unwrapped["secret_id_accessor"]]
assert client.get_role_secret_id_accessor("py-legacy", unwrapped["secret_id_accessor"])["data"]["secret_id_ttl"] == 300
old_style = hvac.Client(url=addr)
old_style.auth_approle("py-legacy-id", unwrapped["secret_id"])
assert old_style.is_authenticated()
client.create_role_custom_secret_id("py-legacy", "py-legacy-custom")
hvac.Client(url=addr).auth_approle("py-legacy-id", "py-legacy-custom")
client.delete_role_secret_id("py-legacy", "py-legacy-custom")
client.delete_role_secret_id_accessor("py-legacy", unwrapped["secret_id_accessor"])
refused(hvac.exceptions.InvalidRequest, lambda: hvac.Client(url=addr).auth_approle("py-legacy-id", unwrapped["secret_id"]), "invalid role or secret ID")
client.delete_role("py-legacy")
ar.delete_role("py-app")
refused(hvac.exceptions.InvalidPath, lambda: client.list_roles(), "")
step("legacy approle helpers")

print("ok hvac auth", flush=True)
