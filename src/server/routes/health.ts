import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { healthResponseSchema } from '../../shared/api/index.ts';
import { pingDatabase } from '../db/index.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../db/types.ts';
import { ApiError } from '../errors.ts';
import { errorResponses } from './common.ts';

/** `/healthz` (process up) and `/readyz` (database answers). */
export const healthRoutes: FastifyPluginAsyncZod<{ db: Kysely<Database> }> = async (app, deps) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Process is up', response: { 200: healthResponseSchema } } },
    async () => ({ message: 'success', code: 200, data: { status: 'ok' as const } }),
  );
  app.get(
    '/readyz',
    {
      schema: { tags: ['health'], summary: 'Database answers', response: { 200: healthResponseSchema, ...errorResponses } },
    },
    async () => {
      if (!(await pingDatabase(deps.db))) throw new ApiError(503, 'database unavailable', { status: 'unavailable' });
      return { message: 'success', code: 200, data: { status: 'ok' as const } };
    },
  );
};
