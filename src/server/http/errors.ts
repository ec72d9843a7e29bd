// Every error answer in the envelope `{ message, code, data }` with the HTTP status equal to `code`:
// our ApiErrors, validation failures (400, the first problem named), Fastify's own 4xx, 503 with
// Retry-After when the database is unreachable, timed out or busy, and 500 without internal
// detail. Unknown routes are a 404 envelope. Every answer carries its request id.
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, databaseUnavailable, isDatabaseUnavailable } from '../errors.ts';

function validationMessage(err: FastifyError & { validation: Array<{ instancePath: string; keyword: string; message?: string }> }): string {
  const v = err.validation[0]!;
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || context;
  let message = v.message ?? 'invalid';
  if (v.keyword === 'invalid_type' && /received undefined/.test(message)) message = 'Required';
  return `${field}: ${message}`;
}

/** An http-errors 4xx (what @fastify/send throws): `expose` marks it as safe to show the client. */
function isClientHttpError(err: unknown): err is { statusCode: number } {
  const e = err as { statusCode?: unknown; expose?: unknown } | null;
  return !!e && e.expose === true && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500;
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode (`FST_ERR_BAD_URL`, e.g. `/widget/%`) is
 * answered before routing, so outside the error handler: here it gets the envelope too.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const message = err.code === 'FST_ERR_BAD_URL' ? 'url: not a valid URL (bad percent-encoding)' : err.message;
  request.log.debug({ code, reason: message }, 'request rejected'); // the request line (info) has the status
  void reply.code(code).send({ message, code, data: null });
}

export const errorsPlugin = fp(
  async (app) => {
    app.addHook('onSend', (request, reply, payload, done) => {
      reply.header('x-request-id', request.id);
      done(null, payload);
    });

    app.setErrorHandler((err: FastifyError, request, reply) => {
      let code: number;
      let message: string;
      let data: unknown = null;
      const thrown: unknown = err;
      if (thrown instanceof ApiError) {
        code = thrown.code;
        message = thrown.message;
        data = thrown.data ?? null;
        for (const [k, v] of Object.entries(thrown.headers)) reply.header(k, v);
      } else if (hasZodFastifySchemaValidationErrors(err)) {
        code = 400;
        message = validationMessage(err);
      } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        code = 413;
        message = 'body: larger than 1 MB';
      } else if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        code = 400;
        message = 'body: malformed JSON';
      } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        code = 400;
        message = 'body: Required (empty JSON body)';
      } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        code = 415;
        message = 'content-type: unsupported media type, use application/json';
      } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 && err.code?.startsWith('FST_')) {
        code = err.statusCode;
        message = err.message;
      } else if (isClientHttpError(err)) {
        // @fastify/static (send) refusing a path: `..` above the root is 403, a NUL byte 400.
        code = err.statusCode;
        message = code === 403 ? 'path: outside the served folder' : code === 404 ? 'Not found' : 'path: not a servable file name';
      } else if (err.statusCode === 429) {
        code = 429;
        message = 'rate limit exceeded';
      } else if (isDatabaseUnavailable(err)) {
        // Unreachable, timed out or busy: not this request's fault, and worth retrying.
        const unavailable = databaseUnavailable();
        code = unavailable.code;
        message = unavailable.message;
        for (const [k, v] of Object.entries(unavailable.headers)) reply.header(k, v);
      } else {
        code = 500;
        message = 'Internal Server Error';
      }
      if (code === 503) {
        request.log.warn({ err: (err as Error).message, reqId: request.id }, 'database unavailable');
      } else if (code >= 500) {
        request.log.error({ err, reqId: request.id }, 'request failed');
        if (code === 500) data = null;
      } else {
        // The request line (info) has the status; the reason is detail.
        request.log.debug({ code, reason: message }, 'request rejected');
      }
      return reply.code(code).send({ message, code, data });
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0];
      return reply.code(404).send({ message: `Route ${request.method} ${path} not found`, code: 404, data: null });
    });
  },
  { name: 'shop-chat-errors' },
) as FastifyPluginAsync;
