import { describe, expect, it, vi } from 'vitest';
import { type PresenceEvent, type PresenceMember, PresenceView } from '../../../client/index.js';

const member = (clientId: string, connectionId: string, name?: string): PresenceMember =>
  name === undefined ? { clientId, connectionId } : { clientId, connectionId, name };
const join = (m: PresenceMember): PresenceEvent => ({ type: 'join', channel: 'lobby', member: m });
const leave = (m: PresenceMember): PresenceEvent => ({ type: 'leave', channel: 'lobby', member: m });

describe('PresenceView', () => {
  it('counts connections per clientId: a client with two connections is one member', () => {
    // Prepare
    const view = new PresenceView();

    // Act
    view.load([member('alice', 'a1', 'Alice'), member('alice', 'a2', 'Alice'), member('bob', 'b1')]);

    // Assess
    expect(view.members).toEqual([
      { clientId: 'alice', name: 'Alice', connections: 2 },
      { clientId: 'bob', connections: 1 },
    ]);
    expect(view.size).toBe(2);
  });

  it('keeps a client present when its new connection joins before the old one leaves (reconnect)', () => {
    // Prepare
    const view = new PresenceView();
    view.load([member('alice', 'old')]);

    // Act
    view.apply(join(member('alice', 'new')));
    const during = view.connectionsOf('alice');
    view.apply(leave(member('alice', 'old')));

    // Assess
    expect(during).toBe(2);
    expect(view.has('alice')).toBe(true);
    expect(view.connectionsOf('alice')).toBe(1);
  });

  it('removes a client when its last connection leaves', () => {
    // Prepare
    const view = new PresenceView();
    view.load([member('alice', 'a1'), member('alice', 'a2')]);

    // Act
    view.apply(leave(member('alice', 'a1')));
    view.apply(leave(member('alice', 'a2')));

    // Assess
    expect(view.has('alice')).toBe(false);
    expect(view.members).toEqual([]);
  });

  it('ignores a repeated join and a leave of an unknown connection', () => {
    // Prepare
    const onChange = vi.fn();
    const view = new PresenceView({ onChange });
    view.load([member('alice', 'a1')]);
    onChange.mockClear();

    // Act
    view.apply(join(member('alice', 'a1')));
    view.apply(leave(member('bob', 'b1')));

    // Assess
    expect(view.connectionsOf('alice')).toBe(1);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('replays the pushes that arrived while a presence request was in flight on top of its reply', () => {
    // Prepare
    const view = new PresenceView();
    view.load([member('carol', 'c1')]);
    view.beginLoad();

    // Act
    view.apply(leave(member('alice', 'a1')));
    view.apply(join(member('bob', 'b1')));
    const whileLoading = view.members.map((m) => m.clientId);
    view.load([member('alice', 'a1'), member('carol', 'c1')]);

    // Assess
    expect(whileLoading).toEqual(['carol']);
    expect(view.members.map((m) => m.clientId)).toEqual(['carol', 'bob']);
  });

  it('applies the recorded pushes to the old list when the presence request fails', () => {
    // Prepare
    const view = new PresenceView();
    view.load([member('alice', 'a1')]);
    view.beginLoad();
    view.apply(join(member('bob', 'b1')));

    // Act
    view.cancelLoad();

    // Assess
    expect(view.members.map((m) => m.clientId)).toEqual(['alice', 'bob']);
  });

  it('takes the name of the most recent connection', () => {
    // Prepare
    const view = new PresenceView();
    view.load([member('alice', 'a1', 'Al')]);

    // Act
    view.apply(join(member('alice', 'a2', 'Alice')));

    // Assess
    expect(view.members).toEqual([{ clientId: 'alice', name: 'Alice', connections: 2 }]);
  });

  it('calls onChange with the list after each change, and onStop once', () => {
    // Prepare
    const onChange = vi.fn();
    const onStop = vi.fn();
    const view = new PresenceView({ onChange, onStop });

    // Act
    view.load([]);
    view.apply(join(member('alice', 'a1')));
    view.stop();
    view.stop();
    view.apply(join(member('bob', 'b1')));

    // Assess
    expect(onChange.mock.calls).toEqual([[[]], [[{ clientId: 'alice', connections: 1 }]]]);
    expect(onStop).toHaveBeenCalledTimes(1);
  });
});
