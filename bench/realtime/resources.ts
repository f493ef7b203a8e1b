/**
 * What a scenario costs the machine, read from `/proc` on Linux: CPU time of this process's main thread, of its
 * other threads (the runtime's dynalite thread, the floor's relay threads, V8's and libuv's helpers) and of its
 * child processes (the runtime's Lambda execution environments, one process each); open file descriptors and
 * their limit; resident memory; and the CPU the rest of the machine used meanwhile, which tells a quiet run from
 * one that shared the cores. `process.cpuUsage()` sees every thread of this process but no child.
 *
 * Every reader returns `undefined` where `/proc` is missing, so the benchmark still runs elsewhere.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Clock ticks per second of `/proc/<pid>/stat`'s `utime`/`stime` (`getconf CLK_TCK`): 100 on every Linux
 * kernel Node supports in practice.
 */
const CLOCK_TICKS_PER_SECOND = 100;

/** Bytes per page of `/proc/<pid>/stat`'s `rss`. */
const PAGE_BYTES = 4096;

/** The fields of `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) this module reads. */
export interface ProcStat {
  readonly pid: number;
  /** The command name (`comm`, at most 15 characters), e.g. `node`. */
  readonly name: string;
  readonly ppid: number;
  /** `utime + stime`, in ms. */
  readonly cpuMs: number;
  /** Resident set size, in MB. */
  readonly rssMb: number;
}

/**
 * Reads `pid`, `ppid`, `utime + stime` and `rss` from the text of `/proc/<pid>/stat`. The command name (field
 * 2) is in parentheses and may itself hold spaces and parentheses, so fields are counted from the last `)`.
 * `undefined` for text that is not such a line.
 *
 * @example
 * parseProcStat('42 (node) S 7 42 42 0 -1 4194560 0 0 0 0 150 25 0 0 20 0 11 0 900 1000 2560 0');
 * // { pid: 42, name: 'node', ppid: 7, cpuMs: 1750, rssMb: 10 }
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open));
  // From field 3 on: state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14)
  // stime(15) cutime cstime priority nice num_threads itrealvalue starttime vsize rss(24).
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => Number(fields[n - 3]);
  const [ppid, utime, stime, rss] = [field(4), field(14), field(15), field(24)];
  if (![pid, ppid, utime, stime, rss].every(Number.isInteger)) return undefined;
  return {
    pid,
    name: text.slice(open + 2, close),
    ppid,
    cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND,
    rssMb: (rss * PAGE_BYTES) / (1024 * 1024),
  };
}

function readStat(path: string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // gone in between, or no /proc
  }
}

function list(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

/** The ids of the live child processes of `pid`, from `/proc/<pid>/task/<tid>/children` (any thread may fork). */
function childrenOf(pid: number): number[] {
  const ids: number[] = [];
  for (const task of list(`/proc/${pid}/task`) ?? []) {
    try {
      for (const id of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/)) {
        if (id !== '') ids.push(Number(id));
      }
    } catch {
      // the thread ended in between
    }
  }
  return ids;
}

/** One reading of what this process and its children have used so far. */
export interface ResourceSample {
  /** CPU time of this process's main thread (the event loop: clients, servers, gateway), in ms. */
  readonly mainThreadCpuMs: number;
  /** CPU time of every other thread of this process (worker threads, GC, libuv pool), in ms. */
  readonly otherThreadsCpuMs: number;
  /** CPU time of the live child processes that run Node.js (the Lambda environments), in ms. */
  readonly childrenCpuMs: number;
  readonly childProcesses: number;
  /** Resident memory of this process and of its children, in MB. */
  readonly rssMb: number;
  readonly childrenRssMb: number;
  /** File descriptors open in this process. */
  readonly openFiles: number;
  /** CPU time every process of the machine has used so far (all cores, not idle), in ms. */
  readonly machineBusyMs: number;
}

/**
 * Busy CPU time of the whole machine from the first line of `/proc/stat` (`cpu  user nice system idle iowait irq
 * softirq steal …`, in clock ticks): everything but `idle` and `iowait`, in ms. `undefined` for another text.
 */
export function parseMachineBusyMs(procStat: string): number | undefined {
  const line = procStat.split('\n', 1)[0] ?? '';
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 5) return undefined;
  const ticks = fields.slice(1, 9).map(Number);
  if (!ticks.every(Number.isFinite)) return undefined;
  const total = ticks.reduce((sum, n) => sum + n, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return ((total - idle) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function machineBusyMs(): number {
  try {
    return parseMachineBusyMs(readFileSync('/proc/stat', 'utf8')) ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Reads CPU, memory and descriptors of this process and its live children; `undefined` without `/proc`.
 * A child that exits takes its CPU time with it, so a difference of two samples is exact only while the
 * children live throughout — as the runtime's warm Lambda environments do during a scenario. Costs a few ms.
 */
export function sampleResources(pid: number = process.pid): ResourceSample | undefined {
  const tasks = list(`/proc/${pid}/task`);
  if (tasks === undefined) return undefined;
  let mainThreadCpuMs = 0;
  let otherThreadsCpuMs = 0;
  for (const task of tasks) {
    const stat = readStat(`/proc/${pid}/task/${task}/stat`);
    if (stat === undefined) continue;
    if (stat.pid === pid) mainThreadCpuMs = stat.cpuMs;
    else otherThreadsCpuMs += stat.cpuMs;
  }
  let childrenCpuMs = 0;
  let childrenRssMb = 0;
  let childProcesses = 0;
  for (const child of childrenOf(pid)) {
    const stat = readStat(`/proc/${child}/stat`);
    // Node.js children only: tsx keeps an esbuild service process as a child of this one too.
    if (stat === undefined || stat.ppid !== pid || stat.name !== 'node') continue;
    childrenCpuMs += stat.cpuMs;
    childrenRssMb += stat.rssMb;
    childProcesses += 1;
  }
  return {
    mainThreadCpuMs,
    otherThreadsCpuMs,
    childrenCpuMs,
    childProcesses,
    rssMb: readStat(`/proc/${pid}/stat`)?.rssMb ?? 0,
    childrenRssMb,
    openFiles: list(`/proc/${pid}/fd`)?.length ?? 0,
    machineBusyMs: machineBusyMs(),
  };
}

/** CPU time spent between two samples, in ms, by where it ran. */
export interface CpuSpent {
  readonly mainThreadMs: number;
  readonly otherThreadsMs: number;
  readonly childrenMs: number;
  /**
   * CPU the rest of the machine used meanwhile (other processes, e.g. another test run on a shared machine),
   * in ms: what competed with the benchmark for the cores.
   */
  readonly elsewhereMs: number;
}

/** `after − before` of the CPU figures; `undefined` when either sample is missing. */
export function cpuBetween(
  before: ResourceSample | undefined,
  after: ResourceSample | undefined,
): CpuSpent | undefined {
  if (before === undefined || after === undefined) return undefined;
  const mainThreadMs = after.mainThreadCpuMs - before.mainThreadCpuMs;
  const otherThreadsMs = after.otherThreadsCpuMs - before.otherThreadsCpuMs;
  // A child that exited in between would make this negative; nothing is better than a wrong figure.
  const childrenMs = Math.max(0, after.childrenCpuMs - before.childrenCpuMs);
  const machineMs = after.machineBusyMs - before.machineBusyMs;
  return {
    mainThreadMs,
    otherThreadsMs,
    childrenMs,
    elsewhereMs: Math.max(0, machineMs - mainThreadMs - otherThreadsMs - childrenMs),
  };
}

/**
 * The soft limit on open files from the text of `/proc/<pid>/limits` (`Max open files  20000  20000  files`);
 * `undefined` when the line is missing, `Infinity` for `unlimited`.
 */
export function parseOpenFileLimit(limitsText: string): number | undefined {
  const match = /^Max open files\s+(\S+)/m.exec(limitsText);
  if (match === null) return undefined;
  if (match[1] === 'unlimited') return Number.POSITIVE_INFINITY;
  const value = Number(match[1]);
  return Number.isInteger(value) ? value : undefined;
}

/** This process's soft limit on open files (`ulimit -n`), or `undefined` without `/proc`. */
export function openFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}
