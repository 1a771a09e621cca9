/** ACL policies: parsing, names, the default policy, and compiled ACLs. */
export { compileAcl, ROOT_ACL } from './acl.js';
export { defaultPolicyText, DEFAULT_POLICY_TEXT } from './default-policy.js';
export { parseDurationSeconds } from './duration.js';
export { comparePriority, parsePathPattern, type PathPattern } from './path-pattern.js';
export {
  assertPolicyNameDeletable,
  assertPolicyNameWritable,
  DEFAULT_POLICY_NAME,
  normalizePolicyName,
  ROOT_POLICY_NAME,
} from './policy-name.js';
export { MAX_POLICY_BYTES, parsePolicy } from './policy-parser.js';
export { RESPONSE_WRAPPING_POLICY_NAME, RESPONSE_WRAPPING_POLICY_TEXT } from './response-wrapping-policy.js';
export {
  CAPABILITIES,
  isCapability,
  type Acl,
  type AclCheckInput,
  type AclResult,
  type Capability,
  type PathRule,
  type Policy,
} from './types.js';
