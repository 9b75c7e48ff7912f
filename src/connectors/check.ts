/**
 * `sitter connectors check SHOOT`: everything that has to hold for the shoot's connector to work,
 * checked in the order a user fixes it (the connector is installed, its options are valid, its
 * secrets are there, the connector's own health probe passes, the source answers), each problem with
 * the hint of the error behind it. The source is reached the way a scan first reaches it: the first
 * page of the listing.
 */
import { isSitterError } from '../core/domain/errors.js';
import type { Shoot } from '../core/domain/shoot.js';
import type { Connector, ConnectorContext } from '../core/ports/connector.js';
import { connectShoot } from './configure.js';
import { validateOptions } from './options.js';
import type { ConnectorRegistry } from './registry.js';
import { secretRefName, type SecretSource } from './secrets.js';

export type CheckStep = 'connector' | 'options' | 'secret' | 'health' | 'source';

export interface CheckFinding {
  step: CheckStep;
  ok: boolean;
  /** what was checked and found, or what is wrong */
  message: string;
  code?: string;
  hint?: string;
}

export interface ConnectorCheck {
  shoot: string;
  connector: string;
  source: string;
  ok: boolean;
  findings: CheckFinding[];
}

function failed(step: CheckStep, error: unknown): CheckFinding {
  if (isSitterError(error)) return { step, ok: false, message: error.message, code: error.code, hint: error.hint };
  return { step, ok: false, message: error instanceof Error ? error.message : String(error) };
}

/** The findings of each step that can be judged without the source; an empty list: go on. */
async function preconditions(
  registry: ConnectorRegistry,
  shoot: Pick<Shoot, 'connector' | 'connectorOptions'>,
  secrets: SecretSource,
): Promise<CheckFinding[]> {
  try {
    registry.get(shoot.connector);
  } catch (e) {
    return [failed('connector', e)];
  }
  const out: CheckFinding[] = [{ step: 'connector', ok: true, message: `connector "${shoot.connector}" is installed` }];
  const spec = registry.optionsOf(shoot.connector);
  try {
    validateOptions(shoot.connector, spec, shoot.connectorOptions);
    out.push({ step: 'options', ok: true, message: 'the stored options are valid' });
  } catch (e) {
    out.push(failed('options', e));
  }
  for (const option of spec.secrets) {
    const name = secretRefName(shoot.connectorOptions[option]);
    if (name === null) continue;
    try {
      await secrets.lookup(name, { connector: shoot.connector, option });
      out.push({ step: 'secret', ok: true, message: `secret "${name}" (option ${option}) is set` });
    } catch (e) {
      out.push(failed('secret', e));
    }
  }
  return out;
}

/**
 * Contract 3: the connector's own probe (reachability, login, its mapped fields), one finding per check
 * it reports; none when it has no `health`. The source is left to the listing step.
 */
async function healthFindings(connector: Connector): Promise<CheckFinding[]> {
  if (!connector.health) return [];
  try {
    const report = await connector.health(null, { priority: 'interactive' });
    const who = [
      report.identity ? `acting as ${report.identity}` : '',
      report.requestsPerSecond ? `at most ${report.requestsPerSecond} requests/s` : '',
    ].filter(Boolean);
    const findings: CheckFinding[] = report.checks.map((c) => ({
      step: 'health',
      ok: c.ok,
      message: `${c.name}: ${c.message}`,
      ...(c.code ? { code: c.code } : {}),
      ...(c.hint ? { hint: c.hint } : {}),
    }));
    if (findings.length === 0 || who.length > 0)
      findings.push({
        step: 'health',
        ok: report.ok,
        message: `the connector reports itself ${report.ok ? 'healthy' : 'unhealthy'}${who.length ? ` (${who.join(', ')})` : ''}`,
      });
    return findings;
  } catch (e) {
    return [failed('health', e)];
  }
}

export async function checkShootConnector(
  registry: ConnectorRegistry,
  shoot: Pick<Shoot, 'id' | 'connector' | 'connectorOptions' | 'source'>,
  secrets: SecretSource,
  context?: ConnectorContext,
): Promise<ConnectorCheck> {
  const findings = await preconditions(registry, shoot, secrets);
  if (findings.every((f) => f.ok)) {
    try {
      const connector = await connectShoot(registry, shoot, secrets, context);
      try {
        const health = await healthFindings(connector);
        findings.push(...health);
        // A refused login or a missing field would only fail the listing again, less clearly.
        if (health.some((f) => !f.ok)) return result(shoot, findings);
        const page = await connector.list(shoot.source, { pageSize: 1 });
        const first = page.assets[0] ? `first asset ${page.assets[0].id}${page.nextCursor ? ', and more' : ''}` : null;
        const skipped = page.skipped.length ? `, ${page.skipped.length} entries skipped (not assets)` : '';
        findings.push({
          step: 'source',
          ok: true,
          message: `reached ${shoot.source}: ${first ?? 'no assets on the first page'}${skipped}`,
        });
      } finally {
        await connector.close?.();
      }
    } catch (e) {
      findings.push(failed('source', e));
    }
  }
  return result(shoot, findings);
}

function result(shoot: Pick<Shoot, 'id' | 'connector' | 'source'>, findings: CheckFinding[]): ConnectorCheck {
  return {
    shoot: shoot.id,
    connector: shoot.connector,
    source: shoot.source,
    ok: findings.every((f) => f.ok),
    findings,
  };
}
