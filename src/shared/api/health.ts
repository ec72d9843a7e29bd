import { z } from 'zod';
import { envelope } from './envelope.ts';

export const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']) });
export const healthResponseSchema = envelope(healthSchema);
