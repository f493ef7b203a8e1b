import { describe, expect, it } from 'vitest';
import { compileRouteSelection, selectRoute } from '../../../local/gateway/route-selection.js';
import type { RouteModel } from '../../../local/model.js';

function routes(...keys: string[]): Map<string, RouteModel> {
  return new Map(
    keys.map((routeKey) => [routeKey, { routeKey, functionId: `fn-${routeKey}`, twoWay: false }]),
  );
}

describe('compileRouteSelection', () => {
  it('reads the string at $request.body.<path>', () => {
    // Prepare
    const select = compileRouteSelection('$request.body.action');

    // Act / Assess
    expect(select('{"action":"publish"}')).toBe('publish');
    expect(select('{"action":1}')).toBeUndefined();
    expect(select('{"action":null}')).toBeUndefined();
    expect(select('[{"action":"publish"}]')).toBeUndefined();
    expect(select('publish')).toBeUndefined();
  });

  it('follows dot paths and accepts the braced form', () => {
    // Prepare
    // biome-ignore lint/suspicious/noTemplateCurlyInString: API Gateway's own "${request.body.x}" syntax
    const select = compileRouteSelection('${request.body.meta.kind}');

    // Act / Assess
    expect(select('{"meta":{"kind":"join"}}')).toBe('join');
    expect(select('{"meta":"join"}')).toBeUndefined();
  });

  it('rejects an expression it cannot evaluate, naming it', () => {
    // Act / Assess
    expect(() => compileRouteSelection('$request.header.action')).toThrow(/"\$request\.header\.action"/);
    expect(() => compileRouteSelection('$request.body.')).toThrow(/Unsupported route selection expression/);
  });
});

describe('selectRoute', () => {
  const select = compileRouteSelection('$request.body.action');

  it('picks the selected route, else $default, else nothing', () => {
    // Act / Assess
    expect(selectRoute(routes('ping', '$default'), select, '{"action":"ping"}')?.routeKey).toBe('ping');
    expect(selectRoute(routes('ping', '$default'), select, '{"action":"pong"}')?.routeKey).toBe('$default');
    expect(selectRoute(routes('ping'), select, '{"action":"pong"}')).toBeUndefined();
  });

  it('never selects $connect or $disconnect', () => {
    // Act / Assess
    expect(selectRoute(routes('$connect', '$disconnect'), select, '{"action":"$connect"}')).toBeUndefined();
  });
});
