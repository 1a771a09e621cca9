import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate, escapeDnValue, escapeFilterValue, groupNameOf, renderFilter } from './escape.js';

describe('ldap escaping', () => {
  it('escapes every filter metacharacter of RFC 4515', () => {
    assert.equal(escapeFilterValue('a*b(c)d\\e\u0000f'), 'a\\2ab\\28c\\29d\\5ce\\00f');
    assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
    assert.equal(escapeFilterValue('zoë'), 'zoë');
  });

  it('escapes DN specials, leading # and spaces, trailing spaces and control characters (RFC 4514)', () => {
    assert.equal(escapeDnValue('a,b+c"d;e<f>g\\h=i'), 'a\\,b\\+c\\"d\\;e\\<f\\>g\\\\h\\=i');
    assert.equal(escapeDnValue('#x '), '\\#x\\ ');
    assert.equal(escapeDnValue(' x'), '\\ x');
    assert.equal(escapeDnValue('a\u0000b\nc'), 'a\\00b\\0ac');
  });

  it('renders only the documented placeholders, with escaped values', () => {
    assert.equal(renderFilter('({{.UserAttr}}={{ .Username }})', { UserAttr: 'uid', Username: 'x)(uid=*' }), '(uid=x\\29\\28uid=\\2a)');
    assert.equal(checkTemplate('(&(a={{.UserDN}})(b={{.Username}}))', ['UserDN', 'Username']), undefined);
    assert.match(checkTemplate('({{.Password}})', ['UserDN', 'Username'])!, /unknown placeholder/);
    assert.match(checkTemplate('({{ printf "%s" .Username }})', ['UserDN', 'Username'])!, /only the placeholders/);
  });
});

describe('group names from DNs', () => {
  it('takes the first cn, unescaped, and keeps non-DN values as they are', () => {
    assert.equal(groupNameOf('cn=admins,ou=groups,dc=example,dc=org'), 'admins');
    assert.equal(groupNameOf('CN=Ops\\2c Team,OU=Groups,DC=x'), 'Ops, Team');
    assert.equal(groupNameOf('ou=x,cn=inner,dc=y'), 'inner');
    assert.equal(groupNameOf('admins'), 'admins');
  });
});
