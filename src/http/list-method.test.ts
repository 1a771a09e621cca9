import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedListStart, rewriteListRequest } from './list-method.js';

describe('LIST and SCAN request rewriting', () => {
  it('turns LIST into GET ?list=true and asks for the connection to close', () => {
    const out = rewriteListRequest('LIST /v1/secret/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n')!;
    assert.equal(out, 'GET /v1/secret/?list=true HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });

  it('keeps an existing query and turns SCAN into ?scan=true', () => {
    const out = rewriteListRequest('SCAN /v1/kv/metadata/app?limit=5 HTTP/1.1\r\nHost: x\r\n')!;
    assert.match(out, /^GET \/v1\/kv\/metadata\/app\?limit=5&scan=true HTTP\/1\.1\r\n/);
  });

  it('drops any body framing, since the one-shot connection carries no body', () => {
    const out = rewriteListRequest('LIST /v1/a HTTP/1.1\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n')!;
    assert.doesNotMatch(out, /content-length|transfer-encoding/i);
  });

  it('refuses what is not a well-formed LIST or SCAN request line', () => {
    assert.equal(rewriteListRequest('LIST  /v1/a HTTP/1.1\r\n'), null);
    assert.equal(rewriteListRequest('LIST /v1/a HTTP/2\r\n'), null);
    assert.equal(rewriteListRequest('LIST /v1/a HTTP/1.1'), null);
  });
});

describe('where a refused LIST or SCAN begins', () => {
  const start = (chunk: string, at: number) => refusedListStart(Buffer.from(chunk, 'latin1'), at)?.toString('latin1') ?? null;

  it('finds the method after a pipelined request in the same chunk', () => {
    // The parser refuses the S of LIST (it still hoped for LINK) and the C of SCAN.
    assert.equal(start('{}LIST /a HTTP/1.1\r\n', 4), 'LIST /a HTTP/1.1\r\n');
    assert.equal(start('\r\nSCAN /a HTTP/1.1\r\n', 3), 'SCAN /a HTTP/1.1\r\n');
  });

  it('puts back the letters an earlier chunk gave the parser', () => {
    assert.equal(start('ST /a HTTP/1.1\r\n', 0), 'LIST /a HTTP/1.1\r\n');
    assert.equal(start('IST /a HTTP/1.1\r\n', 1), 'LIST /a HTTP/1.1\r\n');
    assert.equal(start('CAN /a HTTP/1.1\r\n', 0), 'SCAN /a HTTP/1.1\r\n');
  });

  it('is null for any other refused method', () => {
    assert.equal(start('FROB /a HTTP/1.1\r\n', 0), null);
    assert.equal(start('XIST /a HTTP/1.1\r\n', 2), null);
    assert.equal(start('LOST /a HTTP/1.1\r\n', 2), null);
  });
});
