import { css } from 'lit';

const dark = css`
  --_primary: var(--shop-chat-color-primary, #4096ff);
  --_bg: var(--shop-chat-color-bg, #1f1f1f);
  --_text: var(--shop-chat-color-text, #f0f0f0);
  --_muted: var(--shop-chat-color-muted, #bfbfbf);
  --_border: var(--shop-chat-color-border, #424242);
  --_price: var(--shop-chat-color-price, #ff7a45);
  --_focus: var(--shop-chat-color-focus, #69b1ff);
  color-scheme: dark;
`;

/**
 * Colour tokens shared by every element. Public `--shop-chat-*` properties win in every mode;
 * the private `--_*` fallbacks switch with `mode` (light, dark, auto = prefers-color-scheme).
 */
export const theme = css`
  :host {
    --_primary: var(--shop-chat-color-primary, #0958d9);
    --_on-primary: var(--shop-chat-color-on-primary, #fff);
    --_bg: var(--shop-chat-color-bg, #fff);
    --_text: var(--shop-chat-color-text, #1f1f1f);
    --_muted: var(--shop-chat-color-muted, #595959);
    --_border: var(--shop-chat-color-border, #e5e5e5);
    --_price: var(--shop-chat-color-price, #d4380d);
    --_badge: var(--shop-chat-color-badge, #e0282e);
    --_focus: var(--shop-chat-color-focus, #0958d9);
    --_radius: var(--shop-chat-radius, 12px);
    font-family: var(--shop-chat-font-family, system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif);
    color: var(--_text);
    color-scheme: light;
  }
  :host([mode='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host([mode='auto']) {
      ${dark}
    }
  }
  :host([hidden]) {
    display: none !important;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
`;

export type Mode = 'light' | 'dark' | 'auto';
