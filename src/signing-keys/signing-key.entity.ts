import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signing key pair. Published (in the JWKS) from `created_at`, signs from `activates_at`, retired
 * when a newer key activates, and published until every token it signed has expired. The private half
 * is sealed (AES-256-GCM, SIGNING_KEY_ENCRYPTION_KEY, bound to the kid) and never selected by default.
 */
@Entity({ name: 'signing_keys' })
export class SigningKey {
  /** RFC 7638 thumbprint of the public JWK. */
  @PrimaryColumn({ type: 'text' })
  kid: string;

  @Column({ type: 'text' })
  algorithm: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: Record<string, string>;

  /** Sealed PKCS#8 PEM. */
  @Column({ name: 'private_key', type: 'text', select: false })
  privateKey?: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'activates_at', type: 'timestamptz' })
  activatesAt: Date;
}
