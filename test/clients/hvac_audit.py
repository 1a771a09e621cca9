"""hvac (Debian's python3-hvac) audit-device methods against a live, unsealed Coffer:
enable, list, calculate_hash, disable. Exits non-zero on the first mismatch; prints one
line per step."""
import sys

import hvac
from hvac_steps import step

addr, token, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
client = hvac.Client(url=addr, token=token)


client.sys.enable_audit_device(
    "file", description="hvac file log", options={"file_path": log_path, "hmac_accessor": True}, path="hvac-file"
)
devices = client.sys.list_enabled_audit_devices()
device = devices["data"]["hvac-file/"]
assert device["type"] == "file" and device["description"] == "hvac file log", device
assert device["options"]["file_path"] == log_path, device
assert device["options"]["hmac_accessor"] == "true", device
assert devices["hvac-file/"] == device, "the top-level copy older clients read"
step("enable_audit_device and list_enabled_audit_devices")

client.secrets.kv.v2.create_or_update_secret(path="hvac-audit", secret={"password": "hvac-audit-password"})
assert client.secrets.kv.v2.read_secret_version(path="hvac-audit")["data"]["data"]["password"] == "hvac-audit-password"
answer = client.sys.calculate_hash("hvac-file", "hvac-audit-password")
digest = answer["data"]["hash"]
assert digest.startswith("hmac-sha256:") and len(digest) == len("hmac-sha256:") + 64, answer
assert answer["hash"] == digest, "the top-level copy"
with open(log_path) as f:
    log = f.read()
assert digest in log, "the hash an operator computes is the one in the log"
assert "hvac-audit-password" not in log and token not in log, "no plaintext in the log"
step("calculate_hash")

try:
    client.sys.enable_audit_device("kafka", path="hvac-bad")
    raise AssertionError("an unknown device type was accepted")
except hvac.exceptions.InvalidRequest as e:
    assert "kafka" in str(e), e
step("unknown type refused")

client.sys.disable_audit_device("hvac-file")
assert "hvac-file/" not in client.sys.list_enabled_audit_devices()["data"]
step("disable_audit_device")
