// Environment every e2e test file starts from; a test that needs something else passes overrides to startTestApp.
import { randomBytes } from 'node:crypto';
import { tempDir } from './temp-dirs.js';

process.env.NODE_ENV = 'test';
process.env.PASSWORD_HASH_ROUNDS = '4';
process.env.SECRET_KEY = randomBytes(48).toString('base64url');
process.env.REFRESH_SECRET_KEY = randomBytes(48).toString('base64url');
process.env.GATEHOUSE_DATA_DIR = tempDir('gatehouse-data-');
delete process.env.DATABASE_URL;
delete process.env.ADMIN_EMAIL;
delete process.env.ADMIN_USERNAME;
delete process.env.ADMIN_PASSWORD;
// Specs log in hundreds of times from one address; the rate-limit spec sets its own, low limits.
process.env.THROTTLE_LIMIT = '1000000';
process.env.AUTH_THROTTLE_LIMIT = '1000000';
process.env.API_KEY_THROTTLE_LIMIT = '1000000';
delete process.env.TRUST_PROXY;
