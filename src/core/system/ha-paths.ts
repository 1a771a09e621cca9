/**
 * sys/leader, sys/ha-status and sys/step-down: who the active node of an HA cluster is, which
 * nodes are in it, and handing the active role to another node. Without `ha_enabled` they
 * answer as Vault does for a single node.
 */
import { definePath } from '../../framework/backend.js';
import type { Response } from '../../logical/request.js';
import type { Core } from '../core.js';
import { VERSION } from '../version.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

async function leaderBody(core: Core) {
  const ha = core.ha;
  const base = {
    ha_enabled: false,
    is_self: false,
    active_time: ZERO_TIME,
    leader_address: '',
    leader_cluster_address: '',
    performance_standby: false,
    performance_standby_last_remote_wal: 0,
  };
  if (!ha || core.sealed) return { ...base, ha_enabled: core.haEnabled };
  const isSelf = ha.serving();
  const holder = await ha.holder(true);
  return {
    ...base,
    ha_enabled: true,
    is_self: isSelf,
    active_time: isSelf ? new Date(ha.activeSince).toISOString() : ZERO_TIME,
    leader_address: holder?.info.apiAddr ?? '',
    leader_cluster_address: holder?.info.clusterAddr ?? '',
  };
}

export function haPaths(core: Core) {
  return [
    definePath({
      pattern: 'leader',
      operations: { read: async () => ({ raw: await leaderBody(core) }) },
      help: { synopsis: 'High-availability status and the active node.' },
    }),
    definePath({
      pattern: 'ha-status',
      operations: {
        read: async (): Promise<Response> => {
          const ha = core.ha;
          if (!ha) return { data: { nodes: [] }, legacyTopLevel: true };
          const [peers, holder] = await Promise.all([ha.peers(), ha.holder(true)]);
          const nodes = peers
            .sort((a, b) => (a.identity === holder?.identity ? -1 : b.identity === holder?.identity ? 1 : a.info.apiAddr.localeCompare(b.info.apiAddr)))
            .map((p) => {
              const active = p.identity === holder?.identity;
              return {
                hostname: p.info.hostname,
                api_address: p.info.apiAddr,
                cluster_address: p.info.clusterAddr,
                active_node: active,
                // Vault gives the active node no echo time: it is the one the others echo to.
                last_echo: active ? null : new Date(p.lastEcho).toISOString(),
                version: VERSION,
                upgrade_version: VERSION,
                redundancy_zone: '',
              };
            });
          return { data: { nodes }, legacyTopLevel: true };
        },
      },
      help: { synopsis: 'The nodes of the HA cluster: which is active, when each standby was last heard from.' },
    }),
    definePath({
      pattern: 'step-down',
      operations: {
        update: () => {
          const ha = core.ha;
          // After the answer has left: stepping down ends the requests in flight, this one too.
          if (ha) setTimeout(() => void ha.stepDown(), 50).unref();
          return null;
        },
      },
      help: { synopsis: 'Make the active node give up its role; another node of the cluster takes over.' },
    }),
  ];
}
