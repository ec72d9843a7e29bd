import { ReactiveElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { formatMoney, isSafeHttpUrl, withPayload, type CardKind, type GoodsInfo, type ParseResult } from '../../shared/index.ts';
import { el } from '../dom.ts';
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
export abstract class ShopChatCardBase<T extends { url?: string; navigateToPath?: string }> extends ReactiveElement {
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
  /** The card's content, put inside the card element. */
  protected abstract renderInfo(info: T, c: CardContext): Node;

  private _parsed?: ParseResult<T>;
  /** What is on screen: rebuilt only when the data or the language changed (not for `mode`). */
  private _shown?: { parsed?: ParseResult<T>; m: Messages; node?: Node };

  constructor() {
    super();
    // On the host, once: clicks and keys on the card (the only focusable element inside) reach
    // the host, composed.
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

  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    const locale = resolveLang(this.lang);
    const m = messages(locale);
    const parsed = this._parsed;
    const shown = this._shown;
    if (shown && shown.parsed === parsed && shown.m === m) return;
    let node: Node | undefined;
    if (parsed?.ok) {
      node = cardElement();
      node.appendChild(this.renderInfo(parsed.value, { m, money: (a) => (a === undefined ? '' : formatMoney(a, locale)) }));
    } else if (parsed) node = el('div', 'card', 'card empty', m.invalid);
    shown?.node?.parentNode?.removeChild(shown.node);
    if (node) this.renderRoot.appendChild(node);
    this._shown = { parsed, m, node };
  }

  /** Run the click rules: cancelable event, then mini-program navigation or the card's http(s) url. */
  activate(): void {
    const info = this.value;
    if (!info) return;
    const path = this.path(info);
    const detail = { kind: this.kind, info, path } as unknown as ShopChatCardClickDetail;
    if (!emit(this, 'shop-chat-card-click', detail, true)) return;
    if (isMiniProgram()) {
      // The card goes along as `?payload=`, the way Bytedesk's mini-program detail pages read it.
      if (!miniProgramNavigate(withPayload(path, info))) {
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
}

// Cards render by the thousand: each clones prototype nodes, built once (a native deep clone costs
// far less than a dozen createElement/setAttribute calls, or a template instance, per card).
const protos: { card?: HTMLElement; big?: HTMLElement; small?: HTMLElement; tag?: HTMLElement } = {};

/** The focusable card element (role link). */
function cardElement(): HTMLElement {
  let card = protos.card;
  if (!card) {
    card = protos.card = el('div', 'card', 'card');
    card.setAttribute('role', 'link');
    card.tabIndex = 0;
  }
  return card.cloneNode() as HTMLElement;
}

/** A product row with every optional piece; renderGoods fills a clone and drops what the product lacks. */
function goodsRow(small: boolean): HTMLElement {
  const key = small ? 'small' : 'big';
  let row = protos[key];
  if (!row) {
    row = protos[key] = el('div', 'goods', small ? 'row small' : 'row');
    const img = el('img', 'image');
    img.loading = 'lazy';
    img.decoding = 'async';
    img.referrerPolicy = 'no-referrer';
    const body = el('div', null, 'body');
    const meta = el('span', null, 'meta');
    meta.append(el('span', 'price', 'price'), el('span', 'quantity'), el('span', 'off-shelf', 'off'));
    body.append(el('span', 'title', 'title'));
    if (small) body.append(meta);
    else body.append(el('span', 'description', 'description'), meta, el('ul', 'tags', 'tags'));
    row.append(img, body);
  }
  return row.cloneNode(true) as HTMLElement;
}

/** Gives a prototype piece its text, or removes it when there is none; returns the next sibling. */
function fill(node: ChildNode, value: string | undefined): ChildNode {
  const next = node.nextSibling!;
  if (value) node.textContent = value;
  else node.remove();
  return next;
}

/** One product: image, title, description, price, quantity, tags. Shared by both cards. */
export function renderGoods(g: GoodsInfo, c: CardContext, small = false): Node {
  const row = goodsRow(small);
  const img = row.firstChild as HTMLImageElement;
  let piece = row.lastChild!.firstChild!;
  if (isSafeHttpUrl(g.image)) {
    img.src = g.image;
    img.alt = g.title || c.m.goods;
  } else img.remove();
  piece = fill(piece, g.title);
  if (!small) piece = fill(piece, g.description);
  const meta = piece;
  // Inline pieces: separated by a space, as the whitespace between them in markup would.
  let first = true;
  piece = meta.firstChild!;
  for (const value of [
    c.money(g.price),
    g.quantity === undefined ? '' : `${small ? '×' : c.m.quantity + ' '}${g.quantity}`,
    g.status === 'OFF_SHELF' ? c.m.offShelf : '',
  ]) {
    if (value && !first) piece.before(' ');
    first &&= !value;
    piece = fill(piece, value);
  }
  if (!small) {
    const tags = meta.nextSibling as HTMLElement;
    if (g.tagList?.length) {
      const proto = (protos.tag ??= el('li', 'tag', 'tag'));
      for (const t of g.tagList) tags.appendChild(proto.cloneNode()).textContent = t;
    } else tags.remove();
  }
  return row;
}
