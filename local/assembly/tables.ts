/**
 * Reads `AWS::DynamoDB::Table` and `AWS::DynamoDB::GlobalTable` resources into `TableModel`s, in the terms of
 * DynamoDB's `CreateTable`.
 *
 * @module
 */
import type { KeyElement, SecondaryIndex, TableModel, TemplateValue } from '../model.js';
import {
  type CfnResource,
  isTemplateObject,
  literalBoolean,
  literalString,
  type TemplateObject,
} from './template.js';

const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

type Projection = SecondaryIndex['Projection'];

/** The objects of a template list (anything else is skipped). */
const objectsOf = (value: TemplateValue | undefined): TemplateObject[] =>
  Array.isArray(value) ? value.filter(isTemplateObject) : [];

function keySchemaOf(value: TemplateValue | undefined): KeyElement[] {
  return objectsOf(value).map((key) => ({
    AttributeName: String(key.AttributeName),
    KeyType: key.KeyType === 'RANGE' ? 'RANGE' : 'HASH',
  }));
}

function projectionOf(value: TemplateValue | undefined): Projection {
  if (!isTemplateObject(value)) return { ProjectionType: 'ALL' };
  const type = literalString(value.ProjectionType);
  const nonKey = Array.isArray(value.NonKeyAttributes) ? value.NonKeyAttributes.map(String) : undefined;
  return {
    ...(type === 'ALL' || type === 'KEYS_ONLY' || type === 'INCLUDE' ? { ProjectionType: type } : {}),
    ...(nonKey === undefined ? {} : { NonKeyAttributes: nonKey }),
  };
}

function indexesOf(value: TemplateValue | undefined): SecondaryIndex[] {
  return objectsOf(value).map((index) => ({
    IndexName: String(index.IndexName),
    KeySchema: keySchemaOf(index.KeySchema),
    Projection: projectionOf(index.Projection),
  }));
}

function attributeType(value: TemplateValue | undefined): 'S' | 'N' | 'B' {
  return value === 'N' || value === 'B' ? value : 'S';
}

/** The TTL attribute, when TTL is enabled. */
function ttlAttributeOf(value: TemplateValue | undefined): string | undefined {
  if (!isTemplateObject(value) || literalBoolean(value.Enabled) !== true) return undefined;
  return literalString(value.AttributeName);
}

/**
 * The tables of one stack, in template order. A table whose `TableName` is not a literal (or is absent) is named
 * `<stackName>-<logicalId>`, which is also what a `Ref` to it resolves to offline.
 */
export function readTables(
  stackName: string,
  resources: Readonly<Record<string, CfnResource>>,
): TableModel[] {
  const tables: TableModel[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!TABLE_TYPES.has(resource.Type)) continue;
    const properties = resource.Properties ?? {};
    const ttlAttribute = ttlAttributeOf(properties.TimeToLiveSpecification);
    tables.push({
      logicalId,
      tableName: literalString(properties.TableName) ?? `${stackName}-${logicalId}`,
      keySchema: keySchemaOf(properties.KeySchema),
      attributeDefinitions: objectsOf(properties.AttributeDefinitions).map((attribute) => ({
        AttributeName: String(attribute.AttributeName),
        AttributeType: attributeType(attribute.AttributeType),
      })),
      globalSecondaryIndexes: indexesOf(properties.GlobalSecondaryIndexes),
      localSecondaryIndexes: indexesOf(properties.LocalSecondaryIndexes),
      ...(ttlAttribute === undefined ? {} : { ttlAttribute }),
    });
  }
  return tables;
}
