/** Attribute converter for JSON attributes: malformed JSON is kept as the raw string so validation reports it. */
export const jsonAttribute = {
  fromAttribute(value: string | null): unknown {
    if (value === null || value === '') return undefined;
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  },
};

/** An http(s) URL, relative ones resolved against the page; anything else (javascript:, data:) → undefined. */
export function safeHttpBase(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return /^https?:$/.test(new URL(value, document.baseURI).protocol) ? value : undefined;
  } catch {
    return undefined;
  }
}
