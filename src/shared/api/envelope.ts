import { z } from 'zod';

/** `{ message, code, data }` — the envelope of every JSON response of the open API. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    message: z.string(),
    code: z.number().int(),
    data,
  });
}

/** Error envelope: HTTP status equals `code`, `data` is null unless the error carries details. */
export const errorEnvelopeSchema = z.object({
  message: z.string(),
  code: z.number().int(),
  data: z.unknown().nullable(),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
