// pages/shop-chat/index.js: the chat page <shop-chat-button> opens. Copy this folder into your
// mini-program and list "pages/shop-chat/index" in app.json.
const { chatPage } = require('shop-chat');

// The chat target directly, or `server: 'https://chat.example.com'` (a request domain) to fetch it for the shop.
Component(chatPage({ org: 'org_xxx', sid: 'wg_xxx' }));
