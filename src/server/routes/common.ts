import { errorEnvelopeSchema } from '../../shared/api/envelope.ts';

/** Error responses documented (and serialized) on every route. */
export const errorResponses = {
  '4xx': errorEnvelopeSchema.describe('Error envelope; HTTP status equals code'),
  '5xx': errorEnvelopeSchema.describe('Error envelope; no internal detail'),
} as const;

export const OPEN_API_PREFIX = '/api/v1/shop/open';
export const WIDGET_API_PREFIX = '/api/v1/shop/widget';
