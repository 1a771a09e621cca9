/**
 * What a subscriber asks of sys/events/subscribe, checked once at connect: the event type
 * pattern, the output format, the namespaces and the filter. Coffer has only the root
 * namespace, and speaks only the JSON (CloudEvents) format: Vault's default is protobuf,
 * which no client we know of reads (the Vault CLI and its Go client both ask for json=true),
 * so a request without json=true is refused with a message saying to add it rather than
 * answered in a format the client did not ask for.
 */
import { invalidRequest } from '../../errors.js';
import { compileEventTypePattern, type EventTypeMatcher } from './event-type-pattern.js';
import { compileEventFilter, type EventFilter } from './filter.js';

export interface SubscriptionRequest {
  event_type: string;
  json?: string | boolean;
  filter?: string;
  namespaces?: string | string[];
  /** X-Vault-Namespace, when sent. */
  namespaceHeader?: string;
}

export interface Subscription {
  eventType: string;
  matches: EventTypeMatcher;
  filter?: EventFilter;
  filterText: string;
}

const TRUE = new Set(['true', '1', 't']);
const FALSE = new Set(['false', '0', 'f']);
const ROOT_NAMESPACES = new Set(['', '/', 'root', 'root/']);
const MAX_EVENT_TYPE_LENGTH = 512;

export function parseSubscription(req: SubscriptionRequest): Subscription {
  const eventType = req.event_type.trim();
  if (eventType === '') throw invalidRequest('did not specify an event type to subscribe to: use sys/events/subscribe/<event type>, e.g. kv-v2/data-write or *');
  if (eventType.length > MAX_EVENT_TYPE_LENGTH) throw invalidRequest(`event type longer than ${MAX_EVENT_TYPE_LENGTH} characters`);
  const json = typeof req.json === 'boolean' ? String(req.json) : (req.json ?? '').toLowerCase();
  if (!TRUE.has(json)) {
    if (json !== '' && !FALSE.has(json)) throw invalidRequest(`invalid parameter for json: "${json}" (expected true)`);
    throw invalidRequest('only the JSON (CloudEvents) format is served: add json=true to the query (protobuf is not supported)');
  }
  const namespaces = req.namespaces === undefined ? [] : Array.isArray(req.namespaces) ? req.namespaces : req.namespaces.split(',');
  for (const ns of [...namespaces, ...(req.namespaceHeader === undefined ? [] : [req.namespaceHeader])]) {
    if (!ROOT_NAMESPACES.has(ns.trim())) throw invalidRequest(`namespace "${ns}" does not exist: this server has only the root namespace`);
  }
  const filterText = req.filter ?? '';
  return { eventType, matches: compileEventTypePattern(eventType), filter: compileEventFilter(filterText), filterText };
}
