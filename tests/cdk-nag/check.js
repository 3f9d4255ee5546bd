#!/usr/bin/env node
// Runs cdk-nag's AwsSolutions rules on one generated CloudFormation template, included as is
// (aws-cdk-lib/cloudformation-include). Prints every finding (rule id, resource, message) and
// exits 1 on any that the template does not itself acknowledge.
//
// The template is the one reviewed place for suppressions: each resource's Metadata
// `cdk_nag.rules_to_suppress` (written by generator/src/synth/). cdk-nag 3 reads only
// `Validations.of(..).acknowledge(..)`, not that Metadata, so this script turns each entry into
// an acknowledgement of exactly the findings it names (`RULE[applies_to]`), nothing broader.
//
// Usage: node tests/cdk-nag/check.js TEMPLATE.json
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { App, Stack, Validations } = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { AwsSolutionsChecks } = require('cdk-nag');

/** The acknowledgements a resource's Metadata declares: `[{ id, reason }]`. */
function acknowledgements(logicalId, resource) {
  const rules = resource.Metadata?.cdk_nag?.rules_to_suppress ?? [];
  return rules.flatMap((rule) => {
    if (typeof rule.id !== 'string' || typeof rule.reason !== 'string' || rule.reason === '') {
      throw new Error(`${logicalId}: each cdk_nag.rules_to_suppress entry needs an id and a reason`);
    }
    const appliesTo = rule.applies_to ?? [];
    if (appliesTo.length === 0) {
      return [{ id: rule.id, reason: rule.reason }];
    }
    return appliesTo.map((finding) => ({ id: `${rule.id}[${finding}]`, reason: rule.reason }));
  });
}

function main(templatePath) {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
  const app = new App();
  const stack = new Stack(app, 'Checked');
  const included = new CfnInclude(stack, 'Template', { templateFile: templatePath });

  let acknowledged = 0;
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    for (const ack of acknowledgements(logicalId, resource)) {
      Validations.of(included.getResource(logicalId)).acknowledge(ack);
      acknowledged += 1;
    }
  }

  const report = new AwsSolutionsChecks(app, { verbose: false }).validateScope(app);
  const findings = report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      resource: resource.constructPath.replace(/^Checked\/Template\//, ''),
      message: violation.description,
    })),
  );
  findings.sort((a, b) => a.resource.localeCompare(b.resource) || a.rule.localeCompare(b.rule));

  const name = path.relative(process.cwd(), templatePath);
  for (const finding of findings) {
    console.log(`${name}: ${finding.rule} ${finding.resource}: ${finding.message}`);
  }
  console.log(
    `${name}: cdk-nag AwsSolutions ${findings.length} finding(s), ${acknowledged} acknowledged in the template's Metadata`,
  );
  return findings.length === 0 ? 0 : 1;
}

if (process.argv.length !== 3) {
  console.error('usage: node tests/cdk-nag/check.js TEMPLATE.json');
  process.exit(2);
}
process.exitCode = main(path.resolve(process.argv[2]));
