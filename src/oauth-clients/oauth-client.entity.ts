import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A machine client of the client credentials grant. Only the SHA-256 of its secret is stored; the
 * secret exists only in the creation response. Deleting the row ends the client and its tokens.
 */
@Entity({ name: 'oauth_clients' })
export class OAuthClient {
  /** The `client_id`. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'secret_hash', type: 'text', unique: true, select: false })
  secretHash?: string;

  /** The most a token of this client may carry. */
  @Column({ type: 'text', array: true })
  scopes: string[];

  /** The admin who created it (kept after that user is gone). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
