import { z } from 'zod';

/** A shop's business uid, chosen by the integrating system. */
export const shopUidSchema = z.string().trim().min(1).max(128);

/** ISO 8601 date-time with a `Z` or `±hh:mm` offset, e.g. `2027-09-10T23:59:59+08:00`. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/** Seat number: 1..128 characters, unique per organisation among live seats. */
export const seatNoSchema = z.string().trim().min(1).max(128);

export const uidSchema = z.string().trim().min(1).max(128);

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
