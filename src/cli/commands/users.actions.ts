import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthService } from '../../auth/auth.service.js';
import { PasswordResetService } from '../../auth/password-reset.service.js';
import { CLI_ACTOR } from '../../common/actor.js';
import { TwoFactorService } from '../../two-factor/two-factor.service.js';
import { RegisterDto } from '../../users/dto/register.dto.js';
import { type AdminUserResponse, toAdminUserResponse } from '../../users/dto/user.response.js';
import type { Role } from '../../access/roles.js';
import type { User } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import { LoginAttemptsService } from '../../login-attempts/login-attempts.service.js';
import { CliError } from '../cli-error.js';
import { withApp } from '../cli-context.js';
import { fields, type Output, table } from '../output.js';
import { readNewPassword, type PasswordOptions } from '../password-input.js';
import { PasswordInput } from '../password.input.js';
import { findUserByRef } from '../user-ref.js';
import { validated } from '../validated.js';

/** The implementations behind `gatehouse users ...` (loaded only when a command runs). */

function userLines(user: AdminUserResponse): string[] {
  return fields([
    ['id', user.id],
    ['username', user.username],
    ['email', user.email],
    ['full name', user.full_name],
    ['roles', user.roles],
    ['permissions', user.permissions],
    ['active', user.is_active],
    ['two-factor', user.two_factor_enabled],
    ['locked until', user.locked_until],
    ['failed logins', user.failed_login_count],
    ['created', user.created_at],
  ]);
}

/** The user as an admin sees them, with the state of their login lockout. */
async function adminView(app: INestApplicationContext, user: User): Promise<AdminUserResponse> {
  return toAdminUserResponse(user, await app.get(LoginAttemptsService).lockState(user.id));
}

/** Looks the user up and runs `fn` with the application's services. */
function onUser<T>(
  ref: string,
  fn: (user: User, app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  return withApp(async (app) => fn(await findUserByRef(app.get(DataSource).manager, ref), app));
}

/** The user as they are after a change, printed as `users show` prints them. */
async function showAfter(
  out: Output,
  app: INestApplicationContext,
  id: string,
  done: string,
): Promise<void> {
  const view = await adminView(app, (await app.get(UsersService).findById(id))!);
  out.result(view, () => [done, ...userLines(view)]);
}

export interface ListOptions {
  search?: string;
  role?: Role;
  active?: boolean;
  disabled?: boolean;
  page: number;
  limit: number;
}

export async function list(options: ListOptions, out: Output): Promise<void> {
  const isActive = options.active ? true : options.disabled ? false : undefined;
  const page = await withApp(async (app) => {
    const found = await app.get(UsersService).list({
      page: options.page,
      limit: options.limit,
      search: options.search,
      role: options.role,
      isActive,
    });
    return { ...found, items: await Promise.all(found.items.map((u) => adminView(app, u))) };
  });
  const items = page.items;
  out.result({ items, total: page.total, page: options.page, limit: options.limit }, () => [
    ...table(
      ['id', 'username', 'email', 'roles', 'active', '2fa', 'locked until'],
      items.map((u) => [
        u.id,
        u.username,
        u.email,
        u.roles.join(','),
        u.is_active,
        u.two_factor_enabled,
        u.locked_until,
      ]),
      '(no users)',
    ),
    `${page.total} user(s); page ${options.page}, ${options.limit} per page`,
  ]);
}

export async function show(ref: string, out: Output): Promise<void> {
  const view = await onUser(ref, (user, app) => adminView(app, user));
  out.result(view, () => userLines(view));
}

export interface CreateOptions extends PasswordOptions {
  email: string;
  username: string;
  fullName?: string;
  role: Role;
}

export async function create(options: CreateOptions, out: Output): Promise<void> {
  const { password, generated } = await readNewPassword(options);
  const input = await validated(RegisterDto, {
    email: options.email,
    username: options.username,
    password,
    ...(options.fullName !== undefined ? { full_name: options.fullName } : {}),
  });
  const view = await withApp(async (app) => {
    const user = await app.get(UsersService).create(
      {
        email: input.email,
        username: input.username,
        password: input.password,
        fullName: input.full_name,
        roles: [options.role],
      },
      CLI_ACTOR,
    );
    return adminView(app, user);
  });
  out.result(generated ? { ...view, password } : view, () => [
    `Created ${view.username} (${view.roles.join(', ')}).`,
    ...userLines(view),
    ...(generated ? [`password:      ${password}   (shown once)`] : []),
  ]);
}

export async function setRole(ref: string, role: Role, out: Output): Promise<void> {
  await onUser(ref, async (user, app) => {
    await app.get(UsersService).adminUpdate(CLI_ACTOR, user.id, { roles: [role] });
    await showAfter(out, app, user.id, `${user.username} now has the role ${role}.`);
  });
}

export async function setPassword(
  ref: string,
  options: PasswordOptions,
  out: Output,
): Promise<void> {
  const { password, generated } = await readNewPassword(options);
  await validated(PasswordInput, { password });
  await onUser(ref, async (user, app) => {
    await app.get(UsersService).adminSetPassword(CLI_ACTOR, user.id, password);
    const ended = await app
      .get(AuthService)
      .endAllSessions(user.id, { actorId: CLI_ACTOR, reason: 'password_set' });
    out.result(
      {
        id: user.id,
        username: user.username,
        sessions_ended: ended,
        ...(generated ? { password } : {}),
      },
      () => [
        `Password of ${user.username} set; ${ended} session(s) ended.`,
        ...(generated ? [`password: ${password}   (shown once)`] : []),
      ],
    );
  });
}

/** Disabling also ends every session, so a later enable does not bring old tokens back. */
export async function setActive(ref: string, isActive: boolean, out: Output): Promise<void> {
  await onUser(ref, async (user, app) => {
    await app.get(UsersService).adminUpdate(CLI_ACTOR, user.id, { isActive });
    if (!isActive)
      await app
        .get(AuthService)
        .endAllSessions(user.id, { actorId: CLI_ACTOR, reason: 'disabled' });
    await showAfter(out, app, user.id, `${user.username} is ${isActive ? 'enabled' : 'disabled'}.`);
  });
}

export async function unlock(ref: string, out: Output): Promise<void> {
  await onUser(ref, async (user, app) => {
    await app.get(UsersService).unlock(CLI_ACTOR, user.id);
    await showAfter(out, app, user.id, `${user.username} is unlocked.`);
  });
}

export async function sendReset(ref: string, out: Output): Promise<void> {
  await onUser(ref, async (user, app) => {
    const queued = await app.get(PasswordResetService).sendPasswordReset(user.id, { kind: 'cli' });
    if (!queued) {
      throw new CliError(
        `no reset mail for ${user.username}: the account is disabled or its address had 5 mails this hour`,
        'NOT_SENT',
      );
    }
    out.result(
      { id: user.id, username: user.username, reset_mail_queued: true },
      () => `A password-reset mail to ${user.username}'s address is queued.`,
    );
  });
}

export async function endSessions(ref: string, out: Output): Promise<void> {
  await onUser(ref, async (user, app) => {
    const ended = await app
      .get(AuthService)
      .endAllSessions(user.id, { actorId: CLI_ACTOR, reason: 'admin' });
    out.result(
      { id: user.id, username: user.username, sessions_ended: ended },
      () => `${ended} session(s) of ${user.username} ended.`,
    );
  });
}

export async function resetTwoFactor(ref: string, out: Output): Promise<void> {
  await onUser(ref, async (user, app) => {
    await app.get(TwoFactorService).adminReset(CLI_ACTOR, user.id);
    await showAfter(
      out,
      app,
      user.id,
      user.twoFactorEnabled
        ? `Two-factor of ${user.username} is off; they can enrol again.`
        : `${user.username} had no two-factor; nothing to reset.`,
    );
  });
}

export async function remove(ref: string, out: Output): Promise<void> {
  await onUser(ref, async (user, app) => {
    await app.get(UsersService).adminDelete(CLI_ACTOR, user.id);
    out.result(
      { id: user.id, username: user.username, deleted: true },
      () => `Deleted ${user.username}.`,
    );
  });
}
