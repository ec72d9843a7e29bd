// Request loggers made on first use. Fastify gives every request a pino child logger bound to its
// request id; with redaction configured pino runs each binding through the redacting serializer,
// ~2 µs and several objects per request, although most requests at the default levels log nothing
// (`incoming request` / `request completed` are info). This factory hands out a stand-in that
// checks the level and creates the real child (same bindings, same options, so the same output and
// the same redaction) only when a line is actually written.
import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Bindings = Record<string, unknown>;
type ChildOptions = Record<string, unknown>;
interface PinoLike extends FastifyBaseLogger {
  isLevelEnabled(level: string): boolean;
}

class LazyChildLogger {
  #parent: PinoLike;
  #bindings: Bindings;
  #options: ChildOptions;
  #real: FastifyBaseLogger | undefined;

  constructor(parent: PinoLike, bindings: Bindings, options: ChildOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #child(): FastifyBaseLogger {
    return (this.#real ??= this.#parent.child(this.#bindings, this.#options));
  }

  #log(level: Level, args: unknown[]): void {
    if (this.#parent.isLevelEnabled(level)) (this.#child()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.#real?.level ?? this.#parent.level;
  }
  set level(value: string) {
    this.#child().level = value;
  }
  isLevelEnabled(level: string): boolean {
    return this.#real ? (this.#real as PinoLike).isLevelEnabled(level) : this.#parent.isLevelEnabled(level);
  }
  bindings(): Bindings {
    return { ...(this.#parent as unknown as { bindings(): Bindings }).bindings(), ...this.#bindings };
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#child().child(bindings, options);
  }
}

/** Fastify `childLoggerFactory`: a lazy child, or the real one when the route changes level or serializers. */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: object): FastifyBaseLogger {
  const parent = logger as PinoLike;
  if (typeof parent.isLevelEnabled !== 'function') return logger.child(bindings, options);
  for (const _ in options) return logger.child(bindings, options); // a route's own level or serializers
  return new LazyChildLogger(parent, bindings, options as ChildOptions) as unknown as FastifyBaseLogger;
}
