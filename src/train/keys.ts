/**
 * The ephemeral SSH key of one training run: an ed25519 pair generated in this process. The public
 * key goes into the instances' user data (authorized_keys of the SSH user); the private key stays in
 * this object, in memory only: it is never written to disk, logged or returned, and it prints as
 * `[ephemeral ssh key]` however it is stringified. (It is not registered with the log masker either:
 * `::add-mask::` would itself send it to the runner's output stream.)
 */
import { utils } from 'ssh2';

export class EphemeralKey {
  /** `ssh-ed25519 AAAA… comment`, for authorized_keys. */
  readonly publicKey: string;
  readonly #privateKey: string;

  private constructor(publicKey: string, privateKey: string) {
    this.publicKey = publicKey;
    this.#privateKey = privateKey;
  }

  static generate(comment: string): EphemeralKey {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    return new EphemeralKey(pair.public.trim(), pair.private);
  }

  /** For the SSH client only. */
  privateKey(): string {
    return this.#privateKey;
  }

  toString(): string {
    return '[ephemeral ssh key]';
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
