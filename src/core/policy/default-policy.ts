/**
 * The `default` policy, written on first start and attached to tokens unless they opt out.
 * It lets a token look after itself and use the per-token and wrapping facilities, and
 * its own identity entity (through templated paths), the OIDC providers' authorize
 * endpoint (a login to another application through Coffer), and nothing else, as Vault's
 * does. Operators may edit it; it cannot be deleted. Written once: a server keeps the
 * default policy it was first started with.
 */
export const DEFAULT_POLICY_TEXT = `# Coffer default policy: what every ordinary token may do for itself.

# Inspect, extend and give up the calling token.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}

# Ask which capabilities the calling token has on some paths.
path "sys/capabilities-self" {
  capabilities = ["update"]
}

# Let user interfaces show the calling token's effective permissions.
path "sys/internal/ui/resultant-acl" {
  capabilities = ["read"]
}

# Renew and look up leases the token holds (old and new paths).
path "sys/renew" {
  capabilities = ["update"]
}
path "sys/leases/renew" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# The cubbyhole is private to each token: full use of it.
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Response wrapping: wrap data, inspect and open wrapping tokens.
path "sys/wrapping/wrap" {
  capabilities = ["update"]
}
path "sys/wrapping/lookup" {
  capabilities = ["update"]
}
path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}

# Read the calling token's own identity entity.
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}

# Log in to applications that use one of Coffer's OIDC providers.
path "identity/oidc/provider/+/authorize" {
  capabilities = ["read", "update"]
}

# Hashing helper.
path "sys/tools/hash" {
  capabilities = ["update"]
}
path "sys/tools/hash/*" {
  capabilities = ["update"]
}
`;

export const defaultPolicyText = DEFAULT_POLICY_TEXT;
