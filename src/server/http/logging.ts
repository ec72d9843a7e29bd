// The server's one pino logger, made from the config (compose.ts) and shared by Fastify, the store
// code and the sweep. Tokens and secrets are redacted wherever they appear in a log object, and the
// values of sensitive query parameters are cut out of logged URLs.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config.ts';

/** Log redaction: authorization header, tokens and secrets, wherever they appear in a log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'accessToken',
  'refreshToken',
  'token',
  'secret',
  'apiKey',
  'apiSecret',
  'password',
  'body',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.apiSecret',
  '*.password',
  '*.clientSecret',
  '*.body',
];

const SENSITIVE_QUERY = /^(code|token|access_?token|refresh_?token|secret|client_?secret|api_?key|api_?secret|state|sign|signature)$/i;

/** Request URL with the values of sensitive query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        /* keep raw */
      }
      return eq >= 0 && SENSITIVE_QUERY.test(name) ? `${key}=[REDACTED]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** The logger of a server: level from the config, stdout unless `stream` is given (tests capture it). */
export function createLogger(config: Pick<Config, 'logLevel'>, stream?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
      }),
    },
  };
  if (stream) return pino(options, stream);
  // A terminal gets readable lines (pino-pretty, in this thread: no worker); anything else JSON.
  if (process.stdout.isTTY) return pino(options, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,reqId,req,res,responseTime' }));
  return pino(options);
}

/**
 * One line per request at info, when it is answered: method, URL (sensitive query values cut),
 * status and time. Fastify's own pair ("incoming request", "request completed") is off (app.ts).
 */
export const requestLogPlugin = fp(
  async (app) => {
    app.addHook('onResponse', (request, reply, done) => {
      const ms = reply.elapsedTime;
      request.log.info(
        { req: request, res: { statusCode: reply.statusCode }, responseTime: ms },
        `${request.method} ${redactUrl(request.url)} ${reply.statusCode} ${ms.toFixed(1)} ms`,
      );
      done();
    });
  },
  { name: 'shop-chat-request-log' },
) as FastifyPluginAsync;
