/** The seal status as `status`, `operator unseal` and `operator seal` print it, with HA fields from sys/leader. */
import type { Context } from '../context.js';
import { outputData } from '../output/format.js';
import { columns } from '../output/table.js';

export interface SealStatus {
  type?: string;
  initialized?: boolean;
  sealed?: boolean;
  t?: number;
  n?: number;
  progress?: number;
  nonce?: string;
  version?: string;
  build_date?: string;
  storage_type?: string;
  cluster_name?: string;
  cluster_id?: string;
  recovery_seal?: boolean;
  [key: string]: unknown;
}

interface Leader {
  ha_enabled?: boolean;
  is_self?: boolean;
  leader_address?: string;
  leader_cluster_address?: string;
}

/** The seal status with `ha_enabled` (and the leader when HA is on) added. */
export async function withLeader(ctx: Context, status: SealStatus): Promise<SealStatus> {
  let leader: Leader | null = null;
  try {
    leader = await ctx.api().call<Leader>('GET', 'sys/leader');
  } catch {
    leader = null;
  }
  const out: SealStatus = { ...status, ha_enabled: leader?.ha_enabled === true };
  if (leader?.ha_enabled) {
    out.is_self = leader.is_self === true;
    if (leader.leader_address) out.leader_address = leader.leader_address;
    if (leader.leader_cluster_address) out.leader_cluster_address = leader.leader_cluster_address;
  }
  return out;
}

export function printSealStatus(ctx: Context, s: SealStatus): number {
  if (ctx.format !== 'table') return outputData(ctx, s, { ordered: true });
  const prefix = s.recovery_seal ? 'Recovery ' : '';
  const rows: string[][] = [
    ['Key', 'Value'],
    ['---', '-----'],
    ['Seal Type', String(s.type ?? '')],
    ['Initialized', String(s.initialized === true)],
    ['Sealed', String(s.sealed === true)],
    [`Total ${prefix}Shares`, String(s.n ?? 0)],
    ['Threshold', String(s.t ?? 0)],
  ];
  if (s.sealed) {
    rows.push(['Unseal Progress', `${s.progress ?? 0}/${s.t ?? 0}`], ['Unseal Nonce', String(s.nonce ?? '')]);
  }
  if (s.version) rows.push(['Version', s.version]);
  if (s.build_date) rows.push(['Build Date', s.build_date]);
  if (s.storage_type) rows.push(['Storage Type', s.storage_type]);
  if (s.cluster_name && s.cluster_id) rows.push(['Cluster Name', s.cluster_name], ['Cluster ID', s.cluster_id]);
  rows.push(['HA Enabled', String(s.ha_enabled === true)]);
  if (s.ha_enabled && !s.sealed) {
    rows.push(['HA Mode', s.is_self ? 'active' : 'standby']);
    if (!s.is_self && typeof s.leader_address === 'string') rows.push(['Active Node Address', s.leader_address]);
  }
  ctx.out(columns(rows));
  return 0;
}
