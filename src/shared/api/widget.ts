import { z } from 'zod';
import { shopUidSchema } from './common.ts';
import { envelope } from './envelope.ts';

export const widgetConfigQuerySchema = z.object({ shopUid: shopUidSchema });

/** Public widget configuration of a shop: nothing secret, no mobile number. */
export const widgetConfigSchema = z.object({
  org: z.string(),
  sid: z.string(),
  t: z.literal(1),
  chatUrl: z.string(),
  /** Bytedesk API base of the chat (the launcher's unread count). */
  apiUrl: z.string(),
  goodsDetailPath: z.string(),
  orderDetailPath: z.string(),
  shop: z.object({ name: z.string(), logo: z.string().nullable() }),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;
export const widgetConfigResponseSchema = envelope(widgetConfigSchema);
