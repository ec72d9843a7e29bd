import { css } from 'lit';

export const launcherStyles = css`
  :host {
    position: fixed;
    z-index: var(--shop-chat-z-index, 2147483000);
    right: var(--shop-chat-offset-x, 20px);
    bottom: var(--shop-chat-offset-y, 20px);
  }
  :host([position='bottom-left']) {
    right: auto;
    left: var(--shop-chat-offset-x, 20px);
  }
  :host([position='inline']) {
    position: static;
    display: inline-block;
  }
  button {
    font: inherit;
    cursor: pointer;
    border: 0;
  }
  .launcher {
    position: relative;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    min-width: 56px;
    height: 56px;
    padding: 0 14px;
    border-radius: 28px;
    background: var(--_primary);
    color: var(--_on-primary);
    box-shadow: 0 4px 14px rgb(0 0 0 / 0.25);
  }
  .launcher[aria-disabled='true'] {
    background: var(--_border);
    color: var(--_text);
    cursor: not-allowed;
  }
  .label,
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  :host([position='inline']) .launcher {
    height: 40px;
    border-radius: 20px;
    box-shadow: none;
  }
  :host([position='inline']) .label {
    position: static;
    width: auto;
    height: auto;
    clip-path: none;
  }
  .badge {
    position: absolute;
    top: -4px;
    right: -4px;
    min-width: 20px;
    height: 20px;
    padding: 0 5px;
    box-sizing: border-box;
    border-radius: 10px;
    background: var(--_badge);
    color: #fff;
    font-size: 12px;
    line-height: 20px;
    text-align: center;
  }
  .panel {
    box-sizing: border-box;
    position: fixed;
    z-index: var(--shop-chat-z-index, 2147483000);
    right: var(--shop-chat-offset-x, 20px);
    bottom: calc(var(--shop-chat-offset-y, 20px) + 68px);
    width: var(--shop-chat-panel-width, 380px);
    height: var(--shop-chat-panel-height, 600px);
    max-height: calc(100vh - 120px);
    display: flex;
    flex-direction: column;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: 0 8px 30px rgb(0 0 0 / 0.25);
    overflow: hidden;
  }
  :host([position='bottom-left']) .panel {
    right: auto;
    left: var(--shop-chat-offset-x, 20px);
  }
  .panel[hidden] {
    display: none;
  }
  .header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    padding: 8px 8px 8px 16px;
    border-bottom: 1px solid var(--_border);
    font-weight: 600;
  }
  .close {
    width: 36px;
    height: 36px;
    border-radius: 18px;
    background: transparent;
    color: var(--_text);
    font-size: 22px;
    line-height: 1;
  }
  :host([maximized]) .panel {
    width: min(960px, calc(100vw - 2 * var(--shop-chat-offset-x, 20px)));
    height: calc(100vh - 120px);
  }
  .body {
    position: relative;
    flex: 1;
    display: flex;
  }
  iframe {
    flex: 1;
    width: 100%;
    border: 0;
    background: var(--_bg);
  }
  .status {
    position: absolute;
    inset: 0;
    margin: 0;
    padding: 24px;
    display: flex;
    flex-wrap: wrap;
    align-content: center;
    justify-content: center;
    gap: 4px;
    text-align: center;
    background: var(--_bg);
    color: var(--_muted);
  }
  .status[hidden],
  .status a[hidden] {
    display: none;
  }
  .status a {
    color: var(--_primary);
  }
  @media (max-width: 768px) {
    .panel,
    :host([position='bottom-left']) .panel {
      inset: 0;
      width: auto;
      height: auto;
      max-height: none;
      border: 0;
      border-radius: 0;
      padding: env(safe-area-inset-top, 0) env(safe-area-inset-right, 0) env(safe-area-inset-bottom, 0)
        env(safe-area-inset-left, 0);
    }
  }
`;
