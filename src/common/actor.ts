/**
 * Who does an admin action: a user's id, or CLI_ACTOR for an operator at the `gatehouse` command line.
 * The operator already holds the database, so the CLI ranks above every role; the rules that protect
 * the service itself (the last active admin, the password policy) still apply. Audit rows of its
 * actions have no `actor_id` (there is no user) and `details.actor: "cli"`.
 */
export const CLI_ACTOR = 'cli';

export type ActorId = string;

export function isCliActor(actorId: ActorId | null | undefined): boolean {
  return actorId === CLI_ACTOR;
}
