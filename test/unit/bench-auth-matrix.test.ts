import { describe, expect, it } from 'vitest';
import { formatMatrix } from '../../bench/auth/matrix.js';

describe('formatMatrix', () => {
  it('prints one row per case with pass yes/NO, and the totals', () => {
    const table = formatMatrix([
      { name: 'handshake: no token', expected: '401', got: '401' },
      { name: 'game-* token: publish on chat', expected: 'FORBIDDEN', got: 'published' },
    ]);

    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^\| case +\| expected +\| got +\| pass \|$/);
    expect(lines[2]).toMatch(/^\| handshake: no token +\| 401 +\| 401 +\| yes {2}\|$/);
    expect(lines[3]).toMatch(/^\| game-\* token: publish on chat \| FORBIDDEN \| published \| NO {3}\|$/);
    expect(lines.at(-1)).toBe('1/2 cases as expected, 1 MISMATCH');
  });

  it('says so when every case is as expected', () => {
    expect(
      formatMatrix([{ name: 'x', expected: '401', got: '401' }])
        .split('\n')
        .at(-1),
    ).toBe('1/1 cases as expected');
  });
});
