export * from './url-entry.ts';
export { parseChatParams } from './parse.ts';
export type { ChatParams } from './parse.ts';
export { parseGoodsInfo, parseOrderInfo, orderGoods } from './cards.ts';
export type {
  GoodsInfo,
  OrderInfo,
  ShippingAddress,
  GoodsInfoInput,
  OrderInfoInput,
  CardKind,
  ParseResult,
} from './cards.ts';
export { formatMoney } from './format.ts';
export { LIMITS, DEFAULT_MAX_URL_LENGTH } from './rules.ts';
