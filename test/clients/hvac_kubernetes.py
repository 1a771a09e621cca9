"""hvac (Debian's python3-hvac 0.11.2) against a live dev Coffer and the harness's test
Kubernetes API: the kubernetes auth method through client.auth.kubernetes (configure,
read_config, create_role, read_role, list_roles, login, delete_role).
Argv: address, root token, API host, CA PEM, reviewer JWT, a good service-account JWT, one
from another namespace. Exits non-zero on the first mismatch; prints one line per step."""
import sys
import warnings

import hvac
from hvac_steps import step

warnings.simplefilter("ignore", DeprecationWarning)

addr, root_token, host, ca_pem, reviewer_jwt, good_jwt, stranger_jwt = sys.argv[1:8]
client = hvac.Client(url=addr, token=root_token)


client.sys.enable_auth_method("kubernetes")
client.sys.create_or_update_policy("py-k8s", 'path "secret/data/py-k8s/*" { capabilities = ["read"] }')
client.secrets.kv.v2.create_or_update_secret(path="py-k8s/app", secret={"k": "v"})
k8s = client.auth.kubernetes
k8s.configure(kubernetes_host=host, kubernetes_ca_cert=ca_pem, token_reviewer_jwt=reviewer_jwt)
config = k8s.read_config()  # hvac returns the data itself
assert config["kubernetes_host"] == host, config
assert "token_reviewer_jwt" not in config, config
step("configure, read_config")

k8s.create_role(name="app", bound_service_account_names=["app"], bound_service_account_namespaces="shop", policies=["py-k8s"], ttl="10m")
role = k8s.read_role("app")
assert role["bound_service_account_names"] == ["app"], role
assert role["bound_service_account_namespaces"] == ["shop"], role
assert role["token_policies"] == ["py-k8s"] and role["policies"] == ["py-k8s"], role
assert role["token_ttl"] == 600, role
assert k8s.list_roles()["keys"] == ["app"]
step("create_role, read_role, list_roles")

pod = hvac.Client(url=addr)
auth = pod.auth.kubernetes.login(role="app", jwt=good_jwt)["auth"]
assert pod.token == auth["client_token"]
assert auth["policies"] == ["default", "py-k8s"], auth
assert auth["metadata"]["service_account_namespace"] == "shop", auth
assert pod.secrets.kv.v2.read_secret_version(path="py-k8s/app")["data"]["data"] == {"k": "v"}
assert pod.lookup_token()["data"]["display_name"] == "kubernetes-shop-app"
pod.auth.token.revoke_self()
assert not pod.is_authenticated()
step("login, read, lookup-self, revoke-self")

try:
    hvac.Client(url=addr).auth.kubernetes.login(role="app", jwt=stranger_jwt)
    raise AssertionError("a service account of another namespace logged in")
except hvac.exceptions.Forbidden as err:
    assert "namespace not authorized" in str(err), err
step("other namespace refused")

k8s.delete_role("app")
try:
    k8s.read_role("app")
    raise AssertionError("role still there")
except hvac.exceptions.InvalidPath:
    pass
step("delete_role")
print("ok hvac kubernetes", flush=True)
