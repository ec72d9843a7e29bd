import { ReactiveElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  buildChatUrl,
  parseGoodsInfo,
  parseOrderInfo,
  resolveNavigatePath,
  type GoodsInfo,
  type GoodsInfoInput,
  type OrderInfo,
  type OrderInfoInput,
} from '../../shared/index.ts';
import { attrs, el, text } from '../dom.ts';
import { emit, type ShopChatErrorDetail, type ShopChatOpenDetail } from '../events.ts';
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
  goodsDetailPath?: string;
  orderDetailPath?: string;
  shop?: { name?: string; logo?: string };
}

export type LauncherPosition = 'bottom-right' | 'bottom-left' | 'inline';

const MOBILE = '(max-width: 768px)';

/**
 * Floating (or inline) button that opens a shop's customer-service chat, carrying the product or
 * order the visitor is looking at. The chat page is loaded in an iframe on the first open, not before.
 *
 * @tag shop-chat-launcher
 *
 * @fires shop-chat-open - The chat opened. Detail `{ chatUrl, display: 'panel' | 'fullscreen' | 'navigate' }`.
 * @fires shop-chat-close - The chat panel closed. Detail `{ chatUrl }`.
 * @fires shop-chat-error - Widget config fetch failed or goods/order info is invalid. Detail `{ reason, message }`.
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
 *
 * @cssprop --shop-chat-color-primary - Button and accent colour.
 * @cssprop --shop-chat-color-on-primary - Text and icon colour on the primary colour.
 * @cssprop --shop-chat-color-bg - Panel background.
 * @cssprop --shop-chat-color-text - Text colour.
 * @cssprop --shop-chat-color-border - Border colour.
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
  /** Product shown in the chat: an object, or JSON in the `goods-info` attribute. */
  @property({ attribute: 'goods-info', converter: jsonAttribute }) goodsInfo?: GoodsInfoInput | GoodsInfo | string | null;
  /** Order shown in the chat: an object, or JSON in the `order-info` attribute. */
  @property({ attribute: 'order-info', converter: jsonAttribute }) orderInfo?: OrderInfoInput | OrderInfo | string | null;
  /** `zh-CN` (default) or `en`; else the page's `<html lang>`. Also passed to the chat page. */
  @property() override lang = '';
  /** `bottom-right` (default), `bottom-left` or `inline`. */
  @property({ reflect: true }) position: LauncherPosition = 'bottom-right';
  /** Colour scheme `light` (default), `dark` or `auto`; also passed to the chat page. */
  @property({ reflect: true }) mode?: Mode;
  /** Unread message count shown as a badge (hidden at 0, `99+` above 99). */
  @property({ type: Number }) unread = 0;

  @state() private _open = false;
  /** Iframe src; undefined until the first open, so nothing is fetched before. */
  @state() private _src?: string;
  @state() private _config?: WidgetConfig;
  private _configKey?: string;
  /** The button's nodes, built on the first update. */
  private _ui?: { button: HTMLButtonElement; label: HTMLElement; badge: HTMLElement; count: Text; sr: HTMLElement };
  /** The panel's nodes, built on the first open (nothing is fetched before). */
  private _panel?: { panel: HTMLElement; title: HTMLElement; close: HTMLButtonElement; frame: HTMLIFrameElement };

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

  /** The chat page URL this launcher opens. */
  get chatUrl(): string {
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
      lang: this.lang || undefined,
      mode: this.mode,
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

  /** Open the chat: a panel (desktop), full screen (≤ 768 px), or the page itself in a mini-program web-view. */
  open(): void {
    const chatUrl = this.chatUrl;
    if (isMiniProgram()) {
      emit<ShopChatOpenDetail>(this, 'shop-chat-open', { chatUrl, display: 'navigate' });
      navigation.assign(chatUrl);
      return;
    }
    if (this._open) return;
    this._open = true;
    this._src = chatUrl;
    document.addEventListener('keydown', this._onKeydown);
    const display = window.matchMedia?.(MOBILE).matches ? 'fullscreen' : 'panel';
    emit<ShopChatOpenDetail>(this, 'shop-chat-open', { chatUrl, display });
  }

  /** Close the chat panel; focus goes back to the button when it was inside the panel. */
  close(): void {
    if (!this._open) return;
    const active = this.shadowRoot?.activeElement;
    const focusInside = !!active && !active.classList.contains('launcher');
    this._open = false;
    document.removeEventListener('keydown', this._onKeydown);
    emit(this, 'shop-chat-close', { chatUrl: this.chatUrl });
    if (focusInside) this._focus('.launcher');
  }

  /** Open when closed, close when open. */
  toggle(): void {
    if (this._open) this.close();
    else this.open();
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
    if (this._open) document.addEventListener('keydown', this._onKeydown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this._onKeydown);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    for (const [name, kind] of [['goodsInfo', 'goods'], ['orderInfo', 'order']] as const) {
      const raw = this[name];
      if (!changed.has(name) || raw == null || raw === '') continue;
      const r = kind === 'goods' ? parseGoodsInfo(raw) : parseOrderInfo(raw);
      if (!r.ok) this._error('invalid-info', `${kind}Info ${r.problem}`);
    }
    // Keep an open chat in step with the product/order (and anything else in the URL).
    if (this._open && this._src !== undefined) this._src = this.chatUrl;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('server') || changed.has('shopUid') || changed.has('org') || changed.has('sid')) {
      void this._loadConfig();
    }
  }

  private _error(reason: ShopChatErrorDetail['reason'], message: string): void {
    emit<ShopChatErrorDetail>(this, 'shop-chat-error', { reason, message });
  }

  private async _loadConfig(): Promise<void> {
    const { server, shopUid } = this;
    if (!server || !shopUid || this.org || this.sid) return;
    const key = server + '\n' + shopUid;
    if (key === this._configKey) return;
    this._configKey = key;
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
      if (key === this._configKey) this._config = data as WidgetConfig;
    } catch (e) {
      if (key === this._configKey) this._error('config', `widget config: ${(e as Error)?.message ?? e}`);
    }
  }

  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    const m = messages(resolveLang(this.lang));
    const n = this.unread > 0 ? (this.unread > 99 ? '99+' : String(Math.floor(this.unread))) : '';
    const title = this._config?.shop?.name || m.chat;
    const ui = (this._ui ??= this._renderButton());
    attrs(ui.button, { 'aria-expanded': this._open ? 'true' : 'false' });
    text(ui.label, m.open);
    if (n) {
      text(ui.count, n);
      text(ui.sr, ` ${m.unread}`);
      if (!ui.badge.parentNode) ui.button.append(ui.badge);
    } else ui.badge.remove();
    if (!ui.button.parentNode) this.renderRoot.appendChild(ui.button);
    if (this._src === undefined) return;
    const p = (this._panel ??= this._renderPanel());
    p.panel.hidden = !this._open;
    attrs(p.panel, { 'aria-label': title });
    text(p.title, title);
    attrs(p.close, { 'aria-label': m.close });
    attrs(p.frame, { title, src: this._src });
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
    const frame = el('iframe', 'frame');
    frame.setAttribute('allow', 'clipboard-write');
    panel.append(header, frame);
    return { panel, title, close, frame };
  }
}
