import { errorEnvelopeSchema } from '../../shared/api/envelope.ts';
import type { Auth } from '../auth.ts';
import { ApiError } from '../errors.ts';
import type { OpenApiBackend, ShopRef } from '../open-api/backend.ts';

/** Error responses documented (and serialized) on every route. */
export const errorResponses = {
  '4xx': errorEnvelopeSchema.describe('Error envelope; HTTP status equals code'),
  '5xx': errorEnvelopeSchema.describe('Error envelope; no internal detail'),
} as const;

export const OPEN_API_PREFIX = '/api/v1/shop/open';
export const WIDGET_API_PREFIX = '/api/v1/shop/widget';

/** What the open-API route plugins are given (compose.ts builds them). */
export interface OpenApiRoutesOptions {
  auth: Auth;
  openApi: OpenApiBackend;
}

/** The shop `shopUid` of the open API's backend; unknown is a 404. */
export async function shopOr404<S extends ShopRef>(openApi: OpenApiBackend<S>, shopUid: string): Promise<S> {
  const shop = await openApi.findShop(shopUid);
  if (!shop) throw new ApiError(404, `shop not found: ${shopUid}`);
  return shop;
}
