// custom-elements.json (written by `npm run build` with @custom-elements-manifest/analyzer) describes
// all three elements: attributes, properties, methods, events, CSS parts and custom properties.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const file = `${root}custom-elements.json`;

interface Named {
  name: string;
  description?: string;
}
interface Declaration {
  kind: string;
  name: string;
  tagName?: string;
  customElement?: boolean;
  attributes?: (Named & { fieldName?: string })[];
  members?: (Named & { kind: string; privacy?: string; static?: boolean; readonly?: boolean })[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
  superclass?: { name: string };
}
interface Manifest {
  schemaVersion: string;
  modules: { path: string; declarations?: Declaration[]; exports?: { kind: string; name: string; declaration: { name: string } }[] }[];
}

describe('custom-elements.json', () => {
  assert.ok(existsSync(file), 'custom-elements.json exists (npm run build writes it)');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  const byTag = new Map<string, Declaration>();
  for (const m of manifest.modules) for (const d of m.declarations ?? []) if (d.tagName) byTag.set(d.tagName, d);
  const names = (list: Named[] | undefined) => (list ?? []).map((x) => x.name);
  const publicMembers = (d: Declaration, kind: 'field' | 'method') =>
    (d.members ?? []).filter((m) => m.kind === kind && !m.privacy && !m.static && !m.name.startsWith('_')).map((m) => m.name);

  it('is referenced by package.json and lists exactly the three elements', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    assert.equal(pkg.customElements, 'custom-elements.json');
    // The published package (build/package/, scripts/build-package.mjs) ships it.
    const published = JSON.parse(readFileSync(`${root}build/package/package.json`, 'utf8'));
    assert.equal(published.customElements, 'custom-elements.json');
    assert.ok(published.files.includes('custom-elements.json'));
    assert.deepEqual([...byTag.keys()].sort(), ['shop-chat-goods-card', 'shop-chat-launcher', 'shop-chat-order-card']);
    for (const [tag, d] of byTag) {
      assert.equal(d.customElement, true, tag);
      const defined = manifest.modules.some((m) => (m.exports ?? []).some((e) => e.kind === 'custom-element-definition' && e.name === tag));
      assert.ok(defined || d.tagName === tag, `${tag} is a custom-element definition`);
    }
  });

  it('<shop-chat-launcher>: attributes, properties, methods, events, parts and custom properties', () => {
    const d = byTag.get('shop-chat-launcher')!;
    assert.deepEqual(
      names(d.attributes).sort(),
      ['api-url', 'avatar', 'chat-url', 'goods-info', 'lang', 'maximized', 'mode', 'nickname', 'order-info', 'org', 'position', 'server', 'shop-uid', 'sid', 't', 'unread', 'visitor-uid'].sort(),
    );
    const fields = publicMembers(d, 'field');
    for (const p of ['org', 'sid', 't', 'shopUid', 'server', 'chatBaseUrl', 'goodsInfo', 'orderInfo', 'lang', 'position', 'mode', 'unread', 'chatUrl', 'isOpen', 'config', 'visitorUid', 'nickname', 'avatar', 'visitor', 'apiUrl', 'maximized']) {
      assert.ok(fields.includes(p), `property ${p}`);
    }
    assert.deepEqual(publicMembers(d, 'method').sort(), ['close', 'open', 'toggle']);
    assert.deepEqual(names(d.events).sort(), ['shop-chat-close', 'shop-chat-error', 'shop-chat-message-click', 'shop-chat-open', 'shop-chat-unread']);
    assert.deepEqual(names(d.cssParts), ['button', 'icon', 'label', 'badge', 'panel', 'header', 'title', 'close-button', 'frame', 'status']);
    const props = names(d.cssProperties);
    for (const p of ['--shop-chat-color-primary', '--shop-chat-color-on-primary', '--shop-chat-color-badge', '--shop-chat-offset-x', '--shop-chat-offset-y', '--shop-chat-z-index', '--shop-chat-panel-width', '--shop-chat-panel-height']) {
      assert.ok(props.includes(p), p);
    }
  });

  for (const [tag, kind] of [
    ['shop-chat-goods-card', 'goods'],
    ['shop-chat-order-card', 'order'],
  ] as const) {
    it(`<${tag}>: attributes, properties, events, parts and custom properties`, () => {
      const d = byTag.get(tag)!;
      assert.deepEqual(names(d.attributes).sort(), [`${kind}-detail-path`, 'info', 'lang', 'mode'].sort());
      const fields = publicMembers(d, 'field');
      for (const p of ['info', `${kind}DetailPath`, 'lang', 'mode', 'value']) assert.ok(fields.includes(p), `property ${p}`);
      assert.ok(publicMembers(d, 'method').includes('activate'));
      assert.deepEqual(names(d.events).sort(), ['shop-chat-card-click', 'shop-chat-error']);
      const parts = names(d.cssParts);
      for (const p of kind === 'goods' ? ['card', 'image', 'title', 'description', 'price', 'quantity', 'tags', 'tag'] : ['card', 'order-uid', 'status', 'goods', 'total', 'payment', 'time', 'receiver']) {
        assert.ok(parts.includes(p), `part ${p}`);
      }
      const props = names(d.cssProperties);
      for (const p of ['--shop-chat-color-primary', '--shop-chat-color-bg', '--shop-chat-color-text', '--shop-chat-color-muted', '--shop-chat-color-price', '--shop-chat-card-max-width']) {
        assert.ok(props.includes(p), p);
      }
    });
  }

  it('documents every event, part and custom property (each has a description)', () => {
    for (const [tag, d] of byTag) {
      for (const x of [...(d.events ?? []), ...(d.cssParts ?? []), ...(d.cssProperties ?? [])]) {
        assert.ok(x.description && x.description.trim().length > 3, `${tag}: ${x.name} has a description`);
      }
      for (const a of d.attributes ?? []) assert.ok(a.fieldName, `${tag}: attribute ${a.name} maps to a property`);
    }
  });

  it('the type declarations map the tags and events for TypeScript users', () => {
    const elements = readFileSync(`${root}dist/types/widget/elements.d.ts`, 'utf8');
    const events = readFileSync(`${root}dist/types/widget/events.d.ts`, 'utf8');
    for (const tag of byTag.keys()) assert.match(elements, new RegExp(`'${tag}': \\w+`));
    for (const e of ['shop-chat-open', 'shop-chat-close', 'shop-chat-error', 'shop-chat-card-click']) assert.match(events, new RegExp(`'${e}': \\w+Event`));
  });
});
