/**
 * Summarises a V8 .cpuprofile: self time aggregated by function + location (top N), self
 * time by package/area, and inclusive time of Coffer's own functions (dist/src). `node dist/bench/profile-summary.js [file.cpuprofile] [N]`; with no file,
 * the newest in bench/out/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const outDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../bench/out');
const newest = () =>
  readdirSync(outDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(outDir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const file = process.argv[2] ?? newest();
if (!file) throw new Error(`no .cpuprofile in ${outDir}`);
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// A sample's time is the gap until the next sample.
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
}

const short = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/').replace(/^node:/, 'node:');
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const d = /dist\/(src\/[^/]+|bench)/.exec(url);
  return d ? d[1]! : url;
}

const keyOf = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) =>
  `${functionName || '(anonymous)'}  ${url ? `${short(url)}:${lineNumber + 1}` : ''}`;
const byFn = new Map<string, number>();
const inclusive = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of self) {
  const { functionName, url } = byId.get(id)!.callFrame;
  total += us;
  if (functionName === '(idle)') idle += us;
  const key = keyOf(byId.get(id)!.callFrame);
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const seen = new Set<string>(); // a recursive function counts once per sample
  for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
    const frame = byId.get(x)!.callFrame;
    const k = keyOf(frame);
    if (frame.url.includes('/dist/src/') && !seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    seen.add(k);
  }
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
}

const busy = total - idle;
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
console.log(`${file}\ntotal ${ms(total)}, idle ${ms(idle)}, busy ${ms(busy)}; percentages are of busy time\n`);
console.log(`top ${top} functions by self time:`);
for (const [k, us] of [...byFn].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)} ${ms(us)}  ${k}`);
}
console.log('\nself time by area:');
for (const [k, us] of [...byArea].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${pct(us)} ${ms(us)}  ${k}`);
}
console.log(`\ninclusive time of Coffer's own functions (dist/src), top ${top}:`);
for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)} ${ms(us)}  ${k}`);
}
