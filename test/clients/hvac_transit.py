"""hvac (Debian's python3-hvac) client.secrets.transit against a live dev Coffer: every method
hvac 0.11.2 has for transit, in a key's life from creation to deletion. Exits non-zero on the
first mismatch."""
import base64
import sys

import hvac
from hvac_steps import expect, step

addr, token = sys.argv[1], sys.argv[2]
client = hvac.Client(url=addr, token=token)
transit = client.secrets.transit


def b64(data):
    return base64.b64encode(data).decode()


client.sys.enable_secrets_engine("transit", path="transit")
step("mount")

transit.create_key(name="hvac-aes", exportable=True, allow_plaintext_backup=True)
key = transit.read_key(name="hvac-aes")["data"]
assert key["type"] == "aes256-gcm96" and key["latest_version"] == 1, key
transit.create_key(name="hvac-ed", key_type="ed25519")
transit.create_key(name="hvac-derived", derived=True, convergent_encryption=True)
assert sorted(transit.list_keys()["data"]["keys"]) == ["hvac-aes", "hvac-derived", "hvac-ed"]
step("create_key, read_key, list_keys")

secret = b"hvac plaintext"
ct = transit.encrypt_data(name="hvac-aes", plaintext=b64(secret))["data"]["ciphertext"]
assert ct.startswith("vault:v1:"), ct
pt = transit.decrypt_data(name="hvac-aes", ciphertext=ct)["data"]["plaintext"]
assert base64.b64decode(pt) == secret
ctx = b64(b"tenant")
c1 = transit.encrypt_data(name="hvac-derived", plaintext=b64(secret), context=ctx)["data"]["ciphertext"]
c2 = transit.encrypt_data(name="hvac-derived", plaintext=b64(secret), context=ctx)["data"]["ciphertext"]
assert c1 == c2, "convergent"
assert base64.b64decode(transit.decrypt_data(name="hvac-derived", ciphertext=c1, context=ctx)["data"]["plaintext"]) == secret
expect(hvac.exceptions.InvalidRequest, transit.decrypt_data, name="hvac-aes", ciphertext="vault:v1:AAAA")
step("encrypt_data, decrypt_data (plain, derived, convergent, a bad ciphertext)")

batch = transit.encrypt_data(name="hvac-aes", plaintext=None, batch_input=[{"plaintext": b64(b"a")}, {"plaintext": b64(b"b")}])
results = batch["data"]["batch_results"]
assert len(results) == 2 and all(r["ciphertext"].startswith("vault:v1:") for r in results)
dec = transit.decrypt_data(name="hvac-aes", ciphertext=None, batch_input=[{"ciphertext": r["ciphertext"]} for r in results])
assert [base64.b64decode(r["plaintext"]) for r in dec["data"]["batch_results"]] == [b"a", b"b"]
step("batch encrypt and decrypt")

transit.rotate_key(name="hvac-aes")
assert transit.read_key(name="hvac-aes")["data"]["latest_version"] == 2
rewrapped = transit.rewrap_data(name="hvac-aes", ciphertext=ct)["data"]["ciphertext"]
assert rewrapped.startswith("vault:v2:"), rewrapped
assert base64.b64decode(transit.decrypt_data(name="hvac-aes", ciphertext=rewrapped)["data"]["plaintext"]) == secret
step("rotate_key, rewrap_data")

transit.update_key_configuration(name="hvac-aes", min_decryption_version=2, deletion_allowed=True)
key = transit.read_key(name="hvac-aes")["data"]
assert key["min_decryption_version"] == 2 and key["deletion_allowed"] is True
expect(hvac.exceptions.InvalidRequest, transit.decrypt_data, name="hvac-aes", ciphertext=ct)
step("update_key_configuration (a v1 ciphertext is now too old)")

datakey = transit.generate_data_key(name="hvac-aes", key_type="plaintext", bits=256)["data"]
assert len(base64.b64decode(datakey["plaintext"])) == 32
assert transit.decrypt_data(name="hvac-aes", ciphertext=datakey["ciphertext"])["data"]["plaintext"] == datakey["plaintext"]
wrapped = transit.generate_data_key(name="hvac-aes", key_type="wrapped")["data"]
assert "plaintext" not in wrapped
step("generate_data_key")

data = b64(b"signed by hvac")
sig = transit.sign_data(name="hvac-ed", hash_input=data)["data"]["signature"]
assert transit.verify_signed_data(name="hvac-ed", hash_input=data, signature=sig)["data"]["valid"] is True
assert transit.verify_signed_data(name="hvac-ed", hash_input=b64(b"other"), signature=sig)["data"]["valid"] is False
transit.create_key(name="hvac-ec", key_type="ecdsa-p256")
jws = transit.sign_data(name="hvac-ec", hash_input=data, hash_algorithm="sha2-384", marshaling_algorithm="jws")["data"]["signature"]
assert transit.verify_signed_data(name="hvac-ec", hash_input=data, signature=jws, hash_algorithm="sha2-384", marshaling_algorithm="jws")["data"]["valid"]
transit.create_key(name="hvac-rsa", key_type="rsa-2048")
pss = transit.sign_data(name="hvac-rsa", hash_input=data, signature_algorithm="pss")["data"]["signature"]
assert transit.verify_signed_data(name="hvac-rsa", hash_input=data, signature=pss, signature_algorithm="pss")["data"]["valid"]
step("sign_data, verify_signed_data (ed25519, ecdsa jws, rsa pss)")

mac = transit.generate_hmac(name="hvac-aes", hash_input=data, algorithm="sha2-512")["data"]["hmac"]
assert mac.startswith("vault:v2:")
assert transit.verify_signed_data(name="hvac-aes", hash_input=data, hmac=mac, hash_algorithm="sha2-512")["data"]["valid"]
step("generate_hmac, verify with hmac")

digest = transit.hash_data(hash_input=data, algorithm="sha2-256", output_format="hex")["data"]["sum"]
assert len(digest) == 64
rand = transit.generate_random_bytes(n_bytes=16, output_format="hex")["data"]["random_bytes"]
assert len(rand) == 32
step("hash_data, generate_random_bytes")

exported = transit.export_key(name="hvac-aes", key_type="encryption-key")["data"]["keys"]
assert sorted(exported.keys()) == ["2"], exported.keys()
assert len(base64.b64decode(exported["2"])) == 32
latest = transit.export_key(name="hvac-aes", key_type="encryption-key", version="latest")["data"]["keys"]
assert latest == exported
step("export_key")

backup = transit.backup_key(name="hvac-aes")["data"]["backup"]
transit.restore_key(backup=backup, name="hvac-restored")
assert transit.read_key(name="hvac-restored")["data"]["latest_version"] == 2
# Vault answers these two refusals with 500 and hvac raises InternalServerError for them.
expect(hvac.exceptions.InternalServerError, transit.restore_key, backup=backup)
transit.create_key(name="hvac-nobackup", exportable=True)
expect(hvac.exceptions.InternalServerError, transit.backup_key, name="hvac-nobackup")
transit.restore_key(backup=backup, force=True)
step("backup_key, restore_key")

transit.rotate_key(name="hvac-aes")
transit.update_key_configuration(name="hvac-aes", min_encryption_version=3)
transit.trim_key(name="hvac-aes", min_version=2)
key = transit.read_key(name="hvac-aes")["data"]
assert key["min_available_version"] == 2 and sorted(key["keys"].keys()) == ["2", "3"], key
step("trim_key")

transit.delete_key(name="hvac-aes")
expect(hvac.exceptions.InvalidPath, transit.read_key, name="hvac-aes")
expect(hvac.exceptions.InvalidRequest, transit.delete_key, name="hvac-ed")
step("delete_key (and a key that does not allow it)")
