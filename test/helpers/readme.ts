// The README's code blocks, each marked `<!-- snippet: NAME -->`: read by readme.test.ts (which
// runs every one) and by the tests that compile a snippet against the installed package.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Snippet {
  name: string;
  lang: string;
  code: string;
}

export function snippets(md: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = md.split('\n');
  let marker: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = /^<!-- snippet: ([\w-]+) -->$/.exec(line);
    if (m) {
      marker = m[1];
      continue;
    }
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
      if (!marker) throw new Error(`README code block at line ${i - body.length} has no <!-- snippet: NAME --> marker`);
      out.push({ name: marker, lang: fence[1]!, code: body.join('\n') });
      marker = undefined;
      continue;
    }
    if (line.trim() !== '') marker = undefined;
  }
  return out;
}

/** The code of README snippet `name`. */
export function readmeSnippet(name: string): string {
  const s = snippets(readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')).find((x) => x.name === name);
  if (!s) throw new Error(`README has no snippet ${name}`);
  return s.code;
}
