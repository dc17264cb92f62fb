import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInterop } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';
import { PASSWORD, jid } from './offline-support';

interface Seen {
  url: string;
  service: string;
  max_file_size: number;
  get: [number, string, boolean, number];
  too_big: string;
}

/** XEP-0363 with slixmpp's xep_0363 plugin: discovery, the slot, its own HTTP PUT, then a GET. */
describe('HTTP file upload with slixmpp (xep_0363)', () => {
  let server: TestServer;

  before(async () => {
    server = await TestServer.create({ users: [['alice', PASSWORD]], config: `upload () { 'max-file-size' = 200000 }\n` });
    await server.start();
  });
  after(() => server.dispose());

  it('uploads a file it finds the service for, and the GET returns the same bytes', async () => {
    const r = await runInterop<Seen>('upload.py', [server.port, `${jid('alice')}/slix`, PASSWORD, 150_000]);
    assert.equal(r.service, `upload.${DOMAIN}`);
    assert.equal(r.max_file_size, 200000);
    assert.match(r.url, new RegExp(`^http://${DOMAIN}:${server.web.http}/upload/[A-Za-z0-9_-]{24}/picture%20of%20me\\.png$`));
    assert.deepEqual(r.get, [200, 'image/png', true, 150_000]);
    assert.equal(r.too_big, 'FileTooBig');
  });
});
