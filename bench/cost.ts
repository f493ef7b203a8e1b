/**
 * `npm run cost`: the monthly AWS bill of a workload on this stack, line by line (API Gateway, data transfer,
 * Lambda, DynamoDB, SQS, CloudWatch), from the unit prices in bench/cost/prices.ts (us-east-1, free tier
 * ignored). Prints the bill, what one publish costs, any warning, and one JSON line; `--markdown` prints the
 * README table of the three presets instead. Exits 2 on a bad flag.
 *
 * @example
 * npm run cost -- --connections 10000 --hours-per-day 8 --messages-per-connection-per-hour 30 --subscribers-per-message 50
 * npm run cost -- --workload broadcast --fanout-inline-limit none
 * npm run cost -- --markdown
 *
 * @module
 */
import { estimate } from './cost/model.js';
import { type CostCommand, CostOptionsError, PRESETS, parseCostOptions, USAGE } from './cost/options.js';
import { PRICE_REGION, PRICES_CHECKED_ON } from './cost/prices.js';
import {
  describeAssumptions,
  describeWorkload,
  formatBill,
  formatJsonLine,
  formatMarkdown,
  formatUsage,
} from './cost/report.js';

function run(command: Exclude<CostCommand, { kind: 'help' }>): string {
  if (command.kind === 'markdown') {
    const columns = Object.entries(PRESETS).map(([name, preset]) => ({
      name,
      description: preset.description,
      workload: preset.workload,
      bill: estimate({ workload: preset.workload, assumptions: command.assumptions }).bill,
    }));
    return formatMarkdown(columns, command.assumptions);
  }
  const { preset, workload, assumptions } = command;
  const result = estimate({ workload, assumptions });
  return [
    `cost model — workload ${preset ?? 'from flags (defaults: chat)'}: ${describeWorkload(workload)}`,
    `assumptions: ${describeAssumptions(assumptions)}`,
    `prices: ${PRICE_REGION}, as published, checked ${PRICES_CHECKED_ON} (bench/cost/prices.ts); free tier ignored`,
    '',
    formatBill(result.bill),
    '',
    formatUsage(result.usage),
    ...result.warnings.map((w) => `warning: ${w}`),
    '',
    formatJsonLine({ preset, workload, assumptions, ...result }),
  ].join('\n');
}

function main(argv: readonly string[]): number {
  let command: CostCommand;
  try {
    command = parseCostOptions(argv);
  } catch (error) {
    if (!(error instanceof CostOptionsError)) throw error;
    process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  process.stdout.write(`${run(command)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
