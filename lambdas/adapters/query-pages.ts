/**
 * Reads every page of a DynamoDB `Query`, one page at a time, with the SDK's paginator.
 *
 * @module
 */
import { type DynamoDBDocumentClient, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * The items of every page of `query`, following `LastEvaluatedKey`. The paginator writes each page's
 * `ExclusiveStartKey` into the input it is given, so it gets a copy.
 */
export async function* queryPages(
  client: DynamoDBDocumentClient,
  query: QueryCommandInput,
): AsyncGenerator<Record<string, unknown>[]> {
  for await (const page of paginateQuery({ client }, { ...query })) {
    yield page.Items ?? [];
  }
}
