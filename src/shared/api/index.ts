export * from './common.ts';
export * from './envelope.ts';
export * from './page.ts';
export * from './shop.ts';
export * from './seat.ts';
export * from './token.ts';
export * from './widget.ts';
export * from './health.ts';
