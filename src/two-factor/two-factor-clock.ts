import { Injectable } from '@nestjs/common';

/** The time TOTP codes are checked against; tests replace `now` to pin it to a chosen instant. */
@Injectable()
export class TwoFactorClock {
  now(): number {
    return Date.now();
  }
}
