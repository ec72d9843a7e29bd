import { navigation } from '../../src/widget/index.ts';

export const CHAT = '/test/browser/fixtures/chat.html';

export const goods = {
  uid: 'goods_demo_001',
  type: 'GOODS',
  shopUid: 'shop_demo_005',
  title: '演示商品',
  description: '商品描述',
  price: 99,
  image: 'https://example.com/goods.png',
  url: 'https://example.com/goods/1',
  quantity: 1,
  tagList: ['新品', '包邮'],
  navigateToPath: '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=shop_demo_005',
};

export const order = {
  uid: 'order_demo_001',
  type: 'ORDER',
  visitorUid: 'visitor_demo_001',
  shopUid: 'shop_demo_005',
  time: '2026-03-11 10:30:00',
  status: 'paid',
  statusText: '待发货',
  totalAmount: 99,
  paymentMethod: '支付宝',
  navigateToPath: '/pages/order/detail/index?type=order&orderUid=order_demo_001&shopUid=shop_demo_005',
  shippingAddress: { name: '张三', phone: '13800138000', address: '上海市浦东新区XX路1号' },
  goods: {
    uid: 'goods_demo_001',
    title: '演示商品',
    shopUid: 'shop_demo_005',
    price: 99,
    quantity: 1,
    navigateToPath: '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=shop_demo_005',
  },
};

export type WxCall = [method: 'navigateTo' | 'switchTab', url: string];

/** Pretend to be inside a WeChat mini-program web-view with a recording wx.miniProgram. */
export function stubMiniProgram(options: { navigateFails?: boolean; wx?: boolean } = {}): WxCall[] {
  const calls: WxCall[] = [];
  window.__wxjs_environment = 'miniprogram';
  if (options.wx !== false) {
    window.wx = {
      miniProgram: {
        navigateTo({ url, fail }) {
          calls.push(['navigateTo', url]);
          if (options.navigateFails) fail?.({ errMsg: 'navigateTo:fail can not navigateTo a tabbar page' });
        },
        switchTab({ url }) {
          calls.push(['switchTab', url]);
        },
      },
    };
  }
  return calls;
}

const original = { ...navigation };

/** Record page navigations instead of performing them. */
export function recordNavigation(): { opened: string[]; assigned: string[] } {
  const rec = { opened: [] as string[], assigned: [] as string[] };
  navigation.open = (url) => void rec.opened.push(url);
  navigation.assign = (url) => void rec.assigned.push(url);
  return rec;
}

export function restoreEnvironment(): void {
  Object.assign(navigation, original);
  delete window.wx;
  delete window.__wxjs_environment;
  delete (navigator as { userAgent?: string }).userAgent; // removes an own-property override, if any
  delete (window as { __xss?: unknown }).__xss;
  document.documentElement.lang = '';
}

/** A recorded mini-program call with its `payload` query taken apart: [method, path without payload, card]. */
export function withoutPayload([method, url]: WxCall): [string, string, unknown] {
  const m = /[?&]payload=([^&#]*)/.exec(url);
  const path = m ? url.slice(0, m.index) + url.slice(m.index + m[0].length).replace(/^&/, m[0][0] === '?' ? '?' : '&') : url;
  return [method, path, m ? JSON.parse(decodeURIComponent(m[1]!)) : undefined];
}
