import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { healthResponseSchema } from '../../shared/api/index.ts';
import { pingDatabase } from '../db/index.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../db/types.ts';
import { ApiError } from '../errors.ts';
import { SET_TOKEN_HINT, type UpstreamCredential } from '../open-api/upstream/credential.ts';
import { errorResponses } from './common.ts';

export interface HealthRoutesOptions {
  db: Kysely<Database>;
  /** Upstream mode: this server's upstream credential, which must be usable. */
  upstreamCredential?: Pick<UpstreamCredential, 'status'> | undefined;
}

/** `/healthz` (process up) and `/readyz` (database answers; in upstream mode, the credential is usable). */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async (app, deps) => {
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
      const upstream = await deps.upstreamCredential?.status();
      if (upstream && upstream.status !== 'ACTIVE') {
        const why = upstream.status === 'MISSING' ? 'no upstream credential is stored' : 'upstream refused this server’s credential';
        throw new ApiError(503, `${why}: it needs a new token (${SET_TOKEN_HINT})`, { status: 'unavailable' });
      }
      return { message: 'success', code: 200, data: { status: 'ok' as const } };
    },
  );
};
