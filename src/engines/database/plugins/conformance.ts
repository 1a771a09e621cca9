/**
 * The one behaviour contract every database plugin must meet, run against its real
 * database. Each plugin's test calls runPluginConformance with a harness; a new plugin is
 * done when this suite passes unchanged (plus its own dialect tests).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../logging/logger.js';
import { DatabaseUnreachable, StatementFailed, type ConnectionSettings, type DatabaseConnection, type DatabasePlugin } from './plugin.js';

export interface PluginHarness {
  plugin: DatabasePlugin;
  /** Settings of an admin that may create, alter and drop users. */
  settings: ConnectionSettings;
  /** Creation statements in Vault's style that let the user log in and read something. */
  creation: string[];
  /** A statement that the database refuses (it runs after a user was created). */
  failing: string;
  /** Logs in as `user` and reads: true when the database lets it. */
  canLogin(user: string, password: string): Promise<boolean>;
  userExists(user: string): Promise<boolean>;
  stop(): Promise<void>;
}

export function runPluginConformance(name: string, start: () => Promise<PluginHarness>): void {
  describe(`database plugin conformance: ${name}`, () => {
    let h: PluginHarness;
    let conn: DatabaseConnection;
    let n = 0;
    const newUser = (prefix = 'conf') => `${prefix}_${process.pid}_${n++}`;
    const expiration = () => new Date(Date.now() + 3600_000);
    before(async () => {
      h = await start();
      conn = h.plugin.open(h.settings, silentLogger);
    });
    after(async () => {
      await conn?.close();
      await h?.stop();
    });

    it('verifies a good connection and names the reason for a bad login', async () => {
      await conn.verify();
      const bad = h.plugin.open({ ...h.settings, password: 'not-the-password' }, silentLogger);
      await assert.rejects(bad.verify(), (err) => err instanceof DatabaseUnreachable && !err.message.includes('not-the-password'));
      await bad.close();
    });

    it('creates a user that logs in; the default revocation drops it, and again is harmless', async () => {
      const user = newUser();
      await conn.createUser({ username: user, password: 'Pw-1234567890', expiration: expiration(), creation: h.creation, rollback: [] });
      assert.equal(await h.canLogin(user, 'Pw-1234567890'), true);
      await conn.renewUser({ username: user, expiration: expiration(), statements: [] });
      assert.equal(await h.canLogin(user, 'Pw-1234567890'), true);
      await conn.revokeUser({ username: user, statements: [] });
      assert.equal(await h.canLogin(user, 'Pw-1234567890'), false);
      assert.equal(await h.userExists(user), false);
      await conn.revokeUser({ username: user, statements: [] });
    });

    it('a creation failing part-way is a StatementFailed and leaves no user', async () => {
      const user = newUser();
      await assert.rejects(
        conn.createUser({ username: user, password: 'Pw-1234567890', expiration: expiration(), creation: [...h.creation, h.failing], rollback: [] }),
        (err) => err instanceof StatementFailed && /statement \d+ failed/.test(err.message),
      );
      assert.equal(await h.userExists(user), false);
    });

    it('sets a password with the default statements: the new one works, the old one is refused', async () => {
      const user = newUser();
      await conn.createUser({ username: user, password: 'Old-1234567890', expiration: expiration(), creation: h.creation, rollback: [] });
      await conn.setPassword({ username: user, password: 'New-1234567890', statements: [] });
      assert.equal(await h.canLogin(user, 'Old-1234567890'), false);
      assert.equal(await h.canLogin(user, 'New-1234567890'), true);
      await conn.revokeUser({ username: user, statements: [] });
    });

    it('takes names and passwords with quotes, backslashes, ; and $$ literally', async () => {
      const user = `${newUser('q')}'"\\;$$`;
      const password = `p'"\\;$$-- /*x`;
      await conn.createUser({ username: user, password, expiration: expiration(), creation: h.creation, rollback: [] });
      assert.equal(await h.userExists(user), true);
      assert.equal(await h.canLogin(user, password), true);
      await conn.revokeUser({ username: user, statements: [] });
      assert.equal(await h.userExists(user), false);
    });

    it('an unreachable server is DatabaseUnreachable, for every operation', async () => {
      const down = h.plugin.open({ ...h.settings, connectionUrl: h.settings.connectionUrl.replace(/:\d+/, ':1') }, silentLogger);
      await assert.rejects(down.verify(), DatabaseUnreachable);
      await assert.rejects(down.revokeUser({ username: 'x', statements: [] }), DatabaseUnreachable);
      await down.close();
    });
  });
}
