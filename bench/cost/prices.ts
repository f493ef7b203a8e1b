/**
 * Every unit price of `npm run cost`, in one place, for one region: us-east-1 (US East, N. Virginia).
 *
 * Each price is as published for us-east-1 on the AWS pricing page named beside it. Checked 2026-12-06 by search
 * (no browser here, and the pricing pages render their tables with scripts): every figure below matched AWS's
 * own pages' text and worked examples or at least two independent summaries of them — API Gateway WebSocket
 * $1.00 per million messages to 1 billion then $0.80, metered in 32 KB increments, $0.25 per million
 * connection-minutes; Lambda $0.20 per million requests, arm64 $0.0000133334 per GB-second (x86 is
 * $0.0000166667; every function here is arm64); DynamoDB on demand $0.625 / $0.125 per million write / read
 * request units; SQS standard $0.40 per million requests, each 64 KB chunk one request; CloudWatch $0.30 per
 * custom metric, $0.10 per standard-resolution alarm, $3.00 per dashboard, $0.50 per GB ingested; Secrets
 * Manager $0.40 per secret-month. Check the pages before quoting a bill. The free tier is ignored throughout,
 * and so are Savings Plans, the Lambda compute discounts and any negotiated price.
 *
 * A tier's `upTo` is the monthly quantity (in the price's own units) up to which its price applies; the last
 * tier has `upTo: Infinity`. Quantities are per account and region, so the tiers assume this API is the only
 * user of each service.
 *
 * @module
 */

/** The region every price below belongs to. */
export const PRICE_REGION = 'us-east-1';

/** When the prices were taken (ISO date). */
export const PRICES_CHECKED_ON = '2026-12-06';

/** One price band: `usd` per `per` units, for monthly quantities up to `upTo` units. */
export interface PriceTier {
  readonly upTo: number;
  readonly usd: number;
}

/** One unit price, possibly in tiers. */
export interface UnitPrice {
  /** What is counted, singular (`message`, `GB-second`). */
  readonly unit: string;
  /** How many units the published price is quoted for (1,000,000 for "per million"). */
  readonly per: number;
  /** Price bands, lowest quantities first; the last one has `upTo: Infinity`. */
  readonly tiers: readonly PriceTier[];
  /** The AWS pricing page the price is published on. */
  readonly page: string;
}

const MILLION = 1_000_000;
const BILLION = 1_000_000_000;
/** 1 GB as AWS bills it (2^30 bytes). */
export const GB = 1024 ** 3;
/** 1 TB of data transfer, in GB. */
const TB_IN_GB = 1024;

const flat = (unit: string, per: number, usd: number, page: string): UnitPrice => ({
  unit,
  per,
  tiers: [{ upTo: Number.POSITIVE_INFINITY, usd }],
  page,
});

/** Amazon API Gateway pricing, "WebSocket APIs" tab. */
const API_GATEWAY_PAGE = 'https://aws.amazon.com/api-gateway/pricing/';
/** AWS Lambda pricing, "Arm price" table. */
const LAMBDA_PAGE = 'https://aws.amazon.com/lambda/pricing/';
/** Amazon DynamoDB pricing for on-demand capacity. */
const DYNAMODB_PAGE = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
/** Amazon SQS pricing. */
const SQS_PAGE = 'https://aws.amazon.com/sqs/pricing/';
/** Amazon CloudWatch pricing, "Paid tier". */
const CLOUDWATCH_PAGE = 'https://aws.amazon.com/cloudwatch/pricing/';
/** AWS Secrets Manager pricing. */
const SECRETS_MANAGER_PAGE = 'https://aws.amazon.com/secrets-manager/pricing/';
/** Amazon EC2 On-Demand pricing, "Data Transfer" section (API Gateway bills data out at EC2 rates). */
const DATA_TRANSFER_PAGE = 'https://aws.amazon.com/ec2/pricing/on-demand/';

/** Every unit price the model uses. */
export const PRICES = Object.freeze({
  // Amazon API Gateway pricing (WebSocket APIs), as published for us-east-1, checked 2026-12-06.
  // Messages are metered in 32 KB increments; both directions count.
  apiGatewayMessage: {
    unit: 'message',
    per: MILLION,
    tiers: [
      { upTo: BILLION, usd: 1.0 },
      { upTo: Number.POSITIVE_INFINITY, usd: 0.8 },
    ],
    page: API_GATEWAY_PAGE,
  },
  // Amazon API Gateway pricing (WebSocket APIs), as published for us-east-1, checked 2026-12-06.
  apiGatewayConnectionMinute: flat('connection-minute', MILLION, 0.25, API_GATEWAY_PAGE),
  // Amazon EC2 On-Demand pricing, Data Transfer OUT from Amazon EC2 to the internet, as published for
  // us-east-1, checked 2026-12-06: first 10 TB/month $0.09/GB, next 40 TB $0.085, next 100 TB $0.07, over
  // 150 TB $0.05 (the 100 GB/month free allowance is ignored).
  dataTransferOut: {
    unit: 'GB',
    per: 1,
    tiers: [
      { upTo: 10 * TB_IN_GB, usd: 0.09 },
      { upTo: 50 * TB_IN_GB, usd: 0.085 },
      { upTo: 150 * TB_IN_GB, usd: 0.07 },
      { upTo: Number.POSITIVE_INFINITY, usd: 0.05 },
    ],
    page: DATA_TRANSFER_PAGE,
  },
  // AWS Lambda pricing, requests (the same for x86 and Arm), as published for us-east-1, checked 2026-12-06.
  lambdaRequest: flat('request', MILLION, 0.2, LAMBDA_PAGE),
  // AWS Lambda pricing, Arm duration, as published for us-east-1, checked 2026-12-06: first 7.5 billion
  // GB-seconds/month $0.0000133334, next 11.25 billion $0.0000120001, over 18.75 billion $0.0000106667.
  lambdaArmGbSecond: {
    unit: 'GB-second',
    per: 1,
    tiers: [
      { upTo: 7.5 * BILLION, usd: 0.0000133334 },
      { upTo: 18.75 * BILLION, usd: 0.0000120001 },
      { upTo: Number.POSITIVE_INFINITY, usd: 0.0000106667 },
    ],
    page: LAMBDA_PAGE,
  },
  // Amazon DynamoDB pricing for on-demand capacity (Standard table class), as published for us-east-1,
  // checked 2026-12-06: $0.625 per million write request units, $0.125 per million read request units.
  dynamoDbWriteRequestUnit: flat('write request unit', MILLION, 0.625, DYNAMODB_PAGE),
  dynamoDbReadRequestUnit: flat('read request unit', MILLION, 0.125, DYNAMODB_PAGE),
  // Amazon DynamoDB pricing for on-demand capacity, data storage (Standard table class), as published for
  // us-east-1, checked 2026-12-06.
  dynamoDbStorageGbMonth: flat('GB-month', 1, 0.25, DYNAMODB_PAGE),
  // Amazon DynamoDB pricing for on-demand capacity, continuous backups (point-in-time recovery), as published
  // for us-east-1, checked 2026-12-06.
  dynamoDbPitrGbMonth: flat('GB-month', 1, 0.2, DYNAMODB_PAGE),
  // Amazon SQS pricing, Standard queue requests (each 64 KB chunk of a payload is one request), as published
  // for us-east-1, checked 2026-12-06.
  sqsStandardRequest: flat('request', MILLION, 0.4, SQS_PAGE),
  // Amazon CloudWatch pricing, Logs: collect (data ingestion, Standard class), as published for us-east-1,
  // checked 2026-12-06. Lambda's own logs are "vended logs", whose first tier (to 10 TB) is the same $0.50.
  cloudWatchLogsIngestedGb: flat('GB', 1, 0.5, CLOUDWATCH_PAGE),
  // Amazon CloudWatch pricing, Logs: store (archival, billed on compressed bytes), as published for
  // us-east-1, checked 2026-12-06.
  cloudWatchLogsStoredGbMonth: flat('GB-month', 1, 0.03, CLOUDWATCH_PAGE),
  // Amazon CloudWatch pricing, Metrics: custom metrics (first 10,000 metrics), as published for us-east-1,
  // checked 2026-12-06.
  cloudWatchCustomMetricMonth: flat('metric-month', 1, 0.3, CLOUDWATCH_PAGE),
  // Amazon CloudWatch pricing, Alarms: standard resolution, per alarm metric, as published for us-east-1,
  // checked 2026-12-06.
  cloudWatchAlarmMonth: flat('alarm-month', 1, 0.1, CLOUDWATCH_PAGE),
  // Amazon CloudWatch pricing, Dashboards: $3.00 per dashboard per month, as published for us-east-1, checked
  // 2026-12-06.
  cloudWatchDashboardMonth: flat('dashboard-month', 1, 3.0, CLOUDWATCH_PAGE),
  // AWS Secrets Manager pricing, per secret per month (prorated by the hour), as published for us-east-1,
  // checked 2026-12-06. Its API calls ($0.05 per 10,000) are left out: the authorizer reads the key once per
  // container.
  secretsManagerSecretMonth: flat('secret-month', 1, 0.4, SECRETS_MANAGER_PAGE),
} satisfies Record<string, UnitPrice>);

/** The price table's keys. */
export type PriceKey = keyof typeof PRICES;

/** A whole price table (tests substitute round numbers). */
export type PriceTable = Readonly<Record<PriceKey, UnitPrice>>;

/**
 * What `quantity` units cost at `price`, band by band: the part of the quantity inside each tier is charged
 * that tier's price.
 *
 * @example
 * tieredCost(1.5e9, PRICES.apiGatewayMessage); // 1000 + 400 = 1400 USD
 */
export function tieredCost(quantity: number, price: UnitPrice): number {
  let usd = 0;
  let below = 0;
  for (const tier of price.tiers) {
    if (quantity <= below) break;
    const inTier = Math.min(quantity, tier.upTo) - below;
    usd += (inTier / price.per) * tier.usd;
    below = tier.upTo;
  }
  return usd;
}
