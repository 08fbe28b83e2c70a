import { deferDateTimeFormats } from './deferred-date-time-format.js';

describe('deferDateTimeFormats', () => {
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    timeZone: 'UTC',
  };
  const when = Date.UTC(2026, 11, 1, 2, 3, 4);

  function countingIntl() {
    const built = { count: 0 };
    const Real = Intl.DateTimeFormat;
    const Counting = function DateTimeFormat(
      locales?: string | string[],
      opts?: Intl.DateTimeFormatOptions,
    ) {
      built.count++;
      return new Real(locales, opts);
    } as unknown as typeof Intl.DateTimeFormat;
    Counting.supportedLocalesOf = Real.supportedLocalesOf.bind(Real);
    return { intl: { DateTimeFormat: Counting }, built, Counting };
  }

  it('builds no formatter until one is used, then the real one once', () => {
    const { intl, built } = countingIntl();
    const restore = deferDateTimeFormats(intl);
    const formatter = new intl.DateTimeFormat('en-US', options);
    expect(built.count).toBe(0);
    expect(formatter.format(when)).toBe(new Intl.DateTimeFormat('en-US', options).format(when));
    expect(formatter.formatToParts(when)).toEqual(
      new Intl.DateTimeFormat('en-US', options).formatToParts(when),
    );
    expect(formatter.resolvedOptions().timeZone).toBe('UTC');
    expect(built.count).toBe(1);
    restore();
  });

  it('defers a call without new as well', () => {
    const { intl, built } = countingIntl();
    const restore = deferDateTimeFormats(intl);
    const formatter = (
      intl.DateTimeFormat as unknown as (...args: unknown[]) => Intl.DateTimeFormat
    )('en-US', options);
    expect(built.count).toBe(0);
    expect(formatter.format(when)).toBe(new Intl.DateTimeFormat('en-US', options).format(when));
    restore();
  });

  it('gives a format function that works detached, as the real one does', () => {
    const { intl } = countingIntl();
    const restore = deferDateTimeFormats(intl);
    const { format } = new intl.DateTimeFormat('en-US', options);
    expect([when].map(format)).toEqual([new Intl.DateTimeFormat('en-US', options).format(when)]);
    restore();
  });

  it('reports invalid options on first use', () => {
    const { intl } = countingIntl();
    const restore = deferDateTimeFormats(intl);
    const formatter = new intl.DateTimeFormat('en-US', { timeZone: 'Not/AZone' });
    expect(() => formatter.format(when)).toThrow(RangeError);
    restore();
  });

  it('puts the real constructor back', () => {
    const { intl, built, Counting } = countingIntl();
    const restore = deferDateTimeFormats(intl);
    expect(intl.DateTimeFormat).not.toBe(Counting);
    expect(intl.DateTimeFormat.supportedLocalesOf(['en-US'])).toEqual(['en-US']);
    restore();
    expect(intl.DateTimeFormat).toBe(Counting);
    new intl.DateTimeFormat('en-US', options);
    expect(built.count).toBe(1);
  });
});
