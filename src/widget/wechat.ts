// WeChat mini-program web-view detection and the navigation hooks. The JS-SDK (`window.wx`) is the
// host page's to load: this module only looks for it, never bundles or downloads it.

export interface WxMiniProgram {
  navigateTo(options: { url: string; success?: () => void; fail?: (err?: unknown) => void }): void;
  switchTab(options: { url: string; success?: () => void; fail?: (err?: unknown) => void }): void;
}

declare global {
  interface Window {
    wx?: { miniProgram?: Partial<WxMiniProgram> };
    __wxjs_environment?: string;
  }
}

/** True inside a WeChat mini-program `<web-view>`. */
export function isMiniProgram(): boolean {
  return window.__wxjs_environment === 'miniprogram' || /miniProgram/i.test(navigator.userAgent);
}

/**
 * Page navigation used by the widget. Replace the functions to observe or redirect navigation
 * (tests do; a host app may route through its own router).
 */
export const navigation = {
  /** Navigate the current page (launcher inside a mini-program web-view). */
  assign(url: string): void {
    location.href = url;
  },
  /** Open a card's http(s) URL. */
  open(url: string): void {
    window.open(url, '_blank', 'noopener');
  },
};

/**
 * `wx.miniProgram.navigateTo(path)`; when that fails (a tabBar page) `switchTab` with the path
 * stripped of its query: WeChat's switchTab takes no query, so a tab page gets no `payload`.
 * Returns false when no `wx.miniProgram` is available.
 */
export function miniProgramNavigate(path: string): boolean {
  const mp = window.wx?.miniProgram;
  if (!mp?.navigateTo) return false;
  const fallback = () => mp.switchTab?.({ url: path.split('?')[0]! });
  try {
    mp.navigateTo({ url: path, fail: fallback });
  } catch {
    fallback();
  }
  return true;
}
