const moneyFormats = new Map<string, Intl.NumberFormat>();

/** `¥99.00` for zh-CN; cached because cards render by the thousand. */
export function formatMoney(amount: number, locale = 'zh-CN', currency = 'CNY'): string {
  const key = locale + '|' + currency;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      f = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' });
    }
    moneyFormats.set(key, f);
  }
  return f.format(amount);
}
