/** What the pipeline hands the audit broker about one request: plain data, filled as it goes. */
import type { Request, Response } from '../../logical/request.js';
import type { Route } from '../router.js';
import type { TokenEntry } from '../token/token-entry.js';

export interface AuditEvent {
  request: Request;
  /** The caller's token entry, once the token was looked up and found. */
  token: TokenEntry | null;
  /** The mount the path routed to, once routing found one. */
  route?: Pick<Route, 'routedPath' | 'entry'>;
  /** Set for the response entry of an answered request. */
  response?: Response;
  /** Set when the request failed: recorded as the entry's `error`. */
  error?: unknown;
  /** Set by the pipeline once the request entry went out. */
  requestLogged?: boolean;
}
