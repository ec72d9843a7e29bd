// The OpenAPI identity of every operation, in one table the OpenAPI plugin (openapi.ts) applies to
// the generated document: operationId, the description (from the seed: seeds/000 for the shop open
// API, seeds/004 for the store authorisation) and the name of its 200 response. The summaries stay
// with the routes. A route missing here fails the lint in `npm test` (no operationId).

export interface OperationDoc {
  operationId: string;
  description: string;
  /** Description of the 200 response. */
  ok: string;
}

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /healthz': { operationId: 'getHealth', description: 'Liveness: the process answers. No database call.', ok: 'The process is up' },
  'GET /readyz': { operationId: 'getReadiness', description: 'Readiness: the database answers a query; 503 when it does not.', ok: 'The database answers' },

  // seeds/000 1) 通过手机号+店铺信息对接
  'POST /api/v1/shop/open/onboard': {
    operationId: 'onboardShop',
    description:
      '通过手机号+店铺信息对接 (onboard by mobile and shop). country is optional (86 by default). An unregistered mobile registers a user, creates an organisation and the shop; a new shop gets one basic agent seat. An existing shopUid reuses its organisation and updates the shop name/logo.',
    ok: 'The user, the organisation and its shop list with their agent seats',
  },
  // 2) 通过店铺 uid 查询绑定信息
  'GET /api/v1/shop/open/binding': {
    operationId: 'getShopBinding',
    description: '通过店铺 uid 查询绑定信息 (binding by shop uid): the organisation, workgroups, agents and agent seats bound to the shop.',
    ok: "The shop's binding",
  },
  // 3) 通过店铺 uid 更新店铺名称、店铺 logo
  'POST /api/v1/shop/open/update': {
    operationId: 'updateShop',
    description: '通过店铺 uid 更新店铺名称、店铺 logo (update the shop name and logo by shop uid).',
    ok: 'The updated shop',
  },
  // 4) 更新店铺会员版本与组织容量
  'POST /api/v1/shop/open/shop/vip-level': {
    operationId: 'setShopVipLevel',
    description:
      '更新店铺会员版本与组织容量 (VIP level and organisation capacity). vipExpireDate is optional: the business system records the expiry and calls this again to lower the member/agent/workgroup limits.',
    ok: "The shop's VIP level and capacity",
  },
  // 5) 坐席席位 增删改查: shopUid 驱动
  'POST /api/v1/shop/open/agent-seat/query': {
    operationId: 'queryAgentSeats',
    description: '5.1 分页查询坐席席位 (page of agent seats), driven by shopUid: shopUid, pageNumber and pageSize only.',
    ok: 'A page of agent seats',
  },
  'GET /api/v1/shop/open/agent-seat/detail': {
    operationId: 'getAgentSeat',
    description: '5.2 按 shopUid + seatNo 查询单个坐席席位 (one agent seat by shopUid and seatNo).',
    ok: 'The agent seat',
  },
  'POST /api/v1/shop/open/agent-seat/create': {
    operationId: 'createAgentSeats',
    description: '5.3 创建坐席席位 (create agent seats): shopUid, seatNoList and expireAt.',
    ok: 'The created agent seats',
  },
  'POST /api/v1/shop/open/agent-seat/update': {
    operationId: 'updateAgentSeats',
    description: '5.4 更新坐席席位 (update agent seats): shopUid + seatNoList locate existing seats, whose expireAt is updated in one batch.',
    ok: 'The updated agent seats',
  },
  'POST /api/v1/shop/open/agent-seat/delete': {
    operationId: 'deleteAgentSeats',
    description: '5.5 删除坐席席位 (delete agent seats): 为软删除 (a soft delete); a single seatNo is still accepted, seatNoList is recommended.',
    ok: 'true when the seats were deleted',
  },
  // 6) Token 增删改查与刷新
  'POST /api/v1/shop/open/token/create': {
    operationId: 'createToken',
    description:
      '6.1 创建令牌 (create a token). Pass shopUid: the server resolves its orgUid. Without a refreshToken one is generated for later refreshes. The full token values appear only in this response and on refresh.',
    ok: 'The token with its full values',
  },
  'POST /api/v1/shop/open/token/query/org': {
    operationId: 'queryOrgTokens',
    description: '6.2 分页查询组织令牌 (page of organisation tokens); shopUid in the query, e.g. ?shopUid=shop_demo_005. Token values masked.',
    ok: 'A page of tokens',
  },
  'POST /api/v1/shop/open/token/query/user': {
    operationId: 'queryUserTokens',
    description: '6.3 分页查询用户令牌 (page of user tokens); shopUid in the query is recommended. Token values masked.',
    ok: 'A page of tokens',
  },
  'GET /api/v1/shop/open/token/detail': {
    operationId: 'getToken',
    description: '6.4 按 uid 查询令牌 (one token by uid). Token values masked.',
    ok: 'The token',
  },
  'POST /api/v1/shop/open/token/update': {
    operationId: 'updateToken',
    description: '6.5 更新令牌 (update a token): name, description, channel, device.',
    ok: 'The updated token',
  },
  'POST /api/v1/shop/open/token/delete': {
    operationId: 'deleteToken',
    description: '6.6 删除令牌 (delete a token): a soft delete.',
    ok: 'true when the token was deleted',
  },
  'POST /api/v1/shop/open/token/refresh': {
    operationId: 'refreshToken',
    description: '6.7 刷新 AccessToken (refresh the access token): refreshToken is required and is the credential; answers the new accessToken and expiresAt.',
    ok: 'The token with its new full values',
  },
  'POST /api/v1/shop/open/token/revoke': {
    operationId: 'revokeToken',
    description: '6.8 撤销令牌 (revoke a token) by uid or by accessToken, with a revokeReason.',
    ok: 'true when the token was revoked',
  },

  // seeds/004 店铺授权
  'POST /api/v1/shop/open/store/authorize': {
    operationId: 'authorizeStore',
    description:
      '店铺授权 (store authorisation). The result arrives asynchronously (webhook) and through the status query. After a failed or expired authorisation, call it again. KEY: the credentials (token, or api_key and api_secret). The same auth_info may not be given to two shops. URL: answers auth_url; after the platform, the browser is redirected to redirect_url with auth_status and auth_fail_reason.',
    ok: 'URL: the authorisation URL; KEY: the stored connection',
  },
  'GET /api/v1/shop/open/store/callback/:platform': {
    operationId: 'storeOAuthCallback',
    description:
      '店铺授权 (store authorisation), URL type: the redirect target registered with each platform. Verifies the signed single-use state, exchanges the code, then redirects to redirect_url with auth_status=SUCCESS|FAIL and auth_fail_reason, or shows a result page.',
    ok: 'The result page (without a redirectUrl)',
  },
  'GET /api/v1/shop/open/store/status': {
    operationId: 'getStoreStatus',
    description: '店铺授权结果查询 (authorisation result query): each connection of the shop with its status, expiry, last refresh and last error. Never a token.',
    ok: "The shop's store connections",
  },
  'POST /api/v1/shop/open/store/revoke': {
    operationId: 'revokeStore',
    description: '取消店铺授权 (revoke a store authorisation): disconnects the platform and deletes the stored tokens.',
    ok: 'The revoked connection',
  },

  // Public widget endpoints (no token): what the launcher and the cards read.
  'GET /api/v1/shop/widget/config': {
    operationId: 'getWidgetConfig',
    description:
      "The chat configuration of a shop for the widget: org, sid (workgroup), t, chatUrl, the Bytedesk API URL and the default mini-program paths (seeds/000 路径优先级说明: bytedesk.custom.wechat-mini-program.goods-detail-path / order-detail-path). Nothing secret.",
    ok: "The shop's widget configuration",
  },
  'GET /api/v1/shop/widget/goods': {
    operationId: 'getWidgetGoods',
    description: "A product card (GoodsInfo) built from the shop's connected store platform, public fields only, cached for SHOP_CHAT_GOODS_CACHE_TTL.",
    ok: 'The product card',
  },
};
