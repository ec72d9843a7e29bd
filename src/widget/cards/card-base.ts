import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
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
  protected abstract renderInfo(info: T, c: CardContext): TemplateResult;

  private _parsed?: ParseResult<T>;

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
    return html`<div
      part="card"
      class="card"
      role="link"
      tabindex="0"
      @click=${this.activate}
      @keydown=${this._onKeydown}
    >
      ${this.renderInfo(info, c)}
    </div>`;
  }
}

/** One product: image, title, description, price, quantity, tags. Shared by both cards. */
export function renderGoods(g: GoodsInfo, c: CardContext, small = false): TemplateResult {
  const price = c.money(g.price);
  return html`<div part="goods" class="row${small ? ' small' : ''}">
    ${isSafeHttpUrl(g.image)
      ? html`<img part="image" src=${g.image} alt=${g.title || c.m.goods} loading="lazy" decoding="async" referrerpolicy="no-referrer" />`
      : nothing}
    <div class="body">
      ${g.title ? html`<span part="title" class="title">${g.title}</span>` : nothing}
      ${g.description && !small ? html`<span part="description" class="description">${g.description}</span>` : nothing}
      <span class="meta">
        ${price ? html`<span part="price" class="price">${price}</span>` : nothing}
        ${g.quantity !== undefined ? html`<span part="quantity">${small ? '×' : c.m.quantity + ' '}${g.quantity}</span>` : nothing}
        ${g.status === 'OFF_SHELF' ? html`<span part="off-shelf" class="off">${c.m.offShelf}</span>` : nothing}
      </span>
      ${g.tagList?.length && !small
        ? html`<ul part="tags" class="tags">${g.tagList.map((t) => html`<li part="tag" class="tag">${t}</li>`)}</ul>`
        : nothing}
    </div>
  </div>`;
}
