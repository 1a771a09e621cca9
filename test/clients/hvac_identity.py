"""hvac (Debian's python3-hvac 0.11.2) client.secrets.identity against a live dev Coffer:
entities, entity aliases, groups, group aliases and lookups, and a userpass login whose
token follows its entity's group policy. Argv: address, root token. Exits non-zero on the
first mismatch; prints one line per step."""
import sys
import warnings

import hvac
from hvac import exceptions
from hvac_steps import expect, step

warnings.simplefilter("ignore", DeprecationWarning)

addr, root_token = sys.argv[1], sys.argv[2]
client = hvac.Client(url=addr, token=root_token)
identity = client.secrets.identity

client.sys.enable_auth_method("userpass")
accessor = client.sys.list_auth_methods()["data"]["userpass/"]["accessor"]
client.auth.userpass.create_or_update_user(username="py-user", password="py-pass")
client.sys.create_or_update_policy("py-ident", 'path "secret/data/py-ident/*" { capabilities = ["read"] }')
client.secrets.kv.v2.create_or_update_secret(path="py-ident/app", secret={"k": "v"})

created = identity.create_or_update_entity(name="py-entity", metadata={"team": "py"}, policies=["py-own"])
entity_id = created["data"]["id"]
assert created["data"]["name"] == "py-entity", created
updated = identity.create_or_update_entity(name="py-entity", entity_id=entity_id, policies=["py-own", "extra"])
assert updated.status_code == 204, updated
step("create_or_update_entity")

entity = identity.read_entity(entity_id=entity_id)["data"]
assert entity["name"] == "py-entity", entity
assert entity["policies"] == ["py-own", "extra"], entity
assert entity["metadata"] == {"team": "py"}, entity
assert entity["disabled"] is False, entity
assert identity.read_entity_by_name(name="py-entity")["data"]["id"] == entity_id
expect(exceptions.InvalidPath, identity.read_entity, entity_id="00000000-0000-4000-8000-000000000000")
step("read_entity, read_entity_by_name")

alias = identity.create_or_update_entity_alias(name="py-user", canonical_id=entity_id, mount_accessor=accessor)["data"]
assert alias["canonical_id"] == entity_id, alias
alias_read = identity.read_entity_alias(alias_id=alias["id"])["data"]
assert alias_read["name"] == "py-user" and alias_read["mount_type"] == "userpass", alias_read
assert identity.list_entity_aliases()["data"]["keys"] == [alias["id"]]
expect(exceptions.InvalidRequest, identity.create_or_update_entity_alias, name="other", canonical_id=entity_id, mount_accessor=accessor)
step("create_or_update_entity_alias, read_entity_alias, list_entity_aliases")

group = identity.create_or_update_group(name="py-group", policies=["py-ident"], member_entity_ids=[entity_id])["data"]
group_read = identity.read_group(group_id=group["id"])["data"]
assert group_read["member_entity_ids"] == [entity_id], group_read
assert group_read["type"] == "internal", group_read
assert identity.read_group_by_name(name="py-group")["data"]["id"] == group["id"]
assert identity.list_groups()["data"]["keys"] == [group["id"]]
ext = identity.create_or_update_group(name="py-ext", group_type="external")["data"]
ext_read = identity.read_group(group_id=ext["id"])["data"]
assert ext_read["member_entity_ids"] is None and ext_read["member_group_ids"] is None, ext_read
ga = identity.create_or_update_group_alias(name="py-claim", mount_accessor=accessor, canonical_id=ext["id"])["data"]
assert identity.read_group_alias(alias_id=ga["id"])["data"]["canonical_id"] == ext["id"]
assert identity.lookup_group(alias_name="py-claim", alias_mount_accessor=accessor)["data"]["id"] == ext["id"]
step("create_or_update_group, read_group, list_groups, create_or_update_group_alias, lookup_group")

login = client.auth.userpass.login(username="py-user", password="py-pass", use_token=False)["auth"]
assert login["entity_id"] == entity_id, login
assert login["identity_policies"] == ["extra", "py-ident", "py-own"], login
user = hvac.Client(url=addr, token=login["client_token"])
assert user.secrets.kv.v2.read_secret_version(path="py-ident/app")["data"]["data"] == {"k": "v"}
identity.update_group(group_id=group["id"], name="py-group", member_entity_ids=[])
expect(exceptions.Forbidden, user.secrets.kv.v2.read_secret_version, path="py-ident/app")
step("login maps to the entity; group membership decides access at once")

by_name = identity.lookup_entity(name="py-entity")["data"]
assert by_name["id"] == entity_id, by_name
by_alias = identity.lookup_entity(alias_name="py-user", alias_mount_accessor=accessor)["data"]
assert by_alias["id"] == entity_id, by_alias
assert identity.lookup_entity(entity_id=entity_id)["data"]["name"] == "py-entity"
missing = identity.lookup_entity(name="nobody")
assert missing.status_code == 204, missing
step("lookup_entity")

listed = identity.list_entities()["data"]
assert listed["keys"] == [entity_id], listed
assert listed["key_info"][entity_id]["name"] == "py-entity", listed
assert identity.list_entities(method="GET")["data"]["keys"] == [entity_id]
assert identity.list_entities_by_name()["data"]["keys"] == ["py-entity"]
step("list_entities, list_entities_by_name")

identity.delete_group(group_id=group["id"])
expect(exceptions.InvalidPath, identity.read_group, group_id=group["id"])
deleted = identity.delete_entity(entity_id=entity_id)
assert deleted.status_code == 204, deleted
expect(exceptions.InvalidPath, identity.read_entity, entity_id=entity_id)
expect(exceptions.InvalidPath, identity.read_entity_alias, alias_id=alias["id"])
expect(exceptions.InvalidPath, identity.list_entities)
step("delete_group, delete_entity")
print("ok hvac identity", flush=True)
