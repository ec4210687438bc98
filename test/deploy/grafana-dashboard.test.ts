// deploy/grafana-dashboard.json reads the metrics Gatehouse exports: every
// gatehouse_* series a panel queries is one the server registers, and every
// metric the server registers has a panel.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrometheusMetrics } from '../../src/metrics/prometheus.ts';
import { REPO_ROOT } from '../support/spawn-server.ts';

interface Dashboard {
  title: string;
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}

describe('deploy/grafana-dashboard.json', function () {
  const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/grafana-dashboard.json'), 'utf8')) as Dashboard;
  const queried = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/\b(gatehouse|process|nodejs)_\w+/g) ?? [])));

  it('queries only series the server exports (a histogram as its _bucket)', async () => {
    const { registry } = createPrometheusMetrics({ pool: () => ({ inUse: 0, waiting: 0 }) });
    const exported = new Set((await registry.getMetricsAsJSON()).flatMap((metric) =>
      String(metric.type) === 'histogram' ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name]));
    assert.ok(queried.size > 10, `only ${queried.size} series queried`);
    for (const name of queried) assert.ok(exported.has(name), `${name} is queried but not exported`);
  });

  it('has a panel for every gatehouse_ metric', async () => {
    const { registry } = createPrometheusMetrics({ pool: () => ({ inUse: 0, waiting: 0 }) });
    const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name).filter((name) => name.startsWith('gatehouse_'));
    assert.equal(names.length, 9);
    for (const name of names) assert.ok([...queried].some((q) => q === name || q.startsWith(`${name}_`)), `no panel reads ${name}`);
  });
});
