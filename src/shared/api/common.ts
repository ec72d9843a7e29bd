import { z } from 'zod';
import { HTTP_URL_RE, NO_NUL_RE, NUL_MESSAGE } from '../rules.ts';

/**
 * The text primitive of every request field (these API schemas, the store API and the card field
 * table): at most `max` characters (counted after trimming when `trim`), never U+0000.
 */
export function text(max: number, o: { trim?: boolean; min?: number; type?: string; long?: string } = {}) {
  let s = z.string(o.type ? { error: o.type } : undefined);
  if (o.trim) s = s.trim();
  if (o.min !== undefined) s = s.min(o.min);
  return s.max(max, o.long).regex(NO_NUL_RE, NUL_MESSAGE);
}

/** An absolute http(s) URL that `URL` also parses (the regex alone let `http://[` through). */
export const httpUrlSchema = (max: number) =>
  text(max, { trim: true })
    .regex(HTTP_URL_RE, 'must be an http(s) URL')
    .refine((v) => URL.canParse(v), 'must be an http(s) URL');

/** A name shown to shoppers: plain text (no markup, no control characters), 1..`max` characters. */
export const plainNameSchema = (max: number) =>
  text(max, { trim: true, min: 1 }).regex(/^[^<>\u0000-\u001f\u007f]*$/, 'must be plain text (no <, > or control characters)');

/** A shop's business uid, chosen by the integrating system. */
export const shopUidSchema = text(128, { trim: true, min: 1 });

// Offsets that exist on Earth (UTC-12:00 … UTC+14:00; minutes 00, 30 or 45), years 1970 … 9999.
const REAL_OFFSET_RE = /(?:Z|-(?:0\d|1[0-2]):(?:00|30|45)|\+(?:0\d|1[0-3]):(?:00|30|45)|\+14:00)$/i;
const MIN_INSTANT = Date.UTC(1970, 0, 1);
const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * ISO 8601 date-time with a `Z` or `±hh:mm` offset, e.g. `2027-09-10T23:59:59+08:00`, between 1970
 * and 9999 with a real offset: `0000-01-01T00:00:00+23:59` came back as a date no one can read.
 */
export const isoDateTimeSchema = z.iso
  .datetime({ offset: true })
  .regex(REAL_OFFSET_RE, 'offset must be Z or between -12:00 and +14:00')
  .refine((v) => {
    const t = Date.parse(v);
    return t >= MIN_INSTANT && t <= MAX_INSTANT;
  }, 'must be between 1970 and 9999');

/** Seat number: 1..128 characters, unique per organisation among live seats. */
export const seatNoSchema = text(128, { trim: true, min: 1 });

export const uidSchema = text(128, { trim: true, min: 1 });

/** The fields every Bytedesk entity starts with (seat, shop, API token), in the seed's order. */
export const baseEntityShape = {
  uid: z.string(),
  userUid: z.string().nullable(),
  orgUid: z.string(),
  level: z.string().nullable(),
  platform: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
};
