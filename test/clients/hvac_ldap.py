"""hvac (Debian's python3-hvac) against a live Coffer and a throwaway OpenLDAP: the ldap auth
method through client.auth.ldap — configure, read_configuration, groups and users (create,
read, list, delete) and login. Exits non-zero on the first mismatch; prints one line per step.
Arguments: coffer address, root token, ldap url, people DN, groups DN, CA PEM file."""
import sys
import warnings

import hvac
from hvac_steps import expect, step

warnings.simplefilter("ignore", DeprecationWarning)

addr, root_token, ldap_url, people_dn, groups_dn, ca_file = sys.argv[1:7]
client = hvac.Client(url=addr, token=root_token)
ldap = client.auth.ldap

client.sys.enable_auth_method("ldap")
client.sys.create_or_update_policy("py-devs", 'path "secret/data/devs/*" { capabilities = ["read"] }')
client.secrets.kv.v2.create_or_update_secret(path="devs/app", secret={"key": "devs-s3cret"})
with open(ca_file) as f:
    ca_pem = f.read()
ldap.configure(
    url=ldap_url,
    user_dn=people_dn,
    group_dn=groups_dn,
    user_attr="cn",
    starttls=True,
    certificate=ca_pem,
    bind_dn="",
    bind_pass="not-returned",
    token_ttl="20m",
)
config = ldap.read_configuration()["data"]
assert config["url"] == ldap_url and config["userdn"] == people_dn, config
assert config["starttls"] is True and config["deny_null_bind"] is True, config
assert config["token_ttl"] == 1200, config
assert "bindpass" not in config and "not-returned" not in str(config), config
step("configure and read_configuration")

ldap.create_or_update_group("devs", policies=["py-devs"])
ldap.create_or_update_group("Admins", policies=["py-admin"])
assert sorted(ldap.list_groups()["data"]["keys"]) == ["admins", "devs"]
assert ldap.read_group("devs")["data"]["policies"] == ["py-devs"]
ldap.create_or_update_user("alice", policies=["py-alice"], groups=["Admins"])
assert ldap.list_users()["data"]["keys"] == ["alice"]
user = ldap.read_user("alice")["data"]
assert user == {"policies": ["py-alice"], "groups": ["admins"]}, user
step("groups and users: create_or_update, read, list")

person = hvac.Client(url=addr)
login = person.auth.ldap.login("alice", "alice-pw-1")
assert sorted(login["auth"]["policies"]) == ["default", "py-admin", "py-alice", "py-devs"], login["auth"]
assert login["auth"]["metadata"] == {"username": "alice"}
assert login["auth"]["lease_duration"] == 1200
assert person.is_authenticated()
assert person.secrets.kv.v2.read_secret_version(path="devs/app")["data"]["data"] == {"key": "devs-s3cret"}
expect(hvac.exceptions.InvalidRequest, person.auth.ldap.login, "alice", "wrong", use_token=False)
expect(hvac.exceptions.InvalidRequest, person.auth.ldap.login, "nobody", "wrong", use_token=False)
step("login, with the token's policies from LDAP and local groups")

ldap.delete_group("admins")
ldap.delete_user("alice")
expect(hvac.exceptions.InvalidPath, ldap.read_group, "admins")
expect(hvac.exceptions.InvalidPath, ldap.list_users)
again = hvac.Client(url=addr).auth.ldap.login("alice", "alice-pw-1", use_token=False)
assert sorted(again["auth"]["policies"]) == ["default", "py-devs"], again["auth"]
step("delete_group and delete_user")
print("ok hvac ldap", flush=True)
