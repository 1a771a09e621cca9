"""hvac (Debian's python3-hvac 0.11.2) against a live dev Coffer: response wrapping as a
Python user reaches it: reads, writes and token creation with wrap_ttl, sys.unwrap with the
token in the body or as the client's own token, and the wrapping endpoints hvac has no
method for (wrap, lookup, rewrap) through its adapter. Exits non-zero on the first
mismatch; prints one line per step."""
import sys
import time

import hvac
from hvac_steps import step

addr, root_token = sys.argv[1], sys.argv[2]
client = hvac.Client(url=addr, token=root_token)
anon = hvac.Client(url=addr)


def refused(call, message="wrapping token is not valid or does not exist"):
    try:
        call()
    except hvac.exceptions.InvalidRequest as err:
        assert message in str(err), err
        return
    raise AssertionError("expected a 400 refusal")


client.secrets.kv.v2.create_or_update_secret(path="py", secret={"password": "py-s3cret"})

wrapped = client.read("secret/data/py", wrap_ttl="60s")
info = wrapped["wrap_info"]
assert wrapped["data"] is None and info["ttl"] == 60 and info["creation_path"] == "secret/data/py", wrapped
assert "py-s3cret" not in str(wrapped)
opened = client.sys.unwrap(info["token"])
assert opened["data"]["data"] == {"password": "py-s3cret"}, opened
refused(lambda: client.sys.unwrap(info["token"]))
step("read with wrap_ttl, unwrap in the body, once")

wrapped = client.read("secret/data/py", wrap_ttl="1m")
opened = hvac.Client(url=addr, token=wrapped["wrap_info"]["token"]).sys.unwrap()
assert opened["data"]["data"]["password"] == "py-s3cret", opened
step("unwrap as the wrapping token itself")

created = client.auth.token.create(policies=["default"], ttl="1h", wrap_ttl="2m")
assert created["auth"] is None and created["wrap_info"]["ttl"] == 120, created
auth = client.sys.unwrap(created["wrap_info"]["token"])["auth"]
assert auth["accessor"] == created["wrap_info"]["wrapped_accessor"], (auth, created)
assert hvac.Client(url=addr, token=auth["client_token"]).is_authenticated()
step("token create with wrap_ttl")

wrapped = client.write("sys/wrapping/wrap", wrap_ttl="90s", app="py", port=5432)
token = wrapped["wrap_info"]["token"]
looked = anon.adapter.post("/v1/sys/wrapping/lookup", json={"token": token})
assert looked["data"]["creation_path"] == "sys/wrapping/wrap" and looked["data"]["creation_ttl"] == 90, looked
assert looked["data"]["creation_time"] == wrapped["wrap_info"]["creation_time"]
rewrapped = client.adapter.post("/v1/sys/wrapping/rewrap", json={"token": token})
new_token = rewrapped["wrap_info"]["token"]
assert new_token != token and rewrapped["wrap_info"]["ttl"] == 90, rewrapped
refused(lambda: anon.adapter.post("/v1/sys/wrapping/lookup", json={"token": token}))
assert client.sys.unwrap(new_token)["data"] == {"app": "py", "port": 5432}
step("wrap, lookup without a token, rewrap")

wrapped = client.read("secret/data/py", wrap_ttl="1s")
time.sleep(1.3)
refused(lambda: client.sys.unwrap(wrapped["wrap_info"]["token"]))
refused(lambda: client.sys.unwrap(root_token))
try:
    client.read("secret/data/py", wrap_ttl="nonsense")
    raise AssertionError("a bad wrap_ttl was accepted")
except hvac.exceptions.InvalidRequest:
    pass
step("expired, non-wrapping and malformed")
