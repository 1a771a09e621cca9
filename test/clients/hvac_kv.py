"""hvac (Debian's python3-hvac) kv v2 and v1 lifecycle against a live dev Coffer, whose
secret/ is kv version 2 as in Vault's dev mode. Exits non-zero on the first mismatch."""
import sys

import hvac
from hvac_steps import expect, step

addr, token = sys.argv[1], sys.argv[2]
client = hvac.Client(url=addr, token=token)
kv2 = client.secrets.kv.v2


kv2.configure(max_versions=5, cas_required=False, mount_point="secret")
assert kv2.read_configuration(mount_point="secret")["data"]["max_versions"] == 5
step("configure")

first = kv2.create_or_update_secret(path="app/db", secret={"user": "svc", "password": "one"})
assert first["data"]["version"] == 1
kv2.create_or_update_secret(path="app/db", secret={"user": "svc", "password": "two"}, cas=1)
expect(hvac.exceptions.InvalidRequest, kv2.create_or_update_secret, path="app/db", secret={"x": 1}, cas=1)
latest = kv2.read_secret_version(path="app/db")
assert latest["data"]["data"] == {"user": "svc", "password": "two"}
assert latest["data"]["metadata"]["version"] == 2
assert kv2.read_secret_version(path="app/db", version=1)["data"]["data"]["password"] == "one"
step("write, check-and-set, read versions")

kv2.patch(path="app/db", secret={"password": "three"})
assert kv2.read_secret_version(path="app/db")["data"]["data"] == {"user": "svc", "password": "three"}
step("patch (read-modify-write with cas)")

assert kv2.list_secrets(path="app")["data"]["keys"] == ["db"]
assert "app/" in kv2.list_secrets(path="")["data"]["keys"]
step("list with the LIST verb")

kv2.update_metadata(path="app/db", max_versions=3)
meta = kv2.read_secret_metadata(path="app/db")["data"]
assert meta["current_version"] == 3 and meta["max_versions"] == 3
assert sorted(meta["versions"].keys()) == ["1", "2", "3"]
step("metadata")

kv2.delete_latest_version_of_secret(path="app/db")
expect(hvac.exceptions.InvalidPath, kv2.read_secret_version, path="app/db")
kv2.undelete_secret_versions(path="app/db", versions=[3])
assert kv2.read_secret_version(path="app/db")["data"]["data"]["password"] == "three"
kv2.delete_secret_versions(path="app/db", versions=[1])
kv2.destroy_secret_versions(path="app/db", versions=[2])
meta = kv2.read_secret_metadata(path="app/db")["data"]["versions"]
assert meta["1"]["deletion_time"] != "" and meta["2"]["destroyed"] is True
step("delete, undelete, destroy")

kv2.delete_metadata_and_all_versions(path="app/db")
expect(hvac.exceptions.InvalidPath, kv2.read_secret_metadata, path="app/db")
step("delete metadata and all versions")

client.sys.enable_secrets_engine("kv", path="legacy", options={"version": "1"})
kv1 = client.secrets.kv.v1
kv1.create_or_update_secret(path="a", secret={"k": "v"}, mount_point="legacy")
assert kv1.read_secret(path="a", mount_point="legacy")["data"] == {"k": "v"}
assert kv1.list_secrets(path="", mount_point="legacy")["data"]["keys"] == ["a"]
kv1.delete_secret(path="a", mount_point="legacy")
step("kv v1")
