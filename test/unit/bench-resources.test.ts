import { describe, expect, it } from 'vitest';
import {
  cpuBetween,
  parseMachineBusyMs,
  parseOpenFileLimit,
  parseProcStat,
  type ResourceSample,
  sampleResources,
} from '../../bench/realtime/resources.js';

describe('parseProcStat', () => {
  it('reads pid, name, ppid, utime + stime in ms and rss in MB', () => {
    const line = '42 (node) S 7 42 42 0 -1 4194560 0 0 0 0 150 25 0 0 20 0 11 0 900 1000 2560 0';

    expect(parseProcStat(line)).toEqual({ pid: 42, name: 'node', ppid: 7, cpuMs: 1750, rssMb: 10 });
  });

  it('counts fields from the last parenthesis, so a name with spaces and parentheses does not shift them', () => {
    const line = '9 (a (b) c) R 1 9 9 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 256 0';

    expect(parseProcStat(line)).toMatchObject({ pid: 9, name: 'a (b) c', ppid: 1, cpuMs: 70, rssMb: 1 });
  });

  it('returns undefined for text that is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('42 (node) S 7')).toBeUndefined();
  });
});

describe('parseOpenFileLimit', () => {
  it('reads the soft limit of Max open files', () => {
    const limits = [
      'Limit                     Soft Limit           Hard Limit           Units',
      'Max processes             95000                95000                processes',
      'Max open files            4096                 524288               files',
    ].join('\n');

    expect(parseOpenFileLimit(limits)).toBe(4096);
  });

  it('reads unlimited as Infinity, and a missing line as undefined', () => {
    expect(
      parseOpenFileLimit('Max open files            unlimited            unlimited            files'),
    ).toBe(Number.POSITIVE_INFINITY);
    expect(parseOpenFileLimit('Max processes 1 1 processes')).toBeUndefined();
  });
});

const sample = (cpu: [number, number, number], machineBusyMs = 1_000_000): ResourceSample => ({
  mainThreadCpuMs: cpu[0],
  otherThreadsCpuMs: cpu[1],
  childrenCpuMs: cpu[2],
  childProcesses: 2,
  rssMb: 100,
  childrenRssMb: 50,
  openFiles: 20,
  machineBusyMs,
});

describe('parseMachineBusyMs', () => {
  it('counts every field of the cpu line but idle and iowait, in ms', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(parseMachineBusyMs('cpu  100 5 40 900 10 0 5 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10')).toBe(1500);
  });

  it('returns undefined for text without the cpu line first', () => {
    expect(parseMachineBusyMs('intr 1 2 3')).toBeUndefined();
    expect(parseMachineBusyMs('')).toBeUndefined();
  });
});

describe('cpuBetween', () => {
  it('subtracts each CPU figure, and gives the rest of the machine what this process tree did not use', () => {
    expect(cpuBetween(sample([10, 20, 30], 1000), sample([15, 27, 90], 1100))).toEqual({
      mainThreadMs: 5,
      otherThreadsMs: 7,
      childrenMs: 60,
      elsewhereMs: 28,
    });
  });

  it('never reports negative CPU elsewhere (the ticks of /proc/stat are coarse)', () => {
    expect(cpuBetween(sample([0, 0, 0], 1000), sample([50, 0, 0], 1040))?.elsewhereMs).toBe(0);
  });

  it('never reports negative child CPU (a child exited in between), and nothing without both samples', () => {
    expect(cpuBetween(sample([0, 0, 90]), sample([0, 0, 30]))?.childrenMs).toBe(0);
    expect(cpuBetween(undefined, sample([1, 1, 1]))).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('sampleResources on Linux', () => {
  it('sees the CPU this thread burns (main thread or a worker, as the test runner has it), and descriptors', () => {
    const before = sampleResources();
    const until = performance.now() + 60;
    while (performance.now() < until) {
      // burn CPU on the main thread
    }
    const after = sampleResources();

    const spent = cpuBetween(before, after);
    expect((spent?.mainThreadMs ?? 0) + (spent?.otherThreadsMs ?? 0)).toBeGreaterThan(0);
    expect(after?.openFiles).toBeGreaterThan(2);
  });
});
