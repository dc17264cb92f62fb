import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webUriFor } from './redirect-target';

describe('webUriFor', () => {
  const web = ['ws://n2:5290/xmpp-websocket', 'wss://n2:5291/xmpp-websocket', 'http://n2:5280/http-bind', 'https://n2:5281/http-bind'];

  it('picks the endpoint of the same transport and security', () => {
    assert.equal(webUriFor(web, 'ws2s', false), 'ws://n2:5290/xmpp-websocket');
    assert.equal(webUriFor(web, 'ws2s', true), 'wss://n2:5291/xmpp-websocket');
    assert.equal(webUriFor(web, 'bosh', false), 'http://n2:5280/http-bind');
    assert.equal(webUriFor(web, 'bosh', true), 'https://n2:5281/http-bind');
  });

  it('never sends a secure client to a plain endpoint; a plain one may go secure', () => {
    assert.equal(webUriFor(['ws://n2:5290/xmpp-websocket'], 'ws2s', true), undefined);
    assert.equal(webUriFor(['wss://n2:5291/xmpp-websocket'], 'ws2s', false), 'wss://n2:5291/xmpp-websocket');
    assert.equal(webUriFor(['https://n2:5281/http-bind'], 'bosh', false), 'https://n2:5281/http-bind');
  });

  it('has nothing for TCP or a node without web endpoints', () => {
    assert.equal(webUriFor(web, 'c2s', false), undefined);
    assert.equal(webUriFor(undefined, 'ws2s', false), undefined);
    assert.equal(webUriFor([], 'bosh', true), undefined);
  });
});
