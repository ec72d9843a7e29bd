import { css } from 'lit';

// :host — `contain: content`: a card is laid out and painted on its own (nothing inside moves the
// page); `content-visibility: auto`: a card outside the viewport is not laid out or painted until it
// comes near, so a chat with hundreds of cards lays out the few on screen; until then it counts as
// 100px high (the usual card). Containment clips at the card's edge, so the focus ring is drawn
// inside it.
export const cardStyles = css`
  :host {
    display: block;
    max-width: var(--shop-chat-card-max-width, 360px);
    font-size: 14px;
    line-height: 1.45;
    contain: content;
    content-visibility: auto;
    contain-intrinsic-size: auto 100px;
  }
  .card:focus-visible {
    outline-offset: -3px;
  }
  .card {
    display: flex;
    flex-direction: column;
    gap: 8px;
    padding: 12px;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
  }
  .row {
    display: flex;
    gap: 10px;
    min-width: 0;
  }
  .body {
    display: flex;
    flex-direction: column;
    gap: 2px;
    min-width: 0;
    flex: 1;
  }
  img {
    flex: none;
    width: var(--shop-chat-card-image-size, 72px);
    height: var(--shop-chat-card-image-size, 72px);
    object-fit: cover;
    border-radius: 8px;
    background: var(--_border);
  }
  .small img {
    width: 48px;
    height: 48px;
  }
  .title {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .description {
    color: var(--_muted);
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 2;
    line-clamp: 2;
    overflow: hidden;
    overflow-wrap: anywhere;
  }
  .meta,
  .field {
    color: var(--_muted);
    font-size: 13px;
    overflow-wrap: anywhere;
  }
  .price,
  .total {
    color: var(--_price);
    font-weight: 600;
  }
  .tags {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin: 2px 0 0;
    padding: 0;
    list-style: none;
  }
  .tag,
  .off {
    padding: 0 6px;
    border: 1px solid var(--_border);
    border-radius: 4px;
    color: var(--_muted);
    font-size: 12px;
  }
  .header {
    display: flex;
    justify-content: space-between;
    gap: 8px;
  }
  .status {
    color: var(--_primary);
    font-weight: 600;
    flex: none;
  }
  .empty {
    color: var(--_muted);
    cursor: default;
  }
`;
