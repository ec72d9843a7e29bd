// Demo catalogue of the shop the server onboards on first start (SHOP_CHAT_DEMO_SHOP, default demo_shop).
// Images are served next to this file, so card URLs are absolute http(s) URLs as the schema requires.
export const SHOP_UID = 'demo_shop';
const img = (name) => new URL(`./img/${name}.svg`, import.meta.url).href;

export const products = [
  {
    uid: 'goods_demo_001', type: 'GOODS', shopUid: SHOP_UID, title: '云朵记忆棉枕头',
    description: '慢回弹记忆棉,贴合颈椎曲线,可拆洗外套,适合侧睡和仰睡。', price: 99, quantity: 1,
    image: img('pillow'), status: 'ON_SHELF', tagList: ['新品', '包邮'], url: 'https://example.com/goods/1',
    // Its own mini-program page: rule 1 of resolveNavigatePath.
    navigateToPath: '/pages/goods/detail/index?type=goods&goodsUid=goods_demo_001&shopUid=demo_shop',
  },
  {
    uid: 'goods_demo_002', type: 'GOODS', shopUid: SHOP_UID, title: '手冲咖啡壶 600ml',
    description: '304 不锈钢细口壶,温控刻度,电磁炉可用。', price: '159.00', quantity: 1,
    image: img('kettle'), status: 'ON_SHELF', tagList: ['热卖'], url: 'https://example.com/goods/2',
  },
  {
    uid: 'goods_demo_003', type: 'GOODS', shopUid: SHOP_UID, title: 'Organic Cotton Tee',
    description: 'Soft 200 g organic cotton, relaxed fit. Limited colours.', price: 129, quantity: 1,
    image: img('tee'), status: 'OFF_SHELF', tagList: ['Organic'], url: 'https://example.com/goods/3',
  },
];

export const orders = [
  {
    uid: 'order_demo_001', type: 'ORDER', visitorUid: 'visitor_demo_001', shopUid: SHOP_UID,
    time: '2026-03-11 10:30:00', status: 'paid', statusText: '待发货', totalAmount: 258,
    paymentMethod: '支付宝',
    // The card shows the recipient's name only; phone and street address never reach the screen.
    shippingAddress: { name: '王小明', phone: '13800000000', address: '上海市浦东新区世纪大道 100 号' },
    navigateToPath: '/pages/order/detail/index?type=order&orderUid=order_demo_001&shopUid=demo_shop',
    goods: [
      { uid: 'goods_demo_001', title: '云朵记忆棉枕头', price: 99, quantity: 1, image: img('pillow'), shopUid: SHOP_UID },
      { uid: 'goods_demo_002', title: '手冲咖啡壶 600ml', price: 159, quantity: 1, image: img('kettle'), shopUid: SHOP_UID },
    ],
  },
];
