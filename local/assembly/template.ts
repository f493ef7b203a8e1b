/**
 * The shape of a synthesized CloudFormation template, and small readers for the reference forms CDK emits
 * (`{Ref}`, `{Fn::GetAtt}` nested anywhere inside `Fn::Join`s).
 *
 * @module
 */
import type { TemplateValue } from '../model.js';

/** A template object value (`{ key: value }`), as opposed to a literal or a list. */
export type TemplateObject = { [key: string]: TemplateValue };

/** One resource of a template, with the metadata CDK adds (`aws:asset:path`, …). */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: TemplateObject;
  readonly Metadata?: TemplateObject;
}

/** One parameter of a template. */
export interface CfnParameter {
  readonly Type: string;
  readonly Default?: TemplateValue;
}

/** The parts of a template the runtime reads. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Parameters?: Readonly<Record<string, CfnParameter>>;
}

/** True for a template object (not null, not a list). */
export const isTemplateObject = (value: TemplateValue | undefined): value is TemplateObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The logical id of a `{ Ref: id }`, or undefined for anything else. */
export function refOf(value: TemplateValue | undefined): string | undefined {
  if (!isTemplateObject(value)) return undefined;
  const ref = value.Ref;
  return typeof ref === 'string' && Object.keys(value).length === 1 ? ref : undefined;
}

/** The `[logicalId, attribute]` of a `Fn::GetAtt` (list form or the `'Id.Attr'` string form). */
export function getAttOf(value: TemplateValue | undefined): readonly [string, string] | undefined {
  if (!isTemplateObject(value) || Object.keys(value).length !== 1) return undefined;
  const args = value['Fn::GetAtt'];
  if (Array.isArray(args)) {
    const [id, attr] = args;
    return typeof id === 'string' && typeof attr === 'string' ? [id, attr] : undefined;
  }
  if (typeof args === 'string') {
    const dot = args.indexOf('.');
    return dot > 0 ? [args.slice(0, dot), args.slice(dot + 1)] : undefined;
  }
  return undefined;
}

/** Every value nested in `value` (itself included), depth first, in template order. */
function* walk(value: TemplateValue | undefined): Generator<TemplateValue> {
  if (value === undefined) return;
  yield value;
  if (Array.isArray(value)) for (const item of value) yield* walk(item);
  else if (isTemplateObject(value)) for (const item of Object.values(value)) yield* walk(item);
}

/** The first `Ref` anywhere inside `value` whose target satisfies `accept`, e.g. the integration of a route target. */
export function findRef(
  value: TemplateValue | undefined,
  accept: (id: string) => boolean,
): string | undefined {
  for (const node of walk(value)) {
    const id = refOf(node);
    if (id !== undefined && accept(id)) return id;
  }
  return undefined;
}

/**
 * The logical id of the first `Fn::GetAtt [id, 'Arn']` inside `value` whose target satisfies `accept`: how an
 * integration or authorizer URI names its Lambda function.
 */
export function findArnTarget(
  value: TemplateValue | undefined,
  accept: (id: string) => boolean,
): string | undefined {
  for (const node of walk(value)) {
    const att = getAttOf(node);
    if (att !== undefined && att[1] === 'Arn' && accept(att[0])) return att[0];
  }
  return undefined;
}

/** A literal string, or undefined for anything else (an unresolved intrinsic included). */
export const literalString = (value: TemplateValue | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** A literal number (CloudFormation also accepts numeric strings), or undefined. */
export function literalNumber(value: TemplateValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** A literal boolean (CloudFormation also accepts `'true'`/`'false'`), or undefined. */
export function literalBoolean(value: TemplateValue | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** The logical ids of the resources of one type, in template order. */
export const idsOfType = (resources: Readonly<Record<string, CfnResource>>, type: string): string[] =>
  Object.keys(resources).filter((id) => resources[id]?.Type === type);
