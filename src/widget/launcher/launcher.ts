import { ReactiveElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  buildChatUrl,
  chatLang,
  chatMode,
  isSafeHttpUrl,
  parseGoodsInfo,
  parseOrderInfo,
  resolveNavigatePath,
  type GoodsInfo,
  type GoodsInfoInput,
  type OrderInfo,
  type OrderInfoInput,
  type VisitorInfo,
} from '../../shared/index.ts';
import { attrs, el, text } from '../dom.ts';
import {
  emit,
  type ShopChatErrorDetail,
  type ShopChatMessageClickDetail,
  type ShopChatOpenDetail,
  type ShopChatUnreadDetail,
} from '../events.ts';
import { messages, resolveLang } from '../i18n.ts';
import { theme, type Mode } from '../theme.styles.ts';
import { jsonAttribute, safeHttpBase } from '../util.ts';
import { isMiniProgram, navigation } from '../wechat.ts';
import { launcherStyles } from './launcher.styles.ts';

/** `data` of `GET {server}/api/v1/shop/widget/config?shopUid=…`. */
export interface WidgetConfig {
  org?: string;
  sid?: string;
  t?: number | string;
  chatUrl?: string;
  /** Bytedesk API base for the unread count (server setting SHOP_CHAT_BYTEDESK_API_URL). */
  apiUrl?: string;
  goodsDetailPath?: string;
  orderDetailPath?: string;
  shop?: { name?: string; logo?: string };
}

export type LauncherPosition = 'bottom-right' | 'bottom-left' | 'inline';

const MOBILE = '(max-width: 768px)';

/** Waits of the launcher, ms (tests shorten them). */
export const launcherTiming = {
  /** Unread-count polling while the panel is closed; errors double it up to `maxPoll`. */
  poll: 30_000,
  maxPoll: 600_000,
  /** After this long without the chat page's load event, the panel offers a new tab. */
  load: 10_000,
};

/** localStorage key of the Bytedesk visitor ids the chat page reported, per org. */
export const visitorStorageKey = (org: string) => `shop-chat:${org}`;

/** A JSON string parsed when it holds an object or list (the page sends either), else the value. */
function maybeJson(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * Floating (or inline) button that opens a shop's customer-service chat, carrying the product or
 * order the visitor is looking at. The chat page is loaded in an iframe on the first open, not before.
 *
 * @tag shop-chat-launcher
 *
 * @fires shop-chat-open - The chat opened. Detail `{ chatUrl, display: 'panel' | 'fullscreen' | 'navigate' }`.
 * @fires shop-chat-close - The chat panel closed. Detail `{ chatUrl }`.
 * @fires shop-chat-error - Widget config fetch failed or goods/order info is invalid. Detail `{ reason, message }`.
 * @fires shop-chat-message-click - Cancelable: a message bubble was clicked in the chat page. Detail
 *   `{ type, uid, content, navigateToPath, extra }`; unless cancelled, a card's http(s) `url` opens in this page.
 * @fires shop-chat-unread - The unread count changed. Detail `{ count }`.
 *
 * @csspart button - The launcher button.
 * @csspart icon - The chat icon inside the button.
 * @csspart label - The text label (visible with `position="inline"`).
 * @csspart badge - The unread count badge.
 * @csspart panel - The chat panel (full screen at ≤ 768 px).
 * @csspart header - The panel header.
 * @csspart title - The panel title.
 * @csspart close-button - The panel's close button.
 * @csspart frame - The chat iframe.
 * @csspart status - The loading / failed-to-load message over the iframe.
 *
 * @cssprop --shop-chat-color-primary - Button and accent colour.
 * @cssprop --shop-chat-color-on-primary - Text and icon colour on the primary colour.
 * @cssprop --shop-chat-color-bg - Panel background.
 * @cssprop --shop-chat-color-text - Text colour.
 * @cssprop --shop-chat-color-muted - Loading / failed-to-load message colour.
 * @cssprop --shop-chat-color-border - Border colour (also the unavailable button's background).
 * @cssprop --shop-chat-color-badge - Unread badge background.
 * @cssprop --shop-chat-color-focus - Focus ring colour.
 * @cssprop --shop-chat-radius - Panel corner radius.
 * @cssprop --shop-chat-font-family - Font family.
 * @cssprop --shop-chat-offset-x - Horizontal distance from the viewport edge (default 20px).
 * @cssprop --shop-chat-offset-y - Vertical distance from the viewport bottom (default 20px).
 * @cssprop --shop-chat-z-index - Stacking order of the button and panel (default 2147483000).
 * @cssprop --shop-chat-panel-width - Panel width on desktop (default 380px).
 * @cssprop --shop-chat-panel-height - Panel height on desktop (default 600px).
 */
export class ShopChatLauncher extends ReactiveElement {
  static override styles = [theme, launcherStyles];

  /** Organisation uid of the chat. */
  @property() org?: string;
  /** Chat target uid (workgroup, agent or robot). */
  @property() sid?: string;
  /** Chat type: 0 agent, 1 workgroup (default), 2 robot. */
  @property() t?: string;
  /** Shop uid; with `server` and without `org`/`sid`, the widget config is fetched. */
  @property({ attribute: 'shop-uid' }) shopUid?: string;
  /** Base URL of the shop-chat server (proxy) that serves `/api/v1/shop/widget/config`. */
  @property() server?: string;
  /** Chat page URL (default https://cdn.weiyuai.cn/chat). Only http(s), relative URLs allowed. */
  @property({ attribute: 'chat-url' }) chatBaseUrl?: string;
  /** Bytedesk API base for the unread count; else the widget config's `apiUrl`. */
  @property({ attribute: 'api-url' }) apiUrl?: string;
  /** Product shown in the chat: an object, or JSON in the `goods-info` attribute. */
  @property({ attribute: 'goods-info', converter: jsonAttribute }) goodsInfo?: GoodsInfoInput | GoodsInfo | string | null;
  /** Order shown in the chat: an object, or JSON in the `order-info` attribute. */
  @property({ attribute: 'order-info', converter: jsonAttribute }) orderInfo?: OrderInfoInput | OrderInfo | string | null;
  /** The shop's own user id of the visitor (Bytedesk `visitorUid`). */
  @property({ attribute: 'visitor-uid' }) visitorUid?: string;
  /** Visitor's display name. */
  @property() nickname?: string;
  /** Visitor's avatar URL. */
  @property() avatar?: string;
  /** Every visitor field (`ShopChat('setVisitor', …)`); the three attributes above win over it. */
  @property({ attribute: false }) visitor?: VisitorInfo | null;
  /** `zh-CN` (default) or `en`; else the page's `<html lang>`. Also passed to the chat page. */
  @property() override lang = '';
  /** `bottom-right` (default), `bottom-left` or `inline`. */
  @property({ reflect: true }) position: LauncherPosition = 'bottom-right';
  /** Colour scheme `light` (default), `dark` or `auto`; also passed to the chat page (`auto` as `system`). */
  @property({ reflect: true }) mode?: Mode;
  /** Unread message count shown as a badge (hidden at 0, `99+` above 99). */
  @property({ type: Number }) unread = 0;
  /** The larger panel, toggled by the chat page's maximise button. */
  @property({ type: Boolean, reflect: true }) maximized = false;

  @state() private _open = false;
  /** Iframe src; undefined until the first open, so nothing is fetched before. */
  @state() private _src?: string;
  @state() private _config?: WidgetConfig;
  @state() private _configError?: string;
  /** The chat page in the iframe: loading, loaded, or not loaded in time. */
  @state() private _frame: 'loading' | 'ready' | 'slow' = 'loading';
  /** mode and lang in the iframe's URL: a URL that differs in nothing else is not reloaded. */
  private _loaded?: { mode?: Mode; lang: string };
  /** mode and lang as the iframe's page has them (its URL, or posted since): changes are posted. */
  private _sent?: { mode?: Mode; lang: string };
  private _configKey?: string;
  private _configLoad?: Promise<void>;
  private _warned = false;
  private _loadTimer?: ReturnType<typeof setTimeout>;
  private _pollTimer?: ReturnType<typeof setTimeout>;
  private _pollDelay = launcherTiming.poll;
  private _pollWarned = false;
  private _scrollLocked?: string;
  /** The button's nodes, built on the first update. */
  private _ui?: { button: HTMLButtonElement; label: HTMLElement; badge: HTMLElement; count: Text; sr: HTMLElement };
  /** The panel's nodes, built on the first open (nothing is fetched before). */
  private _panel?: {
    panel: HTMLElement;
    title: HTMLElement;
    close: HTMLButtonElement;
    frame: HTMLIFrameElement;
    status: HTMLElement;
    note: Text;
    link: HTMLAnchorElement;
  };

  private _focus(selector: '.launcher' | '.close'): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(selector)?.focus());
  }

  /** Whether the chat is open. */
  get isOpen(): boolean {
    return this._open;
  }

  /** The widget config fetched from `server`, once it arrived. */
  get config(): WidgetConfig | undefined {
    return this._config;
  }

  /** org and sid, own or from the widget config: without both there is no chat to open. */
  private _target(): { org: string; sid: string } | undefined {
    const org = this.org || this._config?.org;
    const sid = this.sid || this._config?.sid;
    return org && sid ? { org, sid } : undefined;
  }

  /** Why no chat can open (shown as the disabled state), or undefined while one can or may. */
  private get _unavailable(): string | undefined {
    if (this._target()) return undefined;
    if (this._configError) return this._configError;
    return this.server && this.shopUid ? undefined : 'no org and sid (set org and sid, or server and shop-uid)';
  }

  /** The chat page URL this launcher opens. */
  get chatUrl(): string {
    return this._url(this.mode, this.lang);
  }

  private _url(mode: Mode | undefined, lang: string): string {
    const c = this._config ?? {};
    const t = String(this.t ?? c.t ?? 1);
    const defaults = { goodsDetailPath: c.goodsDetailPath, orderDetailPath: c.orderDetailPath };
    const goods = this._card('goods');
    const order = this._card('order');
    return buildChatUrl({
      baseUrl: safeHttpBase(this.chatBaseUrl) ?? safeHttpBase(c.chatUrl),
      org: this.org || c.org,
      t: (t === '0' || t === '2' ? t : '1') as '0' | '1' | '2',
      sid: this.sid || c.sid,
      ...this.visitor,
      ...(this.visitorUid && { visitorUid: this.visitorUid }),
      ...(this.nickname && { nickname: this.nickname }),
      ...(this.avatar && { avatar: this.avatar }),
      lang: lang || undefined,
      mode,
      // our panel header is the only one
      navbar: isMiniProgram() ? undefined : false,
      // Server defaults for navigateToPath travel with the card, so the chat page can use them.
      goodsInfo: goods && (c.goodsDetailPath ? { ...goods, navigateToPath: resolveNavigatePath('goods', goods, defaults) } : goods),
      orderInfo: order && (c.orderDetailPath ? { ...order, navigateToPath: resolveNavigatePath('order', order, defaults) } : order),
    });
  }

  private _card(kind: 'goods'): GoodsInfo | undefined;
  private _card(kind: 'order'): OrderInfo | undefined;
  private _card(kind: 'goods' | 'order'): GoodsInfo | OrderInfo | undefined {
    const raw = kind === 'goods' ? this.goodsInfo : this.orderInfo;
    if (raw == null || raw === '') return undefined;
    const r = kind === 'goods' ? parseGoodsInfo(raw) : parseOrderInfo(raw);
    return r.ok ? r.value : undefined;
  }

  /**
   * Open the chat: a panel (desktop), full screen (≤ 768 px), or the page itself in a mini-program
   * web-view. Without org and sid it waits for the widget config (asking again after a failure).
   */
  open(): void {
    if (!this._target()) {
      void this._openWhenReady();
      return;
    }
    const chatUrl = this.chatUrl;
    if (isMiniProgram()) {
      emit<ShopChatOpenDetail>(this, 'shop-chat-open', { chatUrl, display: 'navigate' });
      navigation.assign(chatUrl);
      return;
    }
    if (this._open) return;
    this._open = true;
    this._stopPolling();
    this._setUnread(0);
    if (this._stale()) this._load();
    else this._sync();
    document.addEventListener('keydown', this._onKeydown);
    const fullscreen = !!window.matchMedia?.(MOBILE).matches;
    // Full screen on phones: a modal dialog, the page behind it does not scroll.
    if (fullscreen && this._scrollLocked === undefined) {
      this._scrollLocked = document.documentElement.style.overflow;
      document.documentElement.style.overflow = 'hidden';
    }
    emit<ShopChatOpenDetail>(this, 'shop-chat-open', { chatUrl, display: fullscreen ? 'fullscreen' : 'panel' });
  }

  private async _openWhenReady(): Promise<void> {
    if (!this._configLoad || this._configError) {
      this._configKey = undefined;
      this._configError = undefined;
      this._loadConfig();
    }
    await this._configLoad;
    if (this._target()) this.open();
  }

  /** Close the chat panel; focus goes back to the button when it was inside the panel. */
  close(): void {
    if (!this._open) return;
    const active = this.shadowRoot?.activeElement;
    const focusInside = !!active && !active.classList.contains('launcher');
    this._open = false;
    this._unlockScroll();
    document.removeEventListener('keydown', this._onKeydown);
    emit(this, 'shop-chat-close', { chatUrl: this.chatUrl });
    if (focusInside) this._focus('.launcher');
    this._poll();
  }

  /** Open when closed, close when open. */
  toggle(): void {
    if (this._open) this.close();
    else this.open();
  }

  private _unlockScroll(): void {
    if (this._scrollLocked === undefined) return;
    document.documentElement.style.overflow = this._scrollLocked;
    this._scrollLocked = undefined;
  }

  /** Whether the iframe's page must be (re)loaded: no page yet, or its URL differs in more than mode and lang. */
  private _stale(): boolean {
    return this._src === undefined || this._src !== this._url(this._loaded?.mode, this._loaded?.lang ?? '');
  }

  /** (Re)load the chat page in the iframe, with a loading state and a deadline. */
  private _load(): void {
    this._src = this.chatUrl;
    this._loaded = this._sent = { mode: this.mode, lang: this.lang };
    this._frame = 'loading';
    clearTimeout(this._loadTimer);
    this._loadTimer = setTimeout(() => {
      if (this._frame === 'loading') this._frame = 'slow';
    }, launcherTiming.load);
  }

  /** The chat page's origin: the only one its messages may come from and ours may go to. */
  private _origin(): string | undefined {
    try {
      return new URL(this._src!, document.baseURI).origin;
    } catch {
      return undefined;
    }
  }

  /** Tell the open chat page about a changed mode or lang (posting, so the thread is not restarted). */
  private _sync(): void {
    const sent = this._sent;
    const win = this._panel?.frame.contentWindow;
    const origin = this._origin();
    if (!sent || !win || !origin || origin === 'null') return;
    if (sent.mode !== this.mode) {
      const mode = chatMode(this.mode ?? 'light');
      win.postMessage({ type: 'BYTEDESK_IFRAME_THEME_MODE_SYNC', mode }, origin);
    }
    if (sent.lang !== this.lang) {
      const lang = chatLang(this.lang || document.documentElement.lang || 'zh-CN');
      if (lang) win.postMessage({ type: 'BYTEDESK_IFRAME_LANG_SYNC', lang }, origin);
    }
    this._sent = { mode: this.mode, lang: this.lang };
  }

  /** Messages of the chat page: only from our iframe's window and the chat URL's origin. */
  private _onMessage = (e: MessageEvent): void => {
    const frame = this._panel?.frame;
    const d = e.data as Record<string, unknown> | null;
    if (!frame || e.source !== frame.contentWindow || e.origin !== this._origin() || !d || typeof d !== 'object') return;
    switch (d.type) {
      case 'CLOSE_CHAT_WINDOW':
      case 'MINIMIZE_WINDOW':
        this.close();
        this._focus('.launcher');
        break;
      case 'MAXIMIZE_WINDOW':
        this.maximized = !this.maximized;
        break;
      case 'MESSAGE_BUBBLE_CLICK': {
        const content = maybeJson(d.content) as { url?: unknown; navigateToPath?: unknown } | null;
        const path = content && typeof content === 'object' ? content.navigateToPath : undefined;
        const detail: ShopChatMessageClickDetail = {
          type: String(d.clickedMessageType ?? ''),
          uid: typeof d.uid === 'string' ? d.uid : undefined,
          content,
          navigateToPath: typeof path === 'string' ? path : undefined,
          extra: maybeJson(d.extra),
        };
        const url = content && typeof content === 'object' ? content.url : undefined;
        if (emit(this, 'shop-chat-message-click', detail, true) && isSafeHttpUrl(url)) navigation.assign(url);
        break;
      }
      case 'LOCALSTORAGE_RESPONSE': {
        const org = this._target()?.org;
        if (org && typeof d.uid === 'string' && d.uid) {
          const ids = { uid: d.uid, visitorUid: typeof d.visitorUid === 'string' ? d.visitorUid : undefined };
          try {
            localStorage.setItem(visitorStorageKey(org), JSON.stringify(ids));
          } catch {
            // storage full or blocked: no unread count, nothing else lost
          }
        }
        break;
      }
    }
  };

  /** The Bytedesk visitor ids the chat page reported for this org, if any. */
  private _visitorIds(org: string): { uid: string; visitorUid?: string } | undefined {
    try {
      const ids = JSON.parse(localStorage.getItem(visitorStorageKey(org)) ?? 'null') as { uid?: unknown; visitorUid?: unknown } | null;
      return ids && typeof ids.uid === 'string' ? (ids as { uid: string; visitorUid?: string }) : undefined;
    } catch {
      return undefined;
    }
  }

  private _setUnread(count: number): void {
    if (this.unread === count) return;
    this.unread = count;
    emit<ShopChatUnreadDetail>(this, 'shop-chat-unread', { count });
  }

  private _stopPolling(): void {
    clearTimeout(this._pollTimer);
    this._pollTimer = undefined;
  }

  /** Ask for the unread count now, then every `poll` ms while closed (the page hidden: skipped). */
  private async _poll(): Promise<void> {
    this._stopPolling();
    const target = this._target();
    const ids = target && this._visitorIds(target.org);
    const base = safeHttpBase(this.apiUrl) ?? safeHttpBase(this._config?.apiUrl);
    if (this._open || !this.isConnected || !target || !ids || !base) return;
    if (document.visibilityState !== 'hidden') {
      const q = (k: string, v: string | undefined) => (v ? `&${k}=${encodeURIComponent(v)}` : '');
      const url = `${base.replace(/\/+$/, '')}/visitor/api/v1/message/unread/count?uid=${encodeURIComponent(ids.uid)}${q('visitorUid', ids.visitorUid)}${q('orgUid', target.org)}&client=WEB_FLOAT`;
      try {
        const res = await fetch(url, { credentials: 'omit', headers: { accept: 'application/json' } });
        const body = (await res.json()) as { code?: number; data?: unknown };
        if (!res.ok || body.code !== 200 || typeof body.data !== 'number') throw new Error(`HTTP ${res.status}, code ${body.code}`);
        this._pollDelay = launcherTiming.poll;
        if (!this._open) this._setUnread(body.data);
      } catch (e) {
        this._pollDelay = Math.min(this._pollDelay * 2, launcherTiming.maxPoll);
        if (!this._pollWarned) console.warn(`shop-chat: unread count unavailable (${(e as Error)?.message ?? e}); retrying less often`);
        this._pollWarned = true;
      }
    }
    if (!this._open && this.isConnected && !this._pollTimer) this._pollTimer = setTimeout(() => void this._poll(), this._pollDelay);
  }

  private _onKeydown = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape' || !this._open || e.defaultPrevented) return;
    this.close();
    this._focus('.launcher');
  };

  private _onButton(): void {
    const wasOpen = this._open;
    this.toggle();
    if (!wasOpen && this._open) this._focus('.close');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this._onMessage);
    if (this._open) document.addEventListener('keydown', this._onKeydown);
    else void this._poll();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('message', this._onMessage);
    document.removeEventListener('keydown', this._onKeydown);
    this._stopPolling();
    clearTimeout(this._loadTimer);
    this._unlockScroll();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    for (const [name, kind] of [['goodsInfo', 'goods'], ['orderInfo', 'order']] as const) {
      const raw = this[name];
      if (!changed.has(name) || raw == null || raw === '') continue;
      const r = kind === 'goods' ? parseGoodsInfo(raw) : parseOrderInfo(raw);
      if (!r.ok) this._error('invalid-info', `${kind}Info ${r.problem}`);
    }
    // Keep an open chat in step with the product/order (and anything else in the URL): a new URL
    // reloads it, a new mode or lang alone is posted to it.
    if (this._open && this._src !== undefined) {
      if (this._stale()) this._load();
      else this._sync();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('server') || changed.has('shopUid') || changed.has('org') || changed.has('sid')) this._loadConfig();
    const reason = this._unavailable;
    if (reason && !this._warned) console.warn(`shop-chat: chat unavailable: ${reason}`);
    this._warned ||= !!reason;
  }

  private _error(reason: ShopChatErrorDetail['reason'], message: string): void {
    emit<ShopChatErrorDetail>(this, 'shop-chat-error', { reason, message });
  }

  private _loadConfig(): void {
    const { server, shopUid } = this;
    if (!server || !shopUid || this.org || this.sid) return;
    const key = server + '\n' + shopUid;
    if (key === this._configKey) return;
    this._configKey = key;
    this._configLoad = (async () => {
      try {
        const res = await fetch(
          `${server.replace(/\/+$/, '')}/api/v1/shop/widget/config?shopUid=${encodeURIComponent(shopUid)}`,
          { credentials: 'omit', headers: { accept: 'application/json' } },
        );
        const body = (await res.json().catch(() => null)) as { code?: number; message?: string; data?: unknown } | null;
        const data = body?.data;
        if (!res.ok || !data || typeof data !== 'object' || (body.code !== undefined && body.code !== 200)) {
          throw new Error(body?.message || `HTTP ${res.status}`);
        }
        if (key === this._configKey) {
          this._config = data as WidgetConfig;
          this._configError = undefined;
          void this._poll();
        }
      } catch (e) {
        if (key !== this._configKey) return;
        this._configError = `widget config: ${(e as Error)?.message ?? e}`;
        this._error('config', this._configError);
      }
    })();
  }

  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    const m = messages(resolveLang(this.lang));
    const n = this.unread > 0 ? (this.unread > 99 ? '99+' : String(Math.floor(this.unread))) : '';
    const title = this._config?.shop?.name || m.chat;
    const ui = (this._ui ??= this._renderButton());
    const unavailable = !!this._unavailable;
    attrs(ui.button, { 'aria-expanded': this._open ? 'true' : 'false', 'aria-disabled': unavailable ? 'true' : null });
    text(ui.label, unavailable ? m.unavailable : m.open);
    if (n) {
      text(ui.count, n);
      text(ui.sr, ` ${m.unread}`);
      if (!ui.badge.parentNode) ui.button.append(ui.badge);
    } else ui.badge.remove();
    if (!ui.button.parentNode) this.renderRoot.appendChild(ui.button);
    if (this._src === undefined) return;
    const p = (this._panel ??= this._renderPanel());
    p.panel.hidden = !this._open;
    attrs(p.panel, { 'aria-label': title, 'aria-modal': this._scrollLocked !== undefined ? 'true' : null });
    text(p.title, title);
    attrs(p.close, { 'aria-label': m.close });
    attrs(p.frame, { title, src: this._src });
    p.status.hidden = this._frame === 'ready';
    p.status.classList.toggle('slow', this._frame === 'slow');
    text(p.note, this._frame === 'slow' ? m.slow + ' ' : m.loading);
    text(p.link, this._frame === 'slow' ? m.newTab : '');
    attrs(p.link, { href: this._src });
    p.link.hidden = this._frame !== 'slow';
    // Attached once filled in: the iframe's first navigation is to the chat page.
    if (!p.panel.parentNode) this.renderRoot.appendChild(p.panel);
  }

  private _renderButton() {
    const button = el('button', 'button', 'launcher');
    attrs(button, { type: 'button', 'aria-haspopup': 'dialog' });
    button.addEventListener('click', () => this._onButton());
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    attrs(svg, { part: 'icon', viewBox: '0 0 24 24', width: '28', height: '28', fill: 'currentColor', 'aria-hidden': 'true' });
    svg.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'path')).setAttribute(
      'd',
      'M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.6 3.4 6.1L5 21l4.3-2.3c.9.2 1.8.3 2.7.3 5.5 0 10-3.6 10-8s-4.5-8-10-8z',
    );
    const label = el('span', 'label', 'label');
    // The spaces keep label and unread count apart in the button's name ("在线客服 5 条未读").
    button.append(svg, ' ', label, ' ');
    const badge = el('span', 'badge', 'badge');
    const count = badge.appendChild(new Text());
    const sr = badge.appendChild(el('span', null, 'sr'));
    return { button, label, badge, count, sr };
  }

  private _renderPanel() {
    const panel = el('div', 'panel', 'panel');
    panel.setAttribute('role', 'dialog');
    const header = el('div', 'header', 'header');
    const title = el('span', 'title');
    const close = el('button', 'close-button', 'close', '×');
    close.type = 'button';
    close.addEventListener('click', () => this.close());
    header.append(title, close);
    const body = el('div', null, 'body');
    const frame = el('iframe', 'frame');
    frame.setAttribute('allow', 'clipboard-write');
    frame.addEventListener('load', () => {
      // about:blank's load (before the first navigation) does not count
      if (frame.getAttribute('src') === this._src) {
        clearTimeout(this._loadTimer);
        this._frame = 'ready';
      }
    });
    const status = el('p', 'status', 'status');
    status.setAttribute('role', 'status');
    const note = status.appendChild(new Text());
    const link = status.appendChild(el('a'));
    attrs(link, { target: '_blank', rel: 'noopener' });
    body.append(frame, status);
    panel.append(header, body);
    return { panel, title, close, frame, status, note, link };
  }
}
