import { z } from 'zod';
import { isoDateTimeSchema, seatNoSchema, shopUidSchema } from './common.ts';
import { envelope } from './envelope.ts';
import { pageRequestFields, springPage } from './page.ts';
import { agentSeatSchema } from './shop.ts';

const seatNoListFields = {
  seatNoList: z.array(seatNoSchema).min(1).max(500).optional(),
  /** Kept for compatibility: a single seat number. */
  seatNo: seatNoSchema.optional(),
};
const requireSeatNo = <T extends { seatNoList?: string[] | undefined; seatNo?: string | undefined }>(b: T) =>
  (b.seatNoList !== undefined && b.seatNoList.length > 0) || b.seatNo !== undefined;
const requireSeatNoIssue = { message: 'Required (seatNoList or seatNo)', path: ['seatNoList'] };

export const seatQueryRequestSchema = z.object({ shopUid: shopUidSchema, ...pageRequestFields });
export const seatPageResponseSchema = envelope(springPage(agentSeatSchema));

export const seatDetailQuerySchema = z.object({ shopUid: shopUidSchema, seatNo: seatNoSchema });
export const seatResponseSchema = envelope(agentSeatSchema);

export const seatCreateRequestSchema = z
  .object({ shopUid: shopUidSchema, ...seatNoListFields, expireAt: isoDateTimeSchema })
  .refine(requireSeatNo, requireSeatNoIssue);
export type SeatCreateRequest = z.infer<typeof seatCreateRequestSchema>;

export const seatUpdateRequestSchema = seatCreateRequestSchema;
export type SeatUpdateRequest = SeatCreateRequest;

export const seatDeleteRequestSchema = z
  .object({ shopUid: shopUidSchema, ...seatNoListFields })
  .refine(requireSeatNo, requireSeatNoIssue);
export type SeatDeleteRequest = z.infer<typeof seatDeleteRequestSchema>;

export const seatListResponseSchema = envelope(z.array(agentSeatSchema));
export const booleanResponseSchema = envelope(z.boolean());
