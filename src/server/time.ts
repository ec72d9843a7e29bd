// Timestamps of the open API: `createdAt`/`updatedAt` as `yyyy-MM-dd HH:mm:ss` in the configured
// time zone; `expireAt`, `expiresAt`, `vipExpireDate` as ISO 8601 with offset.

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(date: Date, tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(date)) out[p.type] = p.value;
  return {
    year: out.year ?? '0000',
    month: out.month ?? '01',
    day: out.day ?? '01',
    hour: out.hour === '24' ? '00' : (out.hour ?? '00'),
    minute: out.minute ?? '00',
    second: out.second ?? '00',
  };
}

// Intl's formatToParts costs ~15 µs a call and a shop view formats a dozen instants, mostly the
// same ones again and again (rows change rarely): results are memoised per (kind, zone, instant).
const MEMO_MAX = 20_000;
const memo = new Map<string, string>();
function memoised(kind: string, date: Date, tz: string, format: (date: Date, tz: string) => string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return format(date, tz);
  const key = `${kind}|${tz}|${ms}`;
  let v = memo.get(key);
  if (v === undefined) {
    v = format(date, tz);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, v);
  }
  return v;
}

/** `yyyy-MM-dd HH:mm:ss` in time zone `tz`. */
export function formatTimestamp(date: Date, tz: string): string {
  return memoised('ts', date, tz, formatTimestampUncached);
}

function formatTimestampUncached(date: Date, tz: string): string {
  const p = partsIn(date, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** ISO 8601 with the offset of `tz` at that instant, e.g. `2027-09-10T23:59:59+08:00`. */
export function formatIsoWithOffset(date: Date, tz: string): string {
  return memoised('iso', date, tz, formatIsoUncached);
}

function formatIsoUncached(date: Date, tz: string): string {
  const p = partsIn(date, tz);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offsetMin = Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const oh = String(Math.floor(abs / 60)).padStart(2, '0');
  const om = String(abs % 60).padStart(2, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${sign}${oh}:${om}`;
}

/** Stored form of an instant: UTC ISO string (sorts and compares as text on SQLite and PostgreSQL). */
export function toDbTime(date: Date): string {
  return date.toISOString();
}

export function fromDbTime(value: string): Date {
  return new Date(value);
}

/** Formats a stored instant (or null) as ISO with offset. */
export function isoOrNull(value: string | null | undefined, tz: string): string | null {
  return value ? formatIsoWithOffset(fromDbTime(value), tz) : null;
}
