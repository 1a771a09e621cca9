/**
 * Every secrets engine and auth method, by type name. Handed to the Core when the server
 * starts, so core never imports a particular engine: adding one touches its own folder
 * and one line here.
 */
import type { BackendRegistry } from './core/core.js';
import cubbyhole from './engines/cubbyhole/index.js';
import database from './engines/database/index.js';
import kv from './engines/kv/index.js';
import pki from './engines/pki/index.js';
import approle from './auth/approle/index.js';
import cert from './auth/cert/index.js';
import jwt from './auth/jwt/index.js';
import kubernetes from './auth/kubernetes/index.js';
import ldap from './auth/ldap/index.js';
import userpass from './auth/userpass/index.js';
import totp from './engines/totp/index.js';
import transit from './engines/transit/index.js';

export const registry: BackendRegistry = {
  secrets: {
    cubbyhole,
    database,
    kv,
    // Vault's old name for kv version 1: mounts keep "generic" as their type, as Vault's do.
    generic: kv,
    pki,
    totp,
    transit,
  },
  auth: {
    approle,
    cert,
    jwt,
    kubernetes,
    ldap,
    oidc: jwt,
    userpass,
  },
};
