import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { orderGoods, parseOrderInfo, resolveNavigatePath, type OrderInfo, type OrderInfoInput } from '../../shared/index.ts';
import { ShopChatCardBase, cachedRow, renderGoods, type CardContext } from './card-base.ts';
import type { Messages } from '../i18n.ts';

/**
 * An order card (`orderInfo` of the Bytedesk chat page): order number, status, nested goods, total,
 * payment method, time and the recipient's name. The phone number and street address are never
 * rendered. Activating it fires a cancelable `shop-chat-card-click`; unless cancelled, inside a
 * WeChat mini-program web-view it calls `wx.miniProgram.navigateTo` (falling back to `switchTab`).
 *
 * @tag shop-chat-order-card
 *
 * @fires shop-chat-card-click - Cancelable. Detail `{ kind: 'order', info, path }`.
 * @fires shop-chat-error - `info` is invalid, or `wx.miniProgram` is missing in a web-view. Detail `{ reason, message }`.
 *
 * @csspart card - The card (role link, focusable); also the empty state for invalid data.
 * @csspart header - Order number and status.
 * @csspart order-uid - The order number.
 * @csspart status - The status (`statusText`, else `status`).
 * @csspart goods - One product row.
 * @csspart image - A product image.
 * @csspart title - A product title.
 * @csspart price - A product price.
 * @csspart quantity - A product quantity.
 * @csspart total - The total amount.
 * @csspart payment - The payment method.
 * @csspart time - The order time.
 * @csspart receiver - The recipient's name.
 *
 * @cssprop --shop-chat-color-primary - Status colour.
 * @cssprop --shop-chat-color-bg - Card background.
 * @cssprop --shop-chat-color-text - Text colour.
 * @cssprop --shop-chat-color-muted - Secondary text colour.
 * @cssprop --shop-chat-color-border - Border colour.
 * @cssprop --shop-chat-color-price - Amount colour.
 * @cssprop --shop-chat-color-focus - Focus ring colour.
 * @cssprop --shop-chat-radius - Corner radius.
 * @cssprop --shop-chat-font-family - Font family.
 * @cssprop --shop-chat-card-max-width - Card maximum width (default 360px).
 */
export class ShopChatOrderCard extends ShopChatCardBase<OrderInfo> {
  /** The order: an `OrderInfo` object, or JSON in the `info` attribute. */
  declare info?: OrderInfoInput | OrderInfo | string | null;
  /** Server default mini-program path when the order has no `navigateToPath`. */
  @property({ attribute: 'order-detail-path' }) orderDetailPath?: string;

  protected readonly kind = 'order' as const;

  protected parse(input: unknown) {
    return parseOrderInfo(input);
  }

  protected path(info: OrderInfo): string {
    return resolveNavigatePath('order', info, { orderDetailPath: this.orderDetailPath });
  }

  private _rows: { row?: { value: OrderInfo; m: Messages; node: unknown } } = {};

  protected renderInfo(o: OrderInfo, c: CardContext) {
    const { m } = c;
    const status = o.statusText || o.status;
    const total = c.money(o.totalAmount);
    const field = (part: string, label: string, value: string | undefined) =>
      value ? html`<span part=${part} class="field">${label}: ${value}</span>` : nothing;
    return html`<div part="header" class="header">
        <span part="order-uid" class="title">${m.order} ${o.uid}</span>
        ${status ? html`<span part="status" class="status">${status}</span>` : nothing}
      </div>
      ${cachedRow(this._rows, o, c.m, () => orderGoods(o).map((g) => renderGoods(g, c, true)))}
      ${total ? html`<span class="field">${m.total}: <span part="total" class="total">${total}</span></span>` : nothing}
      ${field('payment', m.payment, o.paymentMethod)} ${field('time', m.time, o.time)}
      ${field('receiver', m.receiver, o.shippingAddress?.name)}`;
  }
}
