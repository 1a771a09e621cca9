/**
 * One event as the bus carries it, and Vault's CloudEvents JSON for it (the `json=true`
 * shape of sys/events/subscribe). Metadata values are strings, as Vault's plugins send them.
 */
export interface EventPluginInfo {
  /** `secret` or `auth`. */
  mount_class: 'secret' | 'auth';
  mount_accessor: string;
  /** As routed: `secret/`, `auth/userpass/`. */
  mount_path: string;
  /** The engine's type: `kv`, `database`. */
  plugin: string;
  /** kv's version (`1`, `2`); empty for others, as in Vault. */
  version: string;
}

export interface PublishedEvent {
  id: string;
  /** `kv-v2/data-write` */
  type: string;
  /** unix ms */
  time: number;
  /** `path`, `data_path`, `operation`, `modified`, … with the mount path in front of paths. */
  metadata: Readonly<Record<string, string>>;
  plugin: EventPluginInfo;
  /** Full path a subscriber's token must be allowed to read to receive the event; not sent. */
  readPath: string;
}

/** Vault's source for every event it sends; clients match on it. */
export const EVENT_SOURCE = 'https://vaultproject.io/';

export function cloudEvent(e: PublishedEvent): Record<string, unknown> {
  return {
    id: e.id,
    source: EVENT_SOURCE,
    specversion: '1.0',
    type: '*',
    datacontenttype: 'application/cloudevents',
    time: new Date(e.time).toISOString(),
    data: {
      event: { id: e.id, metadata: e.metadata },
      event_type: e.type,
      plugin_info: {
        mount_class: e.plugin.mount_class,
        mount_accessor: e.plugin.mount_accessor,
        mount_path: e.plugin.mount_path,
        plugin: e.plugin.plugin,
        ...(e.plugin.version ? { version: e.plugin.version } : {}),
      },
    },
  };
}

/** The metadata keys whose values are paths below the mount: the bus puts the mount path in front. */
export const PATH_KEYS = ['path', 'data_path'] as const;
