import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { type ClientRequestLike, clientOf } from '../../common/http/client-info.js';
import { OAuth2Error } from '../../common/errors/oauth2-error.js';
import type { User } from '../../users/user.entity.js';
import { AuthService } from '../auth.service.js';

/** Username-or-email and password from the body (form or JSON), for the tutorial's `/auth/login`. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly authService: AuthService) {
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true });
  }

  async validate(request: ClientRequestLike, username: string, password: string): Promise<User> {
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw new OAuth2Error('invalid_request', 'username and password must be strings.');
    }
    const user = await this.authService.validateCredentials(username, password, clientOf(request));
    if (!user) throw new OAuth2Error('invalid_grant', 'Invalid username or password.');
    return user;
  }
}
