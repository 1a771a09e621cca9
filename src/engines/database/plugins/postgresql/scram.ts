/**
 * SCRAM-SHA-256 verifiers in PostgreSQL's stored format, so that with
 * `password_authentication = "scram-sha-256"` a generated password never reaches the
 * server (or its statement log) in the clear: PostgreSQL stores a verifier it is given as is.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default iteration count (scram_iterations). */
const ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  // PostgreSQL runs SASLprep over the password; NFKC is its normalization step, and
  // generated passwords (printable ASCII) are unchanged by either.
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  salted.fill(0);
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
