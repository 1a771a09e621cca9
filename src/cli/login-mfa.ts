/**
 * Completing a login that answered `auth.mfa_requirement` (login MFA): with one passcode
 * method to satisfy, the CLI asks for the code (hidden on a terminal, the next line of a
 * piped stdin) and sends it to sys/mfa/validate, as Vault's CLI does; otherwise, or with
 * -non-interactive, it says how to finish with `coffer write sys/mfa/validate`.
 */
import type { Secret } from '../api/logical.js';
import type { Context } from './context.js';
import { CommandFailed, failure } from './errors.js';
import { readSecret } from './prompt.js';

interface MfaRequirement {
  mfa_request_id: string;
  mfa_constraints: Record<string, { any?: { type?: string; id?: string; uses_passcode?: boolean }[] }>;
}

export function mfaRequirementOf(secret: Secret): MfaRequirement | undefined {
  const req = (secret.auth as { mfa_requirement?: MfaRequirement | null } | null | undefined)?.mfa_requirement;
  return req && typeof req.mfa_request_id === 'string' ? req : undefined;
}

export async function completeMfaLogin(ctx: Context, secret: Secret, req: MfaRequirement): Promise<Secret> {
  const constraints = Object.values(req.mfa_constraints ?? {});
  const methods = constraints.flatMap((c) => c.any ?? []);
  const only = constraints.length === 1 && methods.length === 1 ? methods[0] : undefined;
  if (!only || !only.id || ctx.nonInteractive) {
    const example = methods[0]?.id ?? '<method_id>';
    throw new CommandFailed(
      `This login needs MFA (request id ${req.mfa_request_id}). Complete it with:\n` +
        `  coffer write sys/mfa/validate mfa_request_id=${req.mfa_request_id} mfa_payload='{"${example}": ["<passcode>"]}'`,
      2,
    );
  }
  const label = `Enter the passphrase for methodID "${only.id}" of type "${only.type ?? 'totp'}": `;
  // A terminal shows the prompt as it reads; piped input gets it said once, on stderr.
  if (ctx.io.stdin.isTTY !== true) ctx.io.stderr.write(label + '\n');
  const code = await readSecret(ctx.io, label);
  if (code === '') throw new CommandFailed('Error authenticating: no MFA passcode given');
  try {
    const done = await ctx.apiWithToken(undefined).write('sys/mfa/validate', { mfa_request_id: req.mfa_request_id, mfa_payload: { [only.id]: [code] } });
    if (!done?.auth) throw new Error('empty answer from sys/mfa/validate');
    return done;
  } catch (err) {
    throw failure('Error validating MFA', err);
  }
}
