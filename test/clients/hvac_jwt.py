"""hvac (Debian's python3-hvac 0.11.2) against a live dev Coffer: the jwt auth method through
client.auth.jwt (configure, create_role, read_role, list_roles, jwt_login,
oidc_authorization_url_request, delete_role).
Argv: address, root token, the test OIDC provider's issuer URL, a good JWT, an expired JWT.
Exits non-zero on the first mismatch; prints one line per step."""
import sys
import warnings

import hvac
from hvac_steps import step

warnings.simplefilter("ignore", DeprecationWarning)

addr, root_token, issuer, good_jwt, expired_jwt = sys.argv[1:6]
client = hvac.Client(url=addr, token=root_token)


client.sys.enable_auth_method("jwt")
client.sys.create_or_update_policy("py-jwt", 'path "secret/data/py-jwt/*" { capabilities = ["read"] }')
client.secrets.kv.v2.create_or_update_secret(path="py-jwt/app", secret={"k": "v"})
jwt = client.auth.jwt
jwt.configure(oidc_discovery_url=issuer, bound_issuer=issuer, oidc_client_id="coffer", oidc_client_secret="hush")
config = jwt.read_config()["data"]
assert config["oidc_discovery_url"] == issuer, config
assert "oidc_client_secret" not in config
step("configure")

jwt.create_role(
    name="py",
    user_claim="sub",
    allowed_redirect_uris=["http://localhost:8250/oidc/callback"],
    role_type="jwt",
    bound_audiences=["coffer"],
    bound_claims={"project": "alpha"},
    claim_mappings={"email": "email"},
    token_policies=["py-jwt"],
    token_ttl="20m",
)
role = jwt.read_role("py")["data"]
assert role["bound_audiences"] == ["coffer"], role
assert role["token_policies"] == ["py-jwt"], role
assert role["token_ttl"] == 1200, role
assert jwt.list_roles()["data"]["keys"] == ["py"]
step("create_role, read_role, list_roles")

login = client.auth.jwt.jwt_login(role="py", jwt=good_jwt, use_token=False)
auth = login["auth"]
assert auth["policies"] == ["default", "py-jwt"], auth
assert auth["metadata"] == {"email": "ci@example.com", "role": "py"}, auth
assert auth["lease_duration"] == 1200, auth
user = hvac.Client(url=addr, token=auth["client_token"])
assert user.secrets.kv.v2.read_secret_version(path="py-jwt/app")["data"]["data"] == {"k": "v"}
assert user.lookup_token()["data"]["display_name"] == "jwt-build-7"
step("jwt_login and use the token")

try:
    client.auth.jwt.jwt_login(role="py", jwt=expired_jwt, use_token=False)
    raise AssertionError("an expired JWT logged in")
except hvac.exceptions.InvalidRequest as err:
    assert "expired" in str(err), err
step("expired JWT refused")

jwt.create_role(
    name="people",
    user_claim="email",
    allowed_redirect_uris=["http://localhost:8250/oidc/callback"],
    role_type="oidc",
)
auth_url = jwt.oidc_authorization_url_request(role="people", redirect_uri="http://localhost:8250/oidc/callback")["data"]["auth_url"]
assert auth_url.startswith(issuer + "/auth?"), auth_url
assert "state=" in auth_url and "nonce=" in auth_url and "client_id=coffer" in auth_url, auth_url
step("oidc_authorization_url_request")

jwt.delete_role("py")
try:
    jwt.read_role("py")
    raise AssertionError("role still there")
except hvac.exceptions.InvalidPath:
    pass
step("delete_role")
print("ok hvac jwt", flush=True)
