type DateTimeFormatConstructor = typeof Intl.DateTimeFormat;
type Locales = ConstructorParameters<DateTimeFormatConstructor>[0];
type Options = ConstructorParameters<DateTimeFormatConstructor>[1];

/**
 * A formatter that builds the real `Intl.DateTimeFormat` on its first use. Invalid options therefore
 * throw there, not at construction.
 */
class DeferredDateTimeFormat {
  private formatter?: Intl.DateTimeFormat;

  constructor(
    private readonly Real: DateTimeFormatConstructor,
    private readonly locales: Locales,
    private readonly options: Options,
  ) {}

  private real(): Intl.DateTimeFormat {
    return (this.formatter ??= new this.Real(this.locales, this.options));
  }

  /** A bound function, as the real `format` getter returns: it may be passed around detached. */
  get format(): (date?: Date | number) => string {
    return this.real().format;
  }

  formatToParts(date?: Date | number): Intl.DateTimeFormatPart[] {
    return this.real().formatToParts(date);
  }

  formatRange(start: Date | number, end: Date | number): string {
    return this.real().formatRange(start, end);
  }

  formatRangeToParts(start: Date | number, end: Date | number) {
    return this.real().formatRangeToParts(start, end);
  }

  resolvedOptions(): Intl.ResolvedDateTimeFormatOptions {
    return this.real().resolvedOptions();
  }

  get [Symbol.toStringTag](): string {
    return 'Intl.DateTimeFormat';
  }
}

/**
 * Until the returned function is called, `Intl.DateTimeFormat` builds formatters that do the work of
 * the real one on first use, and calling it puts the real constructor back.
 *
 * Why: building a date formatter maps ICU's locale data into the process, about 8 MB of resident
 * memory on Node 20 and 24, kept for the process's life. NestJS's two loggers each build one as their
 * module loads, for a timestamp only their console output prints; production logs JSON through our
 * own logger and never prints it. main.ts defers the formatters built while the app's modules load.
 * docs/performance.md, Memory.
 */
export function deferDateTimeFormats(intl: { DateTimeFormat: DateTimeFormatConstructor } = Intl) {
  const Real = intl.DateTimeFormat;
  const Deferred = function DateTimeFormat(locales?: Locales, options?: Options) {
    return new DeferredDateTimeFormat(Real, locales, options);
  };
  Deferred.supportedLocalesOf = Real.supportedLocalesOf.bind(Real);
  intl.DateTimeFormat = Deferred as unknown as DateTimeFormatConstructor;
  return function restoreDateTimeFormat(): void {
    if (intl.DateTimeFormat === (Deferred as unknown)) intl.DateTimeFormat = Real;
  };
}
