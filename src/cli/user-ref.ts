import type { EntityManager } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import { User } from '../users/user.entity.js';
import { CliError } from './cli-error.js';

/**
 * A user named on the command line by id, username or email (usernames and emails are unique and
 * case-insensitive in the database). Unknown: exit status 1.
 */
export async function findUserByRef(manager: EntityManager, ref: string): Promise<User> {
  const builder = manager.getRepository(User).createQueryBuilder('user');
  if (isUuid(ref)) builder.where('user.id = :ref', { ref });
  else builder.where('user.username = :ref OR user.email = :ref', { ref });
  const user = await builder.getOne();
  if (!user) throw new CliError(`no user "${ref}" (give an id, username or email)`, 'NOT_FOUND');
  return user;
}

export async function resolveUserId(manager: EntityManager, ref: string): Promise<string> {
  return (await findUserByRef(manager, ref)).id;
}
