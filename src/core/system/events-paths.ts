/**
 * sys/events/subscribe/<event type>: the WebSocket stream of change notifications. The
 * http layer sends the upgrade request through the pipeline as a `subscribe` operation, so
 * token, the `subscribe` capability and audit are checked as for any request; this handler
 * validates the subscription and the http layer then opens the stream (src/http/events-upgrade.ts).
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { definePath } from '../../framework/backend.js';
import { parseSubscription } from '../events/subscription.js';

const fields = {
  event_type: z.string().describe('The event type to subscribe to; * matches any run of characters (kv-v2/data-*, kv*, *)'),
  json: z.union([z.string(), z.boolean()]).optional().describe('Must be true: events are sent as CloudEvents JSON'),
  filter: z.string().optional().describe('A go-bexpr filter on event_type, operation, source_plugin_mount, data_path, namespace (== and !=, and, or, not)'),
  namespaces: z.union([z.string(), z.array(z.string())]).optional().describe('Namespaces to include; only the root namespace exists here'),
};

const HELP =
  'A WebSocket stream (connect with an Upgrade: websocket request and json=true) of one CloudEvents JSON message ' +
  'per event of the given type. Needs the subscribe capability on this path; only events about paths the token ' +
  'may read are sent, and the stream closes when the token is revoked or expires or the server seals. Events are ' +
  'best-effort notifications, never secret values: a subscriber that falls behind is disconnected and events ' +
  'published while it was away are not replayed.';

export function eventsPaths() {
  return [
    definePath({
      pattern: 'events/subscribe/:event_type*',
      fields,
      operations: {
        subscribe: ({ fields: given, req }) => {
          const header = req.headers['x-vault-namespace'];
          const sub = parseSubscription({ ...given, namespaceHeader: Array.isArray(header) ? header[0] : header });
          return { data: { event_type: sub.eventType, filter: sub.filterText, json: true } };
        },
        read: () => {
          throw invalidRequest('sys/events/subscribe is a WebSocket stream: connect with an Upgrade: websocket request (and json=true)');
        },
      },
      help: { synopsis: 'Subscribe to events over a WebSocket.', description: HELP },
    }),
  ];
}
