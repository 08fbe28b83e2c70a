import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { SecurityEventsService } from '../audit/security-events.service.js';
import { isCliActor } from '../common/actor.js';
import type { RequestClient } from '../common/http/client-info.js';
import { isUuid } from '../common/uuid.js';
import { type ClientForRequest, OAuthClientCache } from './oauth-client-cache.js';
import { OAuthClient } from './oauth-client.entity.js';

export type { ClientForRequest } from './oauth-client-cache.js';

function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** A hash to compare against when the client does not exist, so both failures cost the same. */
const NO_CLIENT_HASH = hashSecret(randomBytes(32).toString('base64url'));

/**
 * OAuth clients of the client credentials grant: created by admins (secret shown once, 256 random bits,
 * stored as SHA-256: a secret that long needs no slow hash), listed without secrets, deleted with their
 * tokens. The one service the admin routes and the CLI (`clients create|list|delete`) call.
 */
@Injectable()
export class OAuthClientsService {
  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly cache: OAuthClientCache,
    private readonly events: SecurityEventsService,
  ) {}

  /** A new client and its secret (the only time the secret exists outside the caller). */
  async create(
    input: { name: string; scopes: string[] },
    actor: { actorId?: string; client?: RequestClient } = {},
  ): Promise<{ client: OAuthClient; secret: string }> {
    const secret = randomBytes(32).toString('base64url');
    const client = await this.clients.save(
      this.clients.create({
        name: input.name,
        scopes: input.scopes,
        secretHash: hashSecret(secret),
        // The CLI operator is no user: the audit row names it (details.actor "cli"), the column stays empty.
        createdBy: isCliActor(actor.actorId) ? null : (actor.actorId ?? null),
      }),
    );
    delete client.secretHash;
    await this.events.record({
      type: 'oauth_client.created',
      actorId: actor.actorId,
      ...actor.client,
      details: { client_id: client.id, name: client.name, scopes: client.scopes.join(' ') },
    });
    return { client, secret };
  }

  async list(page: {
    page: number;
    limit: number;
  }): Promise<{ items: OAuthClient[]; total: number }> {
    const [items, total] = await this.clients.findAndCount({
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (page.page - 1) * page.limit,
      take: page.limit,
    });
    return { items, total };
  }

  /** False when there is no such client. Its tokens stop working at once on every instance. */
  async delete(
    id: string,
    actor: { actorId?: string; client?: RequestClient } = {},
  ): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.clients.delete({ id });
    if (!result.affected) return false;
    this.cache.invalidate(id);
    await this.events.record({
      type: 'oauth_client.deleted',
      actorId: actor.actorId,
      ...actor.client,
      details: { client_id: id },
    });
    return true;
  }

  /** The client whose id and secret these are, or undefined (which of the two was wrong is not told). */
  async authenticate(clientId: string, secret: string): Promise<ClientForRequest | undefined> {
    const row = isUuid(clientId)
      ? await this.clients.findOne({
          where: { id: clientId },
          select: { id: true, name: true, scopes: true, secretHash: true },
        })
      : null;
    const expected = Buffer.from(row?.secretHash ?? NO_CLIENT_HASH, 'hex');
    const given = Buffer.from(hashSecret(secret), 'hex');
    if (!row || !timingSafeEqual(expected, given)) return undefined;
    return { id: row.id, name: row.name, scopes: row.scopes };
  }

  /** For each request with a client token: in memory, kept current by notifications. */
  findForRequest(id: string): Promise<ClientForRequest | null> {
    return isUuid(id) ? this.cache.get(id) : Promise.resolve(null);
  }

  /** From the database, never a cache (introspection). */
  findCurrent(id: string): Promise<ClientForRequest | null> {
    return isUuid(id) ? this.cache.read(id) : Promise.resolve(null);
  }
}
