const moneyFormats = new Map<string, Intl.NumberFormat>();
const DEFAULT_LOCALE = 'zh-CN';
const DEFAULT_CURRENCY = 'CNY';

/**
 * `¥99.00` in every locale (the narrow symbol: English would otherwise read `CN¥99.00`); cached
 * because cards render by the thousand. An unknown locale or currency falls back to zh-CN / CNY.
 */
export function formatMoney(amount: number, locale = DEFAULT_LOCALE, currency = DEFAULT_CURRENCY): string {
  const key = locale + '|' + currency;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
    } catch {
      f = new Intl.NumberFormat(DEFAULT_LOCALE, { style: 'currency', currency: DEFAULT_CURRENCY, currencyDisplay: 'narrowSymbol' });
    }
    moneyFormats.set(key, f);
  }
  return f.format(amount);
}
