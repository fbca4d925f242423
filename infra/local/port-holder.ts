import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { findFreePort, portIsListening, probeSandbox, sandboxEndpoint } from '../sandbox/sandbox-process';

/**
 * Who holds a TCP port on 127.0.0.1, in words a user can act on: this project's sandbox (its pid
 * and the checkout it runs from), another program (pid and command line, read from /proc on Linux),
 * or nothing. `npm start` uses it to refuse ports it did not open itself.
 */
function processDescription(pid: number): string {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // Another user's process: the command line is enough.
    }
    return `pid ${pid} (${command.slice(0, 160)}${cwd ? `, in ${cwd}` : ''})`;
  } catch {
    return `pid ${pid}`;
  }
}

/** The pid listening on the port, from /proc/net/tcp{,6} and the processes' socket descriptors. */
function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // State 0A is LISTEN; the port is the hex after the colon.
      if (local && fields[3] === '0A' && Number.parseInt(local.split(':')[1] ?? '', 16) === port) {
        if (fields[9]) inodes.add(fields[9]);
      }
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(pid);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return undefined;
}

/** Undefined when the port is free; otherwise who holds it. */
export async function describePortHolder(port: number): Promise<string | undefined> {
  const sandbox = await probeSandbox(sandboxEndpoint(port));
  if (sandbox)
    return `an enclave-pools sandbox this npm start did not start, ${processDescription(sandbox.pid)}`;
  if (!(await portIsListening(port))) return undefined;
  const pid = listeningPid(port);
  return pid === undefined ? 'another program' : `another program, ${processDescription(pid)}`;
}

export class PortRefusedError extends Error {
  override name = 'PortRefusedError';
}

/**
 * The port to use: the one asked for when it is free. When it is taken, a port the user chose
 * explicitly (`variable` set) is refused with the exact command to run instead; the default is
 * swapped for a free one, and `note` says why.
 */
export async function choosePort(options: {
  variable: string;
  explicit: string | undefined;
  fallback: number;
  what: string;
}): Promise<{ port: number; note?: string }> {
  const wanted = options.explicit ? Number(options.explicit) : options.fallback;
  if (!Number.isInteger(wanted) || wanted <= 0 || wanted > 65535) {
    throw new PortRefusedError(`${options.variable}=${options.explicit} is not a TCP port; use 1-65535.`);
  }
  const holder = await describePortHolder(wanted);
  if (!holder) return { port: wanted };
  const free = await findFreePort();
  if (options.explicit) {
    throw new PortRefusedError(
      `Port ${wanted} (${options.variable}, ${options.what}) is held by ${holder}.\n` +
        `npm start never uses, writes into or resets a ${options.what} it did not start. Run it on a free port:\n` +
        `  ${options.variable}=${free} npm start`,
    );
  }
  return {
    port: free,
    note: `Port ${wanted} (${options.what}) is held by ${holder}; using ${free} instead.`,
  };
}
