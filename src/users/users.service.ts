import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { usersConfig, type UsersConfig } from '../config/users.config.js';
import { AppError } from '../common/errors/app-error.js';
import { PASSWORD_MAX_LENGTH } from './dto/password.rules.js';
import { PasswordHasher } from './password-hasher.js';
import { DEFAULT_ROLE } from './roles.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  username: string;
  password: string;
  fullName?: string | null;
  roles?: string[];
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === UNIQUE_VIOLATION
  );
}

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  private readonly hasher: PasswordHasher;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(usersConfig.KEY) private readonly config: UsersConfig,
  ) {
    this.hasher = new PasswordHasher(config.passwordHashRounds);
  }

  /** The admin named by ADMIN_* exists after start-up: created once, never overwritten. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    const created = await this.insert({ ...admin, roles: ['admin'] });
    this.logger.log(
      created
        ? `Created the bootstrap admin "${admin.username}"`
        : `Bootstrap admin "${admin.username}" not created: that email or username exists already`,
    );
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** Creates the user; 409 USER_EXISTS when the email or username is taken, decided by the unique indexes. */
  async create(newUser: NewUser): Promise<User> {
    const user = await this.insert(newUser);
    if (!user) throw new AppError('USER_EXISTS');
    return user;
  }

  async updateProfile(id: string, changes: { fullName?: string | null }): Promise<User> {
    if (changes.fullName !== undefined)
      await this.users.update({ id }, { fullName: changes.fullName });
    const user = await this.findById(id);
    if (!user) throw new AppError('NOT_FOUND');
    return user;
  }

  /**
   * Checks a login. Unknown user, wrong password and disabled user all answer null after the same
   * bcrypt work, so neither the answer nor its timing tells whether the account exists.
   */
  async authenticate(identifier: string, password: string): Promise<User | null> {
    if (password.length > PASSWORD_MAX_LENGTH * 4 || identifier.length > 254) return null;
    const user = await this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.username = :identifier OR user.email = :identifier', { identifier })
      .getOne();
    if (!user?.passwordHash) {
      await this.hasher.verifyDummy(password);
      return null;
    }
    const check = await this.hasher.verify(password, user.passwordHash);
    if (!check.valid || !user.isActive) return null;
    if (check.needsRehash) await this.upgradeHash(user, user.passwordHash, password);
    delete user.passwordHash;
    return user;
  }

  /** Replaces a legacy or weaker hash, only if nobody changed the password in between. */
  private async upgradeHash(user: User, oldHash: string, password: string): Promise<void> {
    const newHash = await this.hasher.hash(password);
    await this.users.update({ id: user.id, passwordHash: oldHash }, { passwordHash: newHash });
  }

  private async insert(newUser: NewUser): Promise<User | null> {
    const passwordHash = await this.hasher.hash(newUser.password);
    try {
      const result = await this.users.insert({
        email: newUser.email,
        username: newUser.username,
        fullName: newUser.fullName ?? null,
        passwordHash,
        roles: newUser.roles ?? [DEFAULT_ROLE],
      });
      return await this.findById(result.identifiers[0].id as string);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}
