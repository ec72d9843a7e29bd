// Prints the top self-time functions and packages of a V8 .cpuprofile (node --cpu-prof).
//   node --import tsx test/bench/cpuprofile.ts FILE.cpuprofile   (TOP=N for more lines)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function printProfile(file: string): void {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
    samples: number[];
    timeDeltas: number[];
  };
  // WINDOW=a,b: only samples between a and b seconds before the end of the profile (e.g. the
  // measured run, without start-up and shutdown).
  const [from, to] = (process.env.WINDOW ?? '').split(',').map(Number);
  const times: number[] = [];
  let t = 0;
  for (const d of prof.timeDeltas) times.push((t += d));
  const end = t;
  const inWindow = (k: number) => !process.env.WINDOW || (end - times[k]! <= from! * 1e6 && end - times[k]! >= (to ?? 0) * 1e6);
  const self = new Map<number, number>();
  prof.samples.forEach((id, k) => {
    if (inWindow(k)) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[k] ?? 0));
  });
  const byName = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const url = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '');
    const key = `${n.callFrame.functionName || '(anon)'}  ${url}:${n.callFrame.lineNumber + 1}`;
    byName.set(key, (byName.get(key) ?? 0) + t);
  }
  // inclusive time by package (self time grouped by the file's package)
  const byPkg = new Map<string, number>();
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    const u = n.callFrame.url;
    const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(u);
    const pkg = m ? m[1]! : u.includes('/src/') ? 'src' : u.startsWith('node:') ? 'node:' + u.slice(5).split('/')[0] : n.callFrame.functionName || '(native)';
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + t);
  }
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 35));
  console.log(`\ntop self time (total ${(total / 1000).toFixed(0)} ms):`);
  for (const [k, t] of top) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
  console.log('\nby package:');
  for (const [k, t] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) printProfile(process.argv[2]!);
