import { gzipSync } from 'node:zlib';
import { decodeUserData, parseUserData } from '../../../lib/preview/user-data-parts';

const MIME = [
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="==B=="',
  '',
  '--==B==',
  'Content-Type: text/x-shellscript; charset="us-ascii"',
  'MIME-Version: 1.0',
  '',
  '#!/bin/bash',
  'echo hi',
  '',
  '--==B==',
  'Content-Type: application/node.eks.aws',
  '',
  '---',
  'apiVersion: node.eks.aws/v1alpha1',
  'kind: NodeConfig',
  '',
  '--==B==--',
  '',
].join('\n');

describe('user data decoding', () => {
  it('splits MIME multipart into the shell part and the NodeConfig', () => {
    const decoded = decodeUserData(Buffer.from(MIME).toString('base64'));
    expect(decoded).toMatchObject({ gzipped: false, multipart: true });
    expect(decoded.parts.map((p) => [p.label, p.body])).toEqual([
      ['shell', '#!/bin/bash\necho hi\n'],
      ['NodeConfig', '---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n'],
    ]);
  });

  it('gunzips gzipped user data and accepts CRLF line ends', () => {
    const decoded = decodeUserData(gzipSync(Buffer.from(MIME.replace(/\n/g, '\r\n'))).toString('base64'));
    expect(decoded.gzipped).toBe(true);
    expect(decoded.parts.map((p) => p.label)).toEqual(['shell', 'NodeConfig']);
  });

  it('treats a plain script or plain text as one part', () => {
    expect(parseUserData('#!/bin/sh\necho\n').parts).toEqual([
      { label: 'shell', contentType: 'text/x-shellscript', body: '#!/bin/sh\necho\n' },
    ]);
    expect(parseUserData('hello').parts[0]?.label).toBe('text/plain');
    expect(decodeUserData(undefined)).toEqual({ raw: '', gzipped: false, multipart: false, parts: [] });
  });

  it('keeps unknown part types under their content type', () => {
    const text =
      'Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: text/cloud-config\n\n#cloud-config\n--X--\n';
    expect(parseUserData(text).parts).toEqual([
      { label: 'text/cloud-config', contentType: 'text/cloud-config', body: '#cloud-config\n' },
    ]);
  });

  it('shows bytes that only look like gzip as they are', () => {
    const decoded = decodeUserData(Buffer.from([0x1f, 0x8b, 0x41]).toString('base64'));
    expect(decoded.gzipped).toBe(false);
  });
});
