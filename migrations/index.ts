/** Every migration, in order. Append only; `npm run migration:generate` adds new ones here. */
import { Init1795443240916 } from './1795443240916-Init.js';
// imports end

export const migrations = [
  Init1795443240916,
  // list end
];
