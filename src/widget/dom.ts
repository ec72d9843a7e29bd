// DOM building for the elements. They extend Lit's ReactiveElement (reactive properties, update
// cycle, shadow root, static styles) and render with these calls rather than lit-html templates:
// lit-html and LitElement made a fifth of the script-tag bundle, and cards render by the thousand.
// Values go in as text and attributes only, never as markup.

/** An element with `part`, `class` and text content. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, part?: string | null, cls?: string | null, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (part) e.setAttribute('part', part);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Sets attributes, each only when its value changes (writing an iframe's src reloads it); null removes one. */
export function attrs(e: Element, values: Record<string, string | null>): void {
  for (const [name, value] of Object.entries(values)) {
    if (e.getAttribute(name) === value) continue;
    if (value === null) e.removeAttribute(name);
    else e.setAttribute(name, value);
  }
}

/** Sets an element's text when it changes. */
export function text(e: Node, value: string): void {
  if (e.textContent !== value) e.textContent = value;
}
