// Secrets (session tokens, resume codes) are stored hashed, so a copied database file hands out nothing.
import { createHash } from 'node:crypto';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
