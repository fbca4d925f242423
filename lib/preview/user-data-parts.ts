import { gunzipSync } from 'node:zlib';

/**
 * Launch template user data back into readable parts (the shell script, the NodeConfig), so a plan
 * can show what a node would run differently instead of two base64 blobs. Accepts what EC2 stores:
 * base64 of a MIME multipart document, possibly gzipped, or of a plain script.
 */

export interface UserDataPart {
  /** `shell`, `NodeConfig`, or the content type for anything else. */
  label: string;
  contentType: string;
  body: string;
}

export interface DecodedUserData {
  /** The raw document (after base64 and gunzip). */
  raw: string;
  gzipped: boolean;
  multipart: boolean;
  parts: UserDataPart[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

function decodeUserDataText(base64: string): { raw: string; gzipped: boolean } {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      return { raw: gunzipSync(bytes).toString('utf8'), gzipped: true };
    } catch {
      // Not gzip after all (a script that happens to start with those bytes): show it as is.
    }
  }
  return { raw: bytes.toString('utf8'), gzipped: false };
}

function labelFor(contentType: string): string {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'text/x-shellscript') return 'shell';
  if (type === 'application/node.eks.aws') return 'NodeConfig';
  return type || 'text/plain';
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitHead(text: string): { head: string; body: string } {
  const blank = text.indexOf('\n\n');
  return blank < 0 ? { head: text, body: '' } : { head: text.slice(0, blank), body: text.slice(blank + 2) };
}

export function parseUserData(raw: string): Pick<DecodedUserData, 'multipart' | 'parts'> {
  const text = raw.replace(/\r\n/g, '\n');
  if (text === '') return { multipart: false, parts: [] };
  const { head, body } = splitHead(text);
  const contentType = parseHeaders(head)['content-type'] ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!contentType.toLowerCase().startsWith('multipart/') || !boundary) {
    const script = text.startsWith('#!');
    return {
      multipart: false,
      parts: [
        {
          label: script ? 'shell' : 'text/plain',
          contentType: script ? 'text/x-shellscript' : 'text/plain',
          body: text,
        },
      ],
    };
  }
  const delimiter = `--${boundary}`;
  const parts: UserDataPart[] = [];
  const sections = `\n${body}`.split(`\n${delimiter}`);
  // sections[0] is the preamble; a section starting with `--` is the closing delimiter's epilogue.
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) break;
    const content = section.replace(/^[ \t]*\n/, '');
    const part = splitHead(content);
    const type = parseHeaders(part.head)['content-type'] ?? 'text/plain';
    parts.push({ label: labelFor(type), contentType: type, body: part.body.replace(/\n*$/, '\n') });
  }
  return { multipart: true, parts };
}

export function decodeUserData(base64: string | undefined): DecodedUserData {
  const { raw, gzipped } = decodeUserDataText(base64 ?? '');
  return { raw, gzipped, ...parseUserData(raw) };
}
