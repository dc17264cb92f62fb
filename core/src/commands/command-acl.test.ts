import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJid } from '@starling/sdk';
import { parseConfig } from '../config';
import { ConfigBeanView } from '../config/config-bean-view';
import { type AclEnvironment, CommandAcl, parseAcl } from './command-acl';

const env: AclEnvironment = {
  isPrivileged: (j) => j.bareString === 'admin@a.test' || j.bareString === 'robot@a.test',
  isLocalDomain: (d) => d === 'a.test' || d === 'b.test',
  domainRoles: (d) => (d === 'b.test' ? { owner: 'olga@a.test', admins: ['ada@a.test'] } : d === 'a.test' ? { admins: [] } : undefined),
};

function acl(tdsl: string): CommandAcl {
  const view = new ConfigBeanView(parseConfig(tdsl, 'acl.tdsl'));
  return CommandAcl.fromConfig(view.bean('sess-man'), env);
}
const j = (s: string) => parseJid(s);

describe('CommandAcl', () => {
  it('defaults to ADMIN: privileged JIDs (admins, trusted) only', () => {
    const a = acl(`'sess-man' {}`);
    assert.equal(a.canCall(j('admin@a.test/x'), 'anything'), true);
    assert.equal(a.canCall(j('robot@a.test/x'), 'anything'), true);
    assert.equal(a.canCall(j('bob@a.test/x'), 'anything'), false);
  });

  it('reads lists and comma strings from the commands bean', () => {
    const a = acl(`'sess-man' () { commands {
      'open' = [ 'ALL' ]
      'local' = 'LOCAL'
      'people' = [ 'bob@a.test', 'carol@b.test' ]
      'dom' = 'b.test'
      'off' = [ 'NONE' ]
    } }`);
    assert.equal(a.canCall(j('eve@elsewhere.test/x'), 'open'), true);
    assert.equal(a.canCall(j('bob@b.test/x'), 'local'), true);
    assert.equal(a.canCall(j('eve@elsewhere.test/x'), 'local'), false);
    assert.equal(a.canCall(j('bob@a.test/x'), 'people'), true);
    assert.equal(a.canCall(j('dave@a.test/x'), 'people'), false);
    assert.equal(a.canCall(j('dave@b.test/x'), 'dom'), true);
    // Tigase's CmdAcl compares the domain with itself and lets everyone in; here only b.test JIDs pass.
    assert.equal(a.canCall(j('dave@a.test/x'), 'dom'), false);
    assert.equal(a.canCall(j('dave@b.test/x'), 'dom', 'a.test'), false, 'and only for their own domain');
    assert.equal(a.canCall(j('admin@a.test/x'), 'off'), false, 'NONE switches a command off, even for admins');
    assert.equal(a.isDisabled('off'), true);
  });

  it('applies the component-wide ALL list before the command’s own', () => {
    const a = acl(`'sess-man' { commands { ALL = 'LOCAL' } }`);
    assert.equal(a.canCall(j('bob@a.test/x'), 'whatever'), true);
    assert.equal(a.canCall(j('eve@elsewhere.test/x'), 'whatever'), false);
  });

  it('DOMAIN_ADMIN and DOMAIN_OWNER mean a local user without a domain, the vhost’s roles with one', () => {
    const a = acl(`'sess-man' { commands { 'add' = 'DOMAIN_ADMIN'
    'own' = 'DOMAIN_OWNER' } }`);
    assert.equal(a.canCall(j('bob@a.test/x'), 'add'), true);
    assert.equal(a.canCall(j('eve@elsewhere.test/x'), 'add'), false);
    assert.equal(a.canCall(j('ada@a.test/x'), 'add', 'b.test'), true);
    assert.equal(a.canCall(j('olga@a.test/x'), 'add', 'b.test'), true, 'the owner administers too');
    assert.equal(a.canCall(j('bob@a.test/x'), 'add', 'b.test'), false);
    assert.equal(a.canCall(j('ada@a.test/x'), 'own', 'b.test'), false);
    assert.equal(a.canCall(j('olga@a.test/x'), 'own', 'b.test'), true);
    assert.equal(a.canCall(j('ada@a.test/x'), 'add', 'other.test'), false, 'not a vhost');
  });

  it('refuses unknown entries with the config position', () => {
    assert.throws(() => acl(`'sess-man' { commands { 'x' = [ 'bob@a.test/res' ] } }`), /acl\.tdsl:1:\d+: command ACL 'bob@a\.test\/res' is not ALL/);
    assert.throws(() => acl(`'sess-man' { commands { 'x' = 5 } }`), /STARLING|must be a list/);
    assert.deepEqual(parseAcl('admin, LOCAL', () => ''), [{ kind: 'ADMIN' }, { kind: 'LOCAL' }]);
  });
});
