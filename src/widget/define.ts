/** Define a custom element once: loading the bundle twice (or ESM + IIFE) must not throw. */
export function define(name: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, ctor);
}
