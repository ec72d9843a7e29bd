import { property } from 'lit/decorators.js';
import { parseGoodsInfo, resolveNavigatePath, type GoodsInfo, type GoodsInfoInput } from '../../shared/index.ts';
import { ShopChatCardBase, renderGoods, type CardContext } from './card-base.ts';

/**
 * A product card (`goodsInfo` of the Bytedesk chat page). Activating it (click, Enter, Space) fires a
 * cancelable `shop-chat-card-click`; unless cancelled, inside a WeChat mini-program web-view it calls
 * `wx.miniProgram.navigateTo` (falling back to `switchTab`), elsewhere it opens the product's http(s) `url`.
 *
 * @tag shop-chat-goods-card
 *
 * @fires shop-chat-card-click - Cancelable. Detail `{ kind: 'goods', info, path }`.
 * @fires shop-chat-error - `info` is invalid, or `wx.miniProgram` is missing in a web-view. Detail `{ reason, message }`.
 *
 * @csspart card - The card (role link, focusable); also the empty state for invalid data.
 * @csspart goods - The product row.
 * @csspart image - The product image.
 * @csspart title - The product title.
 * @csspart description - The description (clamped to two lines).
 * @csspart price - The price.
 * @csspart quantity - The quantity.
 * @csspart off-shelf - The "off shelf" marker.
 * @csspart tags - The tag list.
 * @csspart tag - One tag.
 *
 * @cssprop --shop-chat-color-primary - Accent colour.
 * @cssprop --shop-chat-color-bg - Card background.
 * @cssprop --shop-chat-color-text - Text colour.
 * @cssprop --shop-chat-color-muted - Secondary text colour.
 * @cssprop --shop-chat-color-border - Border and tag colour.
 * @cssprop --shop-chat-color-price - Price colour.
 * @cssprop --shop-chat-color-focus - Focus ring colour.
 * @cssprop --shop-chat-radius - Corner radius.
 * @cssprop --shop-chat-font-family - Font family.
 * @cssprop --shop-chat-card-max-width - Card maximum width (default 360px).
 * @cssprop --shop-chat-card-image-size - Image size (default 72px).
 */
export class ShopChatGoodsCard extends ShopChatCardBase<GoodsInfo> {
  /** The product: a `GoodsInfo` object, or JSON in the `info` attribute. */
  declare info?: GoodsInfoInput | GoodsInfo | string | null;
  /** Server default mini-program path when the product has no `navigateToPath`. */
  @property({ attribute: 'goods-detail-path' }) goodsDetailPath?: string;

  protected readonly kind = 'goods' as const;

  protected parse(input: unknown) {
    return parseGoodsInfo(input);
  }

  protected path(info: GoodsInfo): string {
    return resolveNavigatePath('goods', info, { goodsDetailPath: this.goodsDetailPath });
  }

  protected renderInfo(g: GoodsInfo, c: CardContext): Node {
    return renderGoods(g, c);
  }
}
