/** Login MFA records as persisted (JSON below `sys/identity/mfa/`). Times are unix ms. */
import type { TotpAlgorithm } from '../../../crypto/totp.js';

/** A TOTP MFA method (`identity/mfa/method/totp/:method_id`): settings for every entity's secret. */
export interface TotpMethod {
  id: string;
  /** Optional name (`method_name`); unique when set. */
  name: string;
  issuer: string;
  period: number;
  keySize: number;
  qrSize: number;
  algorithm: TotpAlgorithm;
  digits: number;
  skew: number;
  maxValidationAttempts: number;
  creationTime: number;
  updateTime: number;
}

/** Which logins must pass MFA (`identity/mfa/login-enforcement/:name`): any target matching is enough. */
export interface LoginEnforcement {
  id: string;
  name: string;
  mfaMethodIds: string[];
  authMethodAccessors: string[];
  authMethodTypes: string[];
  identityGroupIds: string[];
  identityEntityIds: string[];
}

/** One entity's TOTP secret for one method. */
export interface EntityTotpSecret {
  methodId: string;
  entityId: string;
  /** Base32. */
  secret: string;
  accountName: string;
}
