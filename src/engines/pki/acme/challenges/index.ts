/**
 * Placeholder until the validators (branch pki-acme-challenges) are merged: every
 * validation fails, so no identifier is ever taken as proven without one.
 */
import { ChallengeFailed, type ChallengeInput } from './types.js';

export async function validateChallenge(input: ChallengeInput): Promise<void> {
  throw new ChallengeFailed('connection', `${input.type} validation is not available on this server yet`);
}
