import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { formatMoney, isSafeHttpUrl, type CardKind, type GoodsInfo, type ParseResult } from '../../shared/index.ts';
import { emit, type ShopChatCardClickDetail, type ShopChatErrorDetail } from '../events.ts';
import { messages, resolveLang, type Messages } from '../i18n.ts';
import { theme, type Mode } from '../theme.styles.ts';
import { jsonAttribute } from '../util.ts';
import { isMiniProgram, miniProgramNavigate, navigation } from '../wechat.ts';
import { cardStyles } from './cards.styles.ts';

/** What a card needs to render in the current language. */
export interface CardContext {
  m: Messages;
  money(amount: number | undefined): string;
}

/**
 * Shared behaviour of the goods and order cards: `info` parsing and validation, language, mode,
 * keyboard and click handling. Card data is always rendered as text, never as markup.
 */
export abstract class ShopChatCardBase<T extends { url?: string; navigateToPath?: string }> extends LitElement {
  static override styles = [theme, cardStyles];

  /** The card data: an object, or JSON in the `info` attribute. Invalid data renders an empty state. */
  @property({ converter: jsonAttribute }) info?: unknown;
  /** `zh-CN` (default) or `en`; else the page's `<html lang>`. */
  @property() override lang = '';
  /** Colour scheme `light` (default), `dark` or `auto`. */
  @property({ reflect: true }) mode?: Mode;

  protected abstract readonly kind: CardKind;
  protected abstract parse(input: unknown): ParseResult<T>;
  protected abstract path(info: T): string;
  /** The card's content: a template, or nodes. */
  protected abstract renderInfo(info: T, c: CardContext): unknown;

  private _parsed?: ParseResult<T>;

  constructor() {
    super();
    // On the host, once, rather than as event bindings in the template of every render: clicks and
    // keys on the card (the only focusable element inside) reach the host, composed.
    this.addEventListener('click', () => this.activate());
    this.addEventListener('keydown', (e) => this._onKeydown(e));
  }

  /** The validated card data, or undefined when `info` is missing or invalid. */
  get value(): T | undefined {
    return this._parsed?.ok ? this._parsed.value : undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('info')) {
      this._parsed = this.info == null || this.info === '' ? undefined : this.parse(this.info);
      if (this._parsed && !this._parsed.ok) {
        emit<ShopChatErrorDetail>(this, 'shop-chat-error', { reason: 'invalid-info', message: this._parsed.problem });
      }
    }
  }

  /** Run the click rules: cancelable event, then mini-program navigation or the card's http(s) url. */
  activate(): void {
    const info = this.value;
    if (!info) return;
    const path = this.path(info);
    const detail = { kind: this.kind, info, path } as unknown as ShopChatCardClickDetail;
    if (!emit(this, 'shop-chat-card-click', detail, true)) return;
    if (isMiniProgram()) {
      if (!miniProgramNavigate(path)) {
        emit<ShopChatErrorDetail>(this, 'shop-chat-error', { reason: 'wx-unavailable', message: 'wx.miniProgram is not available' });
      }
      return;
    }
    if (isSafeHttpUrl(info.url)) navigation.open(info.url);
  }

  private _onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    if (!e.repeat) this.activate();
  }

  protected override render() {
    const m = messages(resolveLang(this.lang));
    const locale = resolveLang(this.lang);
    const c: CardContext = { m, money: (a) => (a === undefined ? '' : formatMoney(a, locale)) };
    if (!this._parsed) return nothing;
    if (!this._parsed.ok) return html`<div part="card" class="card empty">${m.invalid}</div>`;
    const info = this._parsed.value;
    return html`<div part="card" class="card" role="link" tabindex="0">${this.renderInfo(info, c)}</div>`;
  }
}

/** An element with `part`, `class` and text content (text only: card data never becomes markup). */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, part: string | null, cls: string | null, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (part) e.setAttribute('part', part);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * One product: image, title, description, price, quantity, tags. Shared by both cards.
 *
 * Built with DOM calls rather than nested Lit templates: a product row is up to ten optional pieces,
 * and a nested template per piece (a TemplateInstance each: clone, tree walk, parts) made a card
 * cost several times its DOM. Values go in as text and attributes only, as in a template. The row
 * is a Node that the card's template renders; cards keep it while their data and language stay
 * (see cachedRow).
 */
export function renderGoods(g: GoodsInfo, c: CardContext, small = false): Node {
  const row = el('div', 'goods', small ? 'row small' : 'row');
  if (isSafeHttpUrl(g.image)) {
    const img = el('img', 'image', null);
    img.src = g.image;
    img.alt = g.title || c.m.goods;
    img.loading = 'lazy';
    img.decoding = 'async';
    img.referrerPolicy = 'no-referrer';
    row.append(img);
  }
  const body = el('div', null, 'body');
  if (g.title) body.append(el('span', 'title', 'title', g.title));
  if (g.description && !small) body.append(el('span', 'description', 'description', g.description));
  // Inline pieces: separated by a space, as the whitespace between them in markup would.
  const meta = el('span', null, 'meta');
  const price = c.money(g.price);
  const pieces: Node[] = [];
  if (price) pieces.push(el('span', 'price', 'price', price));
  if (g.quantity !== undefined) pieces.push(el('span', 'quantity', null, `${small ? '×' : c.m.quantity + ' '}${g.quantity}`));
  if (g.status === 'OFF_SHELF') pieces.push(el('span', 'off-shelf', 'off', c.m.offShelf));
  pieces.forEach((p, i) => (i ? meta.append(' ', p) : meta.append(p)));
  body.append(meta);
  if (g.tagList?.length && !small) {
    const tags = el('ul', 'tags', 'tags');
    for (const t of g.tagList) tags.append(el('li', 'tag', 'tag', t));
    body.append(tags);
  }
  row.append(body);
  return row;
}

/**
 * Memo of a card's rendered rows: rebuilt only when the card's data or language changed, so other
 * updates (mode, a re-render) keep the same nodes.
 */
export function cachedRow<V extends object>(holder: { row?: { value: V; m: Messages; node: unknown } }, value: V, m: Messages, build: () => unknown): unknown {
  const r = holder.row;
  if (r && r.value === value && r.m === m) return r.node;
  const node = build();
  holder.row = { value, m, node };
  return node;
}
