import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext, CaseResult } from '../lib/case.js';
import { Tally } from '../lib/case.js';
import { notOwnerOnly } from '../lib/checks.js';
import { SHOOT } from '../lib/fixture.js';
import { brief, REPO, sitter, transcript } from '../lib/proc.js';

/** Workspace 0700 and files 0600 whatever the umask: init, then commands that write, under umask 000. */
export async function ownerOnlyUnderUmask(ctx: CaseContext, umask: string): Promise<string[]> {
  const b = await ctx.baseline();
  const ws = join(ctx.workDir, `umask-${umask}`, 'workspace');
  rmSync(join(ctx.workDir, `umask-${umask}`), { recursive: true, force: true });
  const problems: string[] = [];
  const init = await sitter(['-w', ws, '--json', 'init'], { umask });
  if (init.code !== 0) return [`init: ${brief(init)}`];
  // The baseline workspace, restored and used under the umask: scan writes the database and journal, export a file.
  b.restore('approved');
  for (const args of [
    ['enrol', SHOOT],
    ['audit', 'export', '--output', join(b.ws, 'exported.jsonl')],
  ]) {
    const r = await b.run(args, { umask });
    if (r.code !== 0) problems.push(`${args[0]}: ${brief(r)}`);
  }
  for (const dir of [ws, b.ws]) problems.push(...notOwnerOnly(dir).map((p) => `umask ${umask}: ${p}`));
  return problems;
}

/** A preload that makes any network use fail loudly and leaves a mark (worker threads included). */
const NO_NETWORK = `
import { writeFileSync } from 'node:fs';
import net from 'node:net'; import dgram from 'node:dgram'; import tls from 'node:tls'; import http from 'node:http'; import https from 'node:https';
const mark = process.env.SITTER_CAMPAIGN_NET_MARK;
const refuse = (what) => function () { writeFileSync(mark, what + '\\n', { flag: 'a' }); throw new Error('campaign: network use refused: ' + what); };
net.Socket.prototype.connect = refuse('net.Socket.connect');
net.connect = net.createConnection = refuse('net.connect');
net.createServer = refuse('net.createServer');
dgram.createSocket = refuse('dgram.createSocket');
tls.connect = refuse('tls.connect');
http.request = http.get = https.request = https.get = refuse('http(s).request');
globalThis.fetch = refuse('fetch');
`;

/**
 * No socket during a local scan: the scan runs under a preload that refuses every Node network API,
 * and, where strace exists, under strace, which sees every socket(2) below Node as well (native code).
 */
export async function noSocketDuringScan(ctx: CaseContext): Promise<{ problems: string[]; observation: string }> {
  const b = await ctx.baseline();
  b.restore('enrolled');
  const preload = join(ctx.workDir, 'no-network.mjs');
  const mark = join(ctx.workDir, 'network-used');
  const trace = join(ctx.workDir, 'scan.strace');
  writeFileSync(preload, NO_NETWORK);
  rmSync(mark, { force: true });
  const strace = hasStrace() ? ['strace', '-f', '-qq', '-e', 'trace=socket,connect,bind', '-o', trace] : undefined;
  const r = await b.run(['scan', SHOOT, '--workers', '1'], {
    nodeArgs: ['--import', preload],
    env: { SITTER_CAMPAIGN_NET_MARK: mark },
    wrapper: strace,
  });
  const problems: string[] = [];
  if (r.code !== 0) problems.push(`scan: ${brief(r)}`);
  if (existsSync(mark)) problems.push(`network API used: ${readFileSync(mark, 'utf8').trim().replace(/\n/g, ', ')}`);
  const calls =
    strace && existsSync(trace)
      ? readFileSync(trace, 'utf8')
          .split('\n')
          .filter((l) => /\b(socket|connect|bind)\(/.test(l))
      : [];
  // Network families fail the case; local AF_UNIX sockets (glibc asking nscd for the user's name) are noted.
  const network = calls.filter((l) => /AF_INET6?|AF_PACKET|sin6?_addr/.test(l));
  if (network.length) problems.push(`network system calls: ${network.slice(0, 3).join(' | ')}`);
  const local = calls.filter((l) => /socket\(AF_UNIX/.test(l)).length;
  return {
    problems,
    observation: strace
      ? `preload and strace; ${local} local AF_UNIX socket(s) (user-name lookup), no network`
      : 'preload only (no strace)',
  };
}

function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Key material in every form a log could carry it, from the workspace's key files. */
function keyForms(ws: string): string[] {
  const files = [
    join(ws, 'master.key'),
    ...(existsSync(join(ws, 'keys')) ? readdirSync(join(ws, 'keys')).map((f) => join(ws, 'keys', f)) : []),
  ];
  return files.filter(existsSync).flatMap((f) => {
    const bytes = readFileSync(f);
    const text = bytes.toString('utf8').trim();
    return [
      bytes.toString('hex'),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      ...(/^[A-Za-z0-9+/=_-]{16,}$/.test(text) ? [text] : []),
    ].filter((s) => s.length >= 16);
  });
}

/** Key material never printed: every command's output in this campaign, and a debug run of a failure. */
export async function keysNeverPrinted(ctx: CaseContext): Promise<string[]> {
  const b = await ctx.baseline();
  b.restore('pushed');
  const forms = keyForms(b.ws);
  for (const args of [
    ['report', SHOOT],
    ['audit', 'export'],
    ['withdraw', SHOOT, 'M-002'],
    ['shoot', 'close', SHOOT, '--yes'],
  ])
    await b.run(args, { env: { SITTER_DEBUG: '1' } });
  await sitter(['-w', b.ws, 'scan', SHOOT], { env: { SITTER_DEBUG: '1' } }); // refused (closed), with the debug stack if any
  const logged = transcript.join('\n');
  return forms.some((f) => logged.includes(f)) ? ['key material appears in command output'] : [];
}

/** `npm audit --omit=dev`: high or critical advisories, or why the audit could not run. */
export function npmAudit(): { problems: string[]; observation: string } {
  let out = '';
  try {
    out = execFileSync('npm', ['audit', '--omit=dev', '--json'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 90_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  try {
    const report = JSON.parse(out) as {
      metadata?: { vulnerabilities?: Record<string, number> };
      message?: string;
      error?: { summary?: string };
    };
    const v = report.metadata?.vulnerabilities;
    if (!v)
      return {
        problems: [],
        observation: `audit endpoint not reached: ${report.message ?? report.error?.summary ?? 'no report'}`,
      };
    const serious = (v.high ?? 0) + (v.critical ?? 0);
    return {
      problems: serious ? [`${v.high} high, ${v.critical} critical`] : [],
      observation: `${v.total ?? 0} advisories (low ${v.low ?? 0}, moderate ${v.moderate ?? 0})`,
    };
  } catch {
    return { problems: [], observation: 'audit endpoint not reached (no JSON report)' };
  }
}

export const security: Case = {
  name: 'security',
  run: async (ctx): Promise<CaseResult[]> => {
    const perms = new Tally('security: workspace 0700, files 0600 under any umask');
    for (const umask of ['000', '022', '077']) perms.add(await ownerOnlyUnderUmask(ctx, umask));
    const sockets = new Tally('security: no socket during a local scan');
    const s = await noSocketDuringScan(ctx);
    sockets.add(s.problems, s.observation);
    const keys = new Tally('security: key material never printed');
    keys.add(await keysNeverPrinted(ctx), `checked against ${transcript.length / 2} command outputs`);
    const audit = new Tally('security: npm audit --omit=dev');
    const a = npmAudit();
    if (a.observation.startsWith('audit endpoint not reached')) audit.row.notes.push(a.observation);
    else audit.add(a.problems, a.observation);
    return [perms.done(), sockets.done(), keys.done(), audit.done()];
  },
};
