import { property } from 'lit/decorators.js';
import { orderGoods, parseOrderInfo, resolveNavigatePath, type OrderInfo, type OrderInfoInput } from '../../shared/index.ts';
import { el } from '../dom.ts';
import { ShopChatCardBase, renderGoods, type CardContext } from './card-base.ts';

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

  protected renderInfo(o: OrderInfo, c: CardContext): Node {
    const { m } = c;
    // Label and value stay separate text nodes, as they were in a template: the text shapes the same.
    const line = (part: string | null, cls: string, ...content: (string | Node)[]) => {
      const e = el('span', part, cls);
      e.append(...content);
      return e;
    };
    const header = el('div', 'header', 'header');
    header.append(line('order-uid', 'title', m.order, ' ', o.uid));
    const status = o.statusText || o.status;
    if (status) header.append(el('span', 'status', 'status', status));
    const content = document.createDocumentFragment();
    content.append(header, ...orderGoods(o).map((g) => renderGoods(g, c, true)));
    const total = c.money(o.totalAmount);
    if (total) content.append(line(null, 'field', m.total, ': ', el('span', 'total', 'total', total)));
    for (const [part, label, value] of [
      ['payment', m.payment, o.paymentMethod],
      ['time', m.time, o.time],
      ['receiver', m.receiver, o.shippingAddress?.name],
    ] as const) {
      if (value) content.append(line(part, 'field', label, ': ', value));
    }
    return content;
  }
}
