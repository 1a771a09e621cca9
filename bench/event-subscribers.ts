/**
 * The subscribers of bench/events.ts, in their own process so that receiving never shares
 * a core's event loop with the load generator or the server:
 *   node event-subscribers.js <address> <token> <count>
 * Opens `count` streams of kv-v2/data-write, prints `{"connected":count}` once all are open,
 * then answers every line on stdin with `{"received":<total messages so far>}`.
 */
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

const [address, token, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 100);
const url = `${address!.replace(/^http/, 'ws')}/v1/sys/events/subscribe/kv-v2/data-write?json=true`;
let received = 0;
const sockets: WebSocket[] = [];
await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url, { headers: { 'X-Vault-Token': token! }, perMessageDeflate: false });
        ws.on('message', () => received++);
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('close', (code, reason) => {
          if (code !== 1000 && code !== 1005) process.stderr.write(`subscriber closed: ${code} ${reason.toString()}\n`);
        });
        sockets.push(ws);
      }),
  ),
);
process.stdout.write(JSON.stringify({ connected: count }) + '\n');
createInterface({ input: process.stdin }).on('line', () => process.stdout.write(JSON.stringify({ received }) + '\n'));
process.stdin.on('end', () => {
  for (const ws of sockets) ws.close();
  process.exit(0);
});
