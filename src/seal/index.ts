export {
  Seal,
  type CreateRootToken,
  type InitParams,
  type InitResult,
  type SealOptions,
  type UnsealStatus,
} from './seal.js';
export type { RekeyApi, RekeyInitParams, RekeyStatus, RekeyUpdateResult, RekeyVerifyResult, RekeyVerifyStatus } from './rekey.js';
export type { GenerateRootInitParams, GenerateRootStatus } from './generate-root.js';
export { parseKeyShare, shareLength } from './key-share.js';
export { OTP_LENGTH, decodeTokenWithOtp, encodeTokenWithOtp, generateOtp } from './otp.js';
export { ROOT_KEY_PATH, SEAL_CONFIG_PATH, validateShamirParams, type SealConfig } from './seal-store.js';
