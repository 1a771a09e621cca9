/**
 * The built-in `response-wrapping` policy: the only policy a wrapping token carries. It can
 * open its own cubbyhole's `response` (the old way of unwrapping) and call
 * sys/wrapping/unwrap, nothing else. It is compiled from this text on every unseal, never
 * stored, cannot be written or deleted, and is left out of policy listings because no
 * token may be given it; reading it is allowed.
 */
export const RESPONSE_WRAPPING_POLICY_NAME = 'response-wrapping';

export const RESPONSE_WRAPPING_POLICY_TEXT = `# Built in: what a response-wrapping token may do.

path "cubbyhole/response" {
  capabilities = ["create", "read"]
}

path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}
`;
