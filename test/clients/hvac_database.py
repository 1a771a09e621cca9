"""hvac (Debian's python3-hvac) secrets.database methods against a live Coffer with the
database engine at database/ and a throwaway PostgreSQL: configure, read, list, roles,
generate_credentials (printed for the test to log in with), reset, rotate root, static
roles, delete.
Exits non-zero on the first mismatch; prints one line per step."""
import json
import sys

import hvac
from hvac_steps import expect, step

addr, token, pg_url, root_user, root_password = sys.argv[1:6]
client = hvac.Client(url=addr, token=token)
db = client.secrets.database

db.configure(
    name="pg",
    plugin_name="postgresql-database-plugin",
    allowed_roles=["reader", "static-*"],
    connection_url=pg_url,
    username=root_user,
    password=root_password,
)
read = db.read_connection(name="pg")["data"]
assert read["plugin_name"] == "postgresql-database-plugin", read
assert read["connection_details"]["username"] == root_user, read
assert root_password not in json.dumps(read)
assert db.list_connections()["data"]["keys"] == ["pg"]
step("configure, read_connection, list_connections")

expect(
    hvac.exceptions.InvalidRequest,
    db.configure,
    name="bad",
    plugin_name="postgresql-database-plugin",
    connection_url=pg_url.replace(pg_url.split("@")[1].split("/")[0], "127.0.0.1:1"),
    username=root_user,
    password=root_password,
)
step("configure refuses an unreachable database")

db.create_role(
    name="reader",
    db_name="pg",
    creation_statements=[
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
        'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";',
    ],
    default_ttl=3600,
    max_ttl=7200,
)
role = db.read_role(name="reader")["data"]
assert role["db_name"] == "pg" and role["default_ttl"] == 3600 and role["max_ttl"] == 7200, role
assert db.list_roles()["data"]["keys"] == ["reader"]
step("create_role, read_role, list_roles")

creds = db.generate_credentials(name="reader")
assert creds["lease_duration"] == 3600 and creds["renewable"] is True, creds
assert creds["lease_id"].startswith("database/creds/reader/")
print("creds " + json.dumps(dict(creds["data"], lease_id=creds["lease_id"])), flush=True)
step("generate_credentials")

renewed = client.sys.renew_lease(lease_id=creds["lease_id"], increment=5400)
assert renewed["lease_duration"] == 5400, renewed
step("renew the lease")

db.reset_connection(name="pg")
db.rotate_root_credentials(name="pg")
after = db.generate_credentials(name="reader")
print("creds " + json.dumps(dict(after["data"], lease_id=after["lease_id"])), flush=True)
step("reset_connection, rotate_root_credentials")

db.create_static_role(name="static-app", db_name="pg", username="hvac_static", rotation_statements=[], rotation_period=3600)
assert db.list_static_roles()["data"]["keys"] == ["static-app"]
static = db.get_static_credentials(name="static-app")["data"]
assert static["username"] == "hvac_static" and static["rotation_period"] == 3600 and 3590 < static["ttl"] <= 3600, static
print("static " + json.dumps({"username": static["username"], "password": static["password"]}), flush=True)
db.delete_static_role(name="static-app")
expect(hvac.exceptions.InvalidPath, db.get_static_credentials, name="static-app")
step("create_static_role, list_static_roles, get_static_credentials, delete_static_role")

# Both credentials stay: the test logs in with them, then revokes them (the role's
# deletion leaves them to the default revocation).
db.delete_role(name="reader")
expect(hvac.exceptions.InvalidPath, db.read_role, name="reader")
step("delete_role")

db.configure(name="temp", plugin_name="postgresql-database-plugin", connection_url=pg_url, username=root_user, password=root_password, verify_connection=False)
db.delete_connection(name="temp")
expect(hvac.exceptions.InvalidPath, db.read_connection, name="temp")
step("delete_connection")
