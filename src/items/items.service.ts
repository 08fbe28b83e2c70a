import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FindOptionsWhere, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import type { Principal } from '../access/principal.js';
import { Item } from './item.entity.js';

/** Who is acting on items: their own rows, or everyone's with `moderate:items`. */
export interface ItemActor {
  userId: string;
  canModerate: boolean;
}

export function itemActor(principal: Principal): ItemActor {
  return {
    userId: principal.user.id,
    canModerate: principal.scopes.includes('moderate:items'),
  };
}

export interface NewItem {
  name: string;
  description?: string | null;
}

export interface ItemChanges {
  name?: string;
  description?: string | null;
}

const NOT_FOUND = 'No such item.';

@Injectable()
export class ItemsService {
  constructor(@InjectRepository(Item) private readonly items: Repository<Item>) {}

  /** The actor's own items, or everyone's for a moderator, oldest first. */
  async list(
    actor: ItemActor,
    page: { page: number; limit: number },
  ): Promise<{ items: Item[]; total: number }> {
    const [items, total] = await this.items.findAndCount({
      where: actor.canModerate ? {} : { ownerId: actor.userId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: (page.page - 1) * page.limit,
      take: page.limit,
    });
    return { items, total };
  }

  async create(actor: ItemActor, newItem: NewItem): Promise<Item> {
    const item = this.items.create({
      ownerId: actor.userId,
      name: newItem.name,
      description: newItem.description ?? null,
    });
    // One INSERT ... RETURNING, which fills in the id and timestamps.
    await this.items.insert(item);
    return item;
  }

  async get(actor: ItemActor, id: string): Promise<Item> {
    const item = await this.items.findOneBy(this.reachable(actor, id));
    if (!item) throw new AppError('NOT_FOUND', NOT_FOUND);
    return item;
  }

  async update(actor: ItemActor, id: string, changes: ItemChanges): Promise<Item> {
    const values = {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
    };
    if (Object.keys(values).length === 0) return this.get(actor, id);
    const result = await this.items.update(this.reachable(actor, id), values);
    if (!result.affected) throw new AppError('NOT_FOUND', NOT_FOUND);
    return this.get(actor, id);
  }

  async remove(actor: ItemActor, id: string): Promise<void> {
    const result = await this.items.delete(this.reachable(actor, id));
    if (!result.affected) throw new AppError('NOT_FOUND', NOT_FOUND);
  }

  /**
   * Ownership is part of the statement's WHERE clause, never a comparison after reading: another
   * user's item matches no row, exactly like an id that does not exist.
   */
  private reachable(actor: ItemActor, id: string): FindOptionsWhere<Item> {
    return actor.canModerate ? { id } : { id, ownerId: actor.userId };
  }
}
