import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, QueryFailedError, type Repository } from 'typeorm';
import {
  type SecurityEventInput,
  SecurityEventsService,
} from '../audit/security-events.service.js';
import { type ActorId, isCliActor } from '../common/actor.js';
import type { RequestClient } from '../common/http/client-info.js';
import { AppError } from '../common/errors/app-error.js';
import { usersConfig, type UsersConfig } from '../config/users.config.js';
import { MailQueue } from '../mail/mail-queue.js';
import { LoginAttemptsService } from '../login-attempts/login-attempts.service.js';
import { PASSWORD_MAX_LENGTH } from './dto/password.rules.js';
import { PasswordHasher } from './password-hasher.js';
import { assertAcceptablePassword } from './password-policy.js';
import {
  DEFAULT_ROLE,
  effectivePermissions,
  highestRole,
  mayActOn,
  type Role,
  roleRank,
} from '../access/roles.js';
import { normalizeIdentity } from './identity.js';
import { EmailVerificationMails } from './email-verification-mails.js';
import { UserCache } from './user-cache.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  username: string;
  password: string;
  fullName?: string | null;
  roles?: string[];
}

/** Where a login attempt came from, for the security events it causes (and its known-device cookie). */
export type LoginClient = RequestClient;

export interface UserListQuery {
  page: number;
  limit: number;
  search?: string;
  role?: Role;
  isActive?: boolean;
}

export interface AdminChanges {
  roles?: Role[];
  permissions?: string[];
  isActive?: boolean;
  fullName?: string | null;
}

const UNIQUE_VIOLATION = '23505';
/** Serialises every change that could leave the service without an active admin. */
const ADMIN_LOCK = 'gatehouse:admins';

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === UNIQUE_VIOLATION
  );
}

function isActiveAdmin(user: { roles: string[]; isActive: boolean }): boolean {
  return user.isActive && user.roles.includes('admin');
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  private readonly hasher: PasswordHasher;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(usersConfig.KEY) private readonly config: UsersConfig,
    private readonly cache: UserCache,
    private readonly events: SecurityEventsService,
    private readonly mail: MailQueue,
    private readonly verificationMails: EmailVerificationMails,
    private readonly loginAttempts: LoginAttemptsService,
  ) {
    this.hasher = new PasswordHasher(config.passwordHashRounds);
  }

  /** The admin named by ADMIN_* exists after start-up: created once, never overwritten. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    const created = await this.insert({ ...admin, roles: ['admin'] }, { emailVerified: true });
    this.logger.log(
      created
        ? `Created the bootstrap admin "${admin.username}"`
        : `Bootstrap admin "${admin.username}" not created: that email or username exists already`,
    );
  }

  /** Straight from the database. */
  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** For authenticating a request: served from the invalidated-on-change cache. */
  findForRequest(id: string): Promise<User | null> {
    return this.cache.get(id);
  }

  /** `findForRequest` answered from the cache without a promise; undefined when it must ask the database. */
  findForRequestInMemory(id: string): User | null | undefined {
    return this.cache.peek(id);
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ username });
  }

  /** Case-insensitive (the column is citext). */
  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  /**
   * Creates the user and, in the same transaction, queues the mail that verifies their address;
   * 409 USER_EXISTS when the email or username is taken, decided by the unique indexes.
   * Created by someone else (an operator): recorded as `user.created` with that actor.
   */
  async create(newUser: NewUser, actorId?: ActorId): Promise<User> {
    assertAcceptablePassword(newUser.password, newUser);
    const user = await this.insert(newUser, {
      then: (manager, created) => this.verificationMails.queue(manager, created),
    });
    if (!user) throw new AppError('USER_EXISTS');
    this.mail.wake();
    if (actorId) {
      await this.events.record({
        type: 'user.created',
        userId: user.id,
        actorId,
        details: { username: user.username, roles: user.roles.join(',') },
      });
    }
    return user;
  }

  /**
   * An admin or operator sets another user's password: policy and rank as for any admin change, and a
   * lockout is lifted (as a password reset does). The caller ends the user's sessions.
   */
  async adminSetPassword(actorId: ActorId, id: string, password: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    await this.users.manager.transaction(async (manager) => {
      const { actor, target } = await this.lockForAdminChange(manager, actorId, id, 'write:users');
      this.checkCanManage(actor, target);
      assertAcceptablePassword(password, target);
      await manager.update(User, { id }, { passwordHash });
    });
    this.cache.invalidate(id);
    await this.loginAttempts.clearAccount(id);
    await this.events.record({
      type: 'password.changed',
      userId: id,
      actorId,
      details: { reason: 'admin' },
    });
  }

  async updateProfile(id: string, changes: { fullName?: string | null }): Promise<User> {
    if (changes.fullName !== undefined) {
      await this.users.update({ id }, { fullName: changes.fullName });
      this.cache.invalidate(id);
    }
    const user = await this.findById(id);
    if (!user) throw new AppError('NOT_FOUND');
    return user;
  }

  async list(query: UserListQuery): Promise<{ items: User[]; total: number }> {
    const builder = this.users
      .createQueryBuilder('user')
      .orderBy('user.createdAt', 'ASC')
      .addOrderBy('user.id');
    if (query.search) {
      const pattern = `%${normalizeIdentity(query.search).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      builder.andWhere(
        '(user.email ILIKE :pattern OR user.username ILIKE :pattern OR user.fullName ILIKE :pattern)',
        {
          pattern,
        },
      );
    }
    if (query.role) builder.andWhere(':role = ANY(user.roles)', { role: query.role });
    if (query.isActive !== undefined)
      builder.andWhere('user.isActive = :isActive', { isActive: query.isActive });
    const [items, total] = await builder
      .skip((query.page - 1) * query.limit)
      .take(query.limit)
      .getManyAndCount();
    return { items, total };
  }

  /**
   * An admin's change to another user. Nobody grants a role above their own or a permission they do
   * not hold, and the last active admin cannot be demoted or disabled: checked under one lock, so two
   * admins demoting each other at once cannot both succeed.
   */
  async adminUpdate(
    actorId: string,
    id: string,
    changes: AdminChanges,
    client: RequestClient = {},
  ): Promise<User> {
    const before = await this.users.manager.transaction(async (manager) => {
      const { actor, target } = await this.lockForAdminChange(manager, actorId, id, 'write:users');
      this.checkGrantable(actor, changes);
      this.checkCanManage(actor, target);
      const next = {
        roles: changes.roles ?? target.roles,
        isActive: changes.isActive ?? target.isActive,
      };
      if (isActiveAdmin(target) && !isActiveAdmin(next))
        await this.ensureAnotherActiveAdmin(manager, id);
      await manager.update(
        User,
        { id },
        {
          ...(changes.roles !== undefined ? { roles: changes.roles } : {}),
          ...(changes.permissions !== undefined ? { permissions: changes.permissions } : {}),
          ...(changes.isActive !== undefined ? { isActive: changes.isActive } : {}),
          ...(changes.fullName !== undefined ? { fullName: changes.fullName } : {}),
        },
      );
      return target;
    });
    this.cache.invalidate(id);
    const user = await this.findById(id);
    if (!user) throw new AppError('NOT_FOUND');
    await this.recordAdminChanges({ userId: id, actorId, ...client }, before, user);
    return user;
  }

  /** One event per kind of change an admin made (after the commit, so the chain lock is held briefly). */
  private async recordAdminChanges(
    base: Omit<SecurityEventInput, 'type' | 'details'>,
    before: User,
    after: User,
  ): Promise<void> {
    const list = (values: string[]) => values.join(',');
    if (list(before.roles) !== list(after.roles)) {
      await this.events.record({
        ...base,
        type: 'user.roles_changed',
        details: { from: list(before.roles), to: list(after.roles) },
      });
    }
    if (list(before.permissions) !== list(after.permissions)) {
      await this.events.record({
        ...base,
        type: 'user.permissions_changed',
        details: { from: list(before.permissions), to: list(after.permissions) },
      });
    }
    if (before.isActive !== after.isActive) {
      await this.events.record({
        ...base,
        type: 'user.status_changed',
        details: { is_active: after.isActive },
      });
    }
  }

  async adminDelete(actorId: string, id: string, client: RequestClient = {}): Promise<void> {
    const deleted = await this.users.manager.transaction(async (manager) => {
      const { actor, target } = await this.lockForAdminChange(manager, actorId, id, 'delete:users');
      this.checkCanManage(actor, target);
      if (isActiveAdmin(target)) await this.ensureAnotherActiveAdmin(manager, id);
      await manager.delete(User, { id });
      return target;
    });
    this.cache.invalidate(id);
    await this.events.record({
      type: 'user.deleted',
      userId: id,
      actorId,
      ...client,
      details: { username: deleted.username },
    });
  }

  /** The hash of a new password for this user, once the password policy accepts it (400 otherwise). */
  async hashNewPassword(user: User, password: string, field = 'new_password'): Promise<string> {
    assertAcceptablePassword(password, user, field);
    return this.hasher.hash(password);
  }

  /**
   * A password reset through a link mailed to the account's address, inside the caller's transaction:
   * the new hash, the lockout lifted (a reset proves the owner), the address counted as verified (the
   * link proved it is read), and the notice to that address.
   */
  async applyPasswordReset(
    manager: EntityManager,
    user: User,
    passwordHash: string,
  ): Promise<void> {
    await manager.update(User, { id: user.id }, { passwordHash, emailVerified: true });
    await this.queueNotice(manager, user, 'password_changed', { how: 'reset' });
  }

  /** A notice (never a token) to the user's address, in the caller's transaction. */
  async queueNotice(
    manager: EntityManager,
    user: Pick<User, 'id' | 'email' | 'username'>,
    kind: 'password_changed' | 'email_change_requested' | 'two_factor_disabled' | 'account_locked',
    params: Record<string, string | number> = {},
  ): Promise<void> {
    await this.mail.enqueue(manager, {
      kind,
      to: user.email,
      userId: user.id,
      params: { username: user.username, ...params },
    });
  }

  /** After the caller's commit: send queued mails now. */
  wakeMail(): void {
    this.mail.wake();
  }

  /**
   * The user a login names (username or e-mail), with the password hash, or null. Identifiers longer
   * than any valid one are not looked up.
   */
  async findForLogin(identifier: string): Promise<User | null> {
    if (identifier.length > 254) return null;
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.username = :identifier OR user.email = :identifier', {
        identifier: normalizeIdentity(identifier),
      })
      .getOne();
  }

  /** The user with the password hash (for a check of the current password), or null. */
  findWithPassword(id: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.id = :id', { id })
      .getOne();
  }

  /**
   * Whether the password is the user's (found with its hash). A legacy or weaker hash is replaced
   * after a right password. Inputs longer than any valid password cost no hashing.
   */
  async checkPassword(user: User, password: string): Promise<boolean> {
    const hash = user.passwordHash;
    if (!hash || password.length > PASSWORD_MAX_LENGTH * 4) {
      await this.checkDummy(password);
      return false;
    }
    const check = await this.hasher.verify(password, hash);
    if (check.valid && check.needsRehash) await this.upgradeHash(user, hash, password);
    return check.valid;
  }

  /** The same bcrypt work as a real check, for a user that does not exist or may not be checked. */
  async checkDummy(password: string): Promise<false> {
    await this.hasher.verifyDummy(password.slice(0, PASSWORD_MAX_LENGTH * 4));
    return false;
  }

  /** Whether the password is the user's (re-authentication for sensitive changes). */
  async verifyPassword(id: string, password: string): Promise<boolean> {
    const user = await this.findWithPassword(id);
    if (!user) return this.checkDummy(password);
    return this.checkPassword(user, password);
  }

  /**
   * Replaces the password (the caller checked the current one); the policy applies. The one way a
   * password is set after registration (change, reset by e-mail, operator): `password_changed_at`
   * moves, so pending mfa_tokens and enrolment tokens die with the old password. API keys are kept
   * (docs/security.md, "Password changes and API keys"). The notice goes in the same transaction.
   */
  async setPassword(user: User, newPassword: string): Promise<void> {
    assertAcceptablePassword(newPassword, user, 'new_password');
    const passwordHash = await this.hasher.hash(newPassword);
    await this.users.manager.transaction(async (manager) => {
      await manager.update(
        User,
        { id: user.id },
        { passwordHash, passwordChangedAt: () => 'now()' },
      );
      await this.queueNotice(manager, user, 'password_changed', { how: 'change' });
    });
    this.cache.invalidate(user.id);
    this.mail.wake();
  }

  /** Refuses a new password the policy rejects, before anything else is checked. */
  assertAcceptableNewPassword(user: User, newPassword: string): void {
    assertAcceptablePassword(newPassword, user, 'new_password');
  }

  /**
   * Sets the two-factor flag inside the caller's transaction (the two-factor module writes its own
   * rows in the same one). Call `forgetCached` once it has committed.
   */
  async setTwoFactorEnabled(manager: EntityManager, id: string, enabled: boolean): Promise<void> {
    await manager.update(User, { id }, { twoFactorEnabled: enabled });
  }

  forgetCached(id: string): void {
    this.cache.invalidate(id);
  }

  /**
   * THE check before any admin action on another user that is not a PATCH or DELETE of the user row
   * (ending their sessions, unlocking, revoking their API keys, resetting their second factor, an
   * admin password reset, ...): the actor must be active and hold `permission` as they are now, the
   * target must exist (404 otherwise), and the actor must not rank below the target (403). Returns
   * the target as it is now.
   */
  async checkCanManageUser(actorId: string, id: string, permission: string): Promise<User> {
    return this.users.manager.transaction(async (manager) => {
      const { actor, target } = await this.lockForAdminChange(manager, actorId, id, permission);
      this.checkCanManage(actor, target);
      return target;
    });
  }

  /** Lifts a lockout (and forgets the failures that led to it): 404 for no such user. */
  async unlock(actorId: string, id: string, client: RequestClient = {}): Promise<void> {
    await this.checkCanManageUser(actorId, id, 'write:users');
    await this.loginAttempts.clearAccount(id);
    await this.events.record({ type: 'account.unlocked', userId: id, actorId, ...client });
  }

  private checkGrantable(actor: User | null, changes: AdminChanges): void {
    if (actor === null) return;
    const actorRole = highestRole(actor.roles);
    const tooHigh = (changes.roles ?? []).filter(
      (role) => actorRole === undefined || roleRank(role) > roleRank(actorRole),
    );
    if (tooHigh.length > 0) {
      throw new AppError(
        'FORBIDDEN',
        `You cannot grant a role above your own: ${tooHigh.join(', ')}.`,
      );
    }
    const held: readonly string[] = effectivePermissions(actor.roles, actor.permissions);
    const notHeld = (changes.permissions ?? []).filter((permission) => !held.includes(permission));
    if (notHeld.length > 0) {
      throw new AppError(
        'FORBIDDEN',
        `You cannot grant a permission you do not hold: ${notHeld.join(', ')}.`,
      );
    }
  }

  /** Nobody manages a user who ranks above them (`mayActOn`; the CLI operator, `null`, ranks above everyone). */
  private checkCanManage(actor: User | null, target: User): void {
    if (actor === null) return;
    if (!mayActOn(actor.roles, target.roles)) {
      throw new AppError('FORBIDDEN', 'You cannot manage a user whose role is above your own.');
    }
  }

  /**
   * Takes the admin lock, then reads both users as they are now: an actor demoted or disabled by a
   * change that committed while this request waited no longer has the authority it arrived with.
   * The CLI operator has every authority: `actor` is null then.
   */
  private async lockForAdminChange(
    manager: EntityManager,
    actorId: ActorId,
    targetId: string,
    permission: string,
  ): Promise<{ actor: User | null; target: User }> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ADMIN_LOCK]);
    if (isCliActor(actorId)) {
      const target = await manager.findOneBy(User, { id: targetId });
      if (!target) throw new AppError('NOT_FOUND', 'No such user.');
      return { actor: null, target };
    }
    const actor = await manager.findOneBy(User, { id: actorId });
    const actorPermissions: readonly string[] = actor
      ? effectivePermissions(actor.roles, actor.permissions)
      : [];
    if (!actor?.isActive || !actorPermissions.includes(permission)) {
      throw new AppError('FORBIDDEN', 'You no longer hold the permission this needs.');
    }
    const target = await manager.findOneBy(User, { id: targetId });
    if (!target) throw new AppError('NOT_FOUND', 'No such user.');
    return { actor, target };
  }

  private async ensureAnotherActiveAdmin(manager: EntityManager, exceptId: string): Promise<void> {
    const others = await manager
      .createQueryBuilder(User, 'user')
      .where(`'admin' = ANY(user.roles) AND user.isActive AND user.id <> :exceptId`, { exceptId })
      .getCount();
    if (others === 0) throw new AppError('LAST_ADMIN');
  }

  /** Replaces a legacy or weaker hash, only if nobody changed the password in between. */
  private async upgradeHash(user: User, oldHash: string, password: string): Promise<void> {
    const newHash = await this.hasher.hash(password);
    await this.users.update({ id: user.id, passwordHash: oldHash }, { passwordHash: newHash });
  }

  private async insert(
    newUser: NewUser,
    options: {
      emailVerified?: boolean;
      /** Runs in the insert's transaction (the verification mail). */
      then?: (manager: EntityManager, user: User) => Promise<void>;
    } = {},
  ): Promise<User | null> {
    const passwordHash = await this.hasher.hash(newUser.password);
    try {
      return await this.users.manager.transaction(async (manager) => {
        const result = await manager.insert(User, {
          email: newUser.email,
          username: newUser.username,
          fullName: newUser.fullName ?? null,
          passwordHash,
          roles: newUser.roles ?? [DEFAULT_ROLE],
          emailVerified: options.emailVerified ?? false,
        });
        const user = await manager.findOneByOrFail(User, {
          id: result.identifiers[0].id as string,
        });
        await options.then?.(manager, user);
        return user;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}
