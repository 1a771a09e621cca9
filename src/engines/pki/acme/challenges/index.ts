/**
 * Proves control of an identifier for an ACME authorization: `validateChallenge` resolves,
 * connects and checks by itself, within the input's time budget, and either returns or
 * throws a ChallengeFailed carrying the ACME error type the client is told.
 */
import { startBudget, type Budget } from './budget.js';
import { validateDns01 } from './dns-01.js';
import { validateHttp01 } from './http-01.js';
import { checkIdentifier } from './identifier.js';
import { validateTlsAlpn01 } from './tls-alpn-01.js';
import { ChallengeFailed, type ChallengeInput, type ChallengeType } from './types.js';

export { dnsTxtValue } from './dns-01.js';
export { invalidNetwork } from './network-guard.js';
export { ChallengeFailed, type ChallengeErrorType, type ChallengeInput, type ChallengeType, type Identifier } from './types.js';

const validators: Record<ChallengeType, (input: ChallengeInput, budget: Budget) => Promise<void>> = {
  'http-01': validateHttp01,
  'dns-01': validateDns01,
  'tls-alpn-01': validateTlsAlpn01,
};

export async function validateChallenge(input: ChallengeInput): Promise<void> {
  const validator = validators[input.type];
  if (validator === undefined) throw new ChallengeFailed('rejectedIdentifier', `unknown challenge type ${JSON.stringify(input.type)}`);
  checkIdentifier(input.identifier);
  const budget = startBudget(input.timeoutMs);
  try {
    await Promise.race([validator(input, budget), budget.expired]);
  } catch (err) {
    if (err instanceof ChallengeFailed) throw err;
    // The contract promises a ChallengeFailed; an unexpected error is still a failed validation.
    throw new ChallengeFailed('connection', `validation failed: ${(err as Error).message ?? String(err)}`);
  } finally {
    budget.end();
  }
}
