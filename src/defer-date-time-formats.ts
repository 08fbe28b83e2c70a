// main.ts imports this module first, so it runs before any module of NestJS or of the app loads; main.ts
// calls restoreDateTimeFormat() once they have (src/common/deferred-date-time-format.ts says why).
import { deferDateTimeFormats } from './common/deferred-date-time-format.js';

export const restoreDateTimeFormat = deferDateTimeFormats();
