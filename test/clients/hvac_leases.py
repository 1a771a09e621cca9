"""hvac (Debian's python3-hvac) sys lease methods against a live Coffer that has the test
leasing engine mounted at db/: read, list, renew, revoke, revoke by prefix and forced.
Exits non-zero on the first mismatch; prints one line per step."""
import sys

import hvac
from hvac_steps import expect, step

addr, token = sys.argv[1], sys.argv[2]
client = hvac.Client(url=addr, token=token)
sys_ = client.sys


client.write("db/config", ttl="1h", max_ttl="3h")
issued = client.read("db/creds/app")
lease_id = issued["lease_id"]
assert lease_id.startswith("db/creds/app/"), lease_id
assert issued["lease_duration"] == 3600 and issued["renewable"] is True
step("issue a leased secret")

lease = sys_.read_lease(lease_id=lease_id)["data"]
assert lease["id"] == lease_id and lease["renewable"] is True
assert 3590 < lease["ttl"] <= 3600 and lease["last_renewal"] is None
step("read_lease")

keys = sys_.list_leases(prefix="db/creds/app/")["data"]["keys"]
assert lease_id.split("/")[-1] in keys, keys
step("list_leases")

renewed = sys_.renew_lease(lease_id=lease_id, increment=7200)
assert renewed["lease_id"] == lease_id and renewed["lease_duration"] == 7200, renewed
renewed = sys_.renew_lease(lease_id=lease_id)
assert renewed["lease_duration"] > 0
expect(hvac.exceptions.InvalidRequest, sys_.renew_lease, lease_id="db/creds/app/nosuchlease")
step("renew_lease")

sys_.revoke_lease(lease_id=lease_id)
expect(hvac.exceptions.InvalidRequest, sys_.read_lease, lease_id=lease_id)
assert issued["data"]["username"] not in (client.list("db/accounts") or {"data": {"keys": []}})["data"]["keys"]
step("revoke_lease")

batch = [client.read("db/creds/batch")["lease_id"] for _ in range(3)]
sys_.revoke_prefix(prefix="db/creds/batch")
for lid in batch:
    expect(hvac.exceptions.InvalidRequest, sys_.read_lease, lease_id=lid)
step("revoke_prefix")

client.write("db/config", fail_revoke=True)
stuck = client.read("db/creds/stuck")
expect(hvac.exceptions.InvalidRequest, sys_.revoke_lease, lease_id=stuck["lease_id"])
sys_.revoke_force(prefix="db/creds/stuck")
expect(hvac.exceptions.InvalidRequest, sys_.read_lease, lease_id=stuck["lease_id"])
client.write("db/config", fail_revoke=False)
step("revoke_force")
