// <shop-chat-button>: a mini-program custom component that opens the chat page with the shop,
// the product or order and the visitor (`wx.navigateTo`). The page builds the <web-view src>.
import { DEFAULT_CHAT_PAGE, chatPageUrl, type ChatVisitor } from '../index.ts';

Component({
  options: { styleIsolation: 'isolated' },
  externalClasses: ['custom-class'],
  properties: {
    /** Shop uid (the chat page may fetch its org/sid from the shop-chat server). */
    shopUid: { type: String, value: '' },
    /** The product (a GoodsInfo object). */
    goods: { type: Object, optionalTypes: [null], value: null as object | null },
    /** The order (an OrderInfo object). */
    order: { type: Object, optionalTypes: [null], value: null as object | null },
    /** The visitor: visitorUid, nickname, avatar, mobile, email, note, vipLevel. */
    visitor: { type: Object, optionalTypes: [null], value: null as ChatVisitor | null },
    /** The chat page, registered in app.json. */
    page: { type: String, value: DEFAULT_CHAT_PAGE },
    /** Button text. */
    label: { type: String, value: '联系客服' },
  },
  methods: {
    onTap() {
      const { shopUid, goods, order, visitor, page } = this.data;
      const url = chatPageUrl(page, { shopUid, goodsInfo: goods, orderInfo: order, visitor });
      this.triggerEvent('open', { url });
      wx.navigateTo({
        url,
        fail: (err) => this.triggerEvent('error', { message: err.errMsg, url }),
      });
    },
  },
});
