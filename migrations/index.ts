/** Every migration, in order. Append only; `npm run migration:generate` adds new ones here. */
import { Init1795443240916 } from './1795443240916-Init.js';
import { ChangeNotifications1795444165390 } from './1795444165390-ChangeNotifications.js';
import { LockoutAndSecurityEvents1795445008068 } from './1795445008068-LockoutAndSecurityEvents.js';
import { CreateItems1795446422852 } from './1795446422852-CreateItems.js';
import { CreateApiKeys1795500000000 } from './1795500000000-CreateApiKeys.js';
import { TwoFactor1795600000000 } from './1795600000000-TwoFactor.js';
import { AuditChain1795700000000 } from './1795700000000-AuditChain.js';
import { PasswordChangedAt1796000000000 } from './1796000000000-PasswordChangedAt.js';
import { RateLimits1796100000000 } from './1796100000000-RateLimits.js';
import { LoginAttempts1796100000001 } from './1796100000001-LoginAttempts.js';
import { NormalizeIdentities1796200000000 } from './1796200000000-NormalizeIdentities.js';
import { EmailFlows1796500000000 } from './1796500000000-EmailFlows.js';
import { SigningKeysAndOAuthClients1796600000000 } from './1796600000000-SigningKeysAndOAuthClients.js';
import { SessionIndexes1796700000000 } from './1796700000000-SessionIndexes.js';
// imports end

export const migrations = [
  Init1795443240916,
  ChangeNotifications1795444165390,
  LockoutAndSecurityEvents1795445008068,
  CreateItems1795446422852,
  CreateApiKeys1795500000000,
  TwoFactor1795600000000,
  AuditChain1795700000000,
  PasswordChangedAt1796000000000,
  RateLimits1796100000000,
  LoginAttempts1796100000001,
  NormalizeIdentities1796200000000,
  EmailFlows1796500000000,
  SigningKeysAndOAuthClients1796600000000,
  SessionIndexes1796700000000,
  // list end
];
