/** What a login (or a renewal) tells the agent about its token. Never log `token`. */
export interface AgentToken {
  token: string;
  accessor?: string;
  /** Seconds until it expires; 0 for a token that does not expire. */
  ttlSeconds: number;
  renewable: boolean;
}

/** The `auth` block of a login answer, checked. */
export function tokenFromAuth(auth: unknown): AgentToken {
  const a = auth as { client_token?: unknown; accessor?: unknown; lease_duration?: unknown; renewable?: unknown } | null;
  if (!a || typeof a.client_token !== 'string' || a.client_token === '') throw new Error('the login answer held no client token');
  return {
    token: a.client_token,
    ...(typeof a.accessor === 'string' ? { accessor: a.accessor } : {}),
    ttlSeconds: typeof a.lease_duration === 'number' ? a.lease_duration : 0,
    renewable: a.renewable === true,
  };
}
