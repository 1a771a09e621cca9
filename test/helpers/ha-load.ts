/**
 * A write load on an HA cluster from several clients, as applications would send it: each
 * client writes new kv-v2 keys through one node and, when that node fails it, moves on to
 * the next. Only writes answered 2xx count as acknowledged; each gets its time.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest } from './process-server.js';

export interface WriteLoad {
  /** key → value of every acknowledged write */
  acked: Map<string, string>;
  /** unix ms of each acknowledgement, in order */
  ackTimes: number[];
  failures: number;
  /** The first acknowledgement at or after `t`, or undefined. */
  firstAckAfter(t: number): number | undefined;
  stop(): Promise<void>;
}

export function startWriteLoad(addresses: () => string[], token: string, clients: number, mount = 'kv'): WriteLoad {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients * 4 });
  let running = true;
  const load: WriteLoad = {
    acked: new Map(),
    ackTimes: [],
    failures: 0,
    firstAckAfter: (t) => load.ackTimes.find((x) => x >= t),
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
  const loops = Array.from({ length: clients }, async (_, c) => {
    let node = c;
    for (let seq = 0; running; seq++) {
      const list = addresses();
      const address = list[node % list.length]!;
      const key = `load-${c}-${seq}`;
      const value = `${c}:${seq}:${Date.now()}`;
      try {
        const res = await httpRequest(`${address}/v1/${mount}/data/${key}`, {
          method: 'POST',
          body: { data: { value } },
          headers: { 'X-Vault-Token': token },
          agent,
          timeoutMs: 5_000,
        });
        if (res.status === 200) {
          load.acked.set(key, value);
          load.ackTimes.push(Date.now());
          continue;
        }
      } catch {
        // refused or reset: the node is gone
      }
      load.failures++;
      node++;
      await sleep(50);
    }
  });
  return load;
}

/** Keys whose value read through `address` is not the acknowledged one. */
export async function missingWrites(address: string, token: string, acked: Map<string, string>, mount = 'kv'): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const entries = [...acked];
  const wrong: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < entries.length) {
        const [key, value] = entries[next++]!;
        const res = await httpRequest(`${address}/v1/${mount}/data/${key}`, { headers: { 'X-Vault-Token': token }, agent });
        if (res.status !== 200 || res.json?.data?.data?.value !== value) wrong.push(`${key}: ${res.status} ${res.text.slice(0, 120)}`);
      }
    }),
  );
  agent.destroy();
  return wrong;
}
