// Every visible string of the widget, in zh-CN (default) and en. Kept tiny on purpose.

const zh = {
  open: '在线客服',
  close: '关闭',
  unread: '条未读',
  chat: '客服会话',
  goods: '商品',
  order: '订单',
  quantity: '数量',
  total: '合计',
  payment: '支付方式',
  time: '下单时间',
  receiver: '收货人',
  offShelf: '已下架',
  invalid: '无法显示该卡片',
  unavailable: '客服暂不可用',
  loading: '正在连接客服…',
  slow: '客服页面没有加载出来。',
  newTab: '在新标签页打开',
};

export type Messages = typeof zh;
export type Lang = 'zh-CN' | 'en';

const en: Messages = {
  open: 'Chat with us',
  close: 'Close',
  unread: 'unread',
  chat: 'Customer service chat',
  goods: 'Product',
  order: 'Order',
  quantity: 'Qty',
  total: 'Total',
  payment: 'Payment',
  time: 'Ordered',
  receiver: 'Recipient',
  offShelf: 'Off shelf',
  invalid: 'This card cannot be shown',
  unavailable: 'Chat unavailable',
  loading: 'Connecting to customer service…',
  slow: 'The chat page did not load.',
  newTab: 'Open it in a new tab',
};

/** The element's `lang`, else the page's `<html lang>`; `en*` → en, anything else → zh-CN. */
export function resolveLang(lang?: string | null): Lang {
  const l = (lang || document.documentElement.lang || '').toLowerCase();
  return l.startsWith('en') ? 'en' : 'zh-CN';
}

export function messages(lang: Lang): Messages {
  return lang === 'en' ? en : zh;
}
