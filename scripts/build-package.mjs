#!/usr/bin/env node
// Assembles build/package/, the `shop-chat` widget package as published (`npm publish build/package`):
// dist/ without the server's precompressed copies, custom-elements.json, README.md, LICENSE, and a
// package.json made from the repository's. The repository's package.json is the server's and the
// developer's (private: its dependencies are the server's); the widget's fields (exports, types,
// miniprogram, peers) are written there once and copied, and `lit` is the only dependency.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = 'build/package';

/** Fields of the repository's package.json that describe the widget package. */
const WIDGET_FIELDS = [
  'name', 'version', 'license', 'type', 'main', 'module', 'types', 'typesVersions', 'unpkg', 'jsdelivr',
  'customElements', 'miniprogram', 'exports', 'sideEffects', 'peerDependencies', 'peerDependenciesMeta',
  'repository', 'homepage', 'bugs', 'keywords',
];

const DESCRIPTION =
  'Customer-service chat for storefronts and WeChat mini-programs: Lit launcher and product/order cards for the Bytedesk chat, React wrappers, Vue typings, a mini-program kit.';
/** The widget's runtime dependencies: lit only (React is an optional peer; @lit/react is bundled). */
const DEPENDENCIES = ['lit'];

export function widgetManifest(rootPkg) {
  const pkg = { description: DESCRIPTION };
  for (const f of WIDGET_FIELDS) if (rootPkg[f] !== undefined) pkg[f] = rootPkg[f];
  pkg.files = ['dist', 'custom-elements.json'];
  pkg.dependencies = Object.fromEntries(DEPENDENCIES.map((d) => [d, rootPkg.dependencies[d]]));
  return pkg;
}

export function assemblePackage(root = '.') {
  const out = join(root, PACKAGE_DIR);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(root, 'dist'), join(out, 'dist'), {
    recursive: true,
    filter: (src) => !/\.(br|gz)$/.test(src) && !src.endsWith('.build-stamp'),
  });
  for (const f of ['custom-elements.json', 'README.md', 'LICENSE']) cpSync(join(root, f), join(out, f));
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(join(out, 'package.json'), JSON.stringify(widgetManifest(rootPkg), null, 2) + '\n');
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(assemblePackage(fileURLToPath(new URL('..', import.meta.url))));
}
