/** `uvpv doctor --target <gateway>`: the SQL Gateway and Flink's REST API answer. */
import type { CheckResult } from '../../doctor/result';
import type { GatewayTarget, Spec } from '../../pipeline/types';

export async function gatewayChecks(_spec: Spec, t: GatewayTarget): Promise<CheckResult[]> {
  const fix = "start it: 'uvpv stack up' for the local stack";
  return [
    await httpCheck<GatewayInfo>('SQL Gateway', `${t.gateway}/v1/info`, (j) => `${j.productName} ${j.version}`, fix),
    await httpCheck<FlinkOverview>(
      'Flink REST',
      `${t.flinkRest}/overview`,
      (j) => `Flink ${j['flink-version']}, ${j.taskmanagers} TaskManagers, ${j['slots-available']} free slots`,
      fix,
    ),
  ];
}

/** The fields shown of what the SQL Gateway's `/v1/info` and Flink's `/overview` answer. */
interface GatewayInfo {
  productName?: string;
  version?: string;
}
interface FlinkOverview {
  'flink-version'?: string;
  taskmanagers?: number;
  'slots-available'?: number;
}

async function httpCheck<Answer>(label: string, url: string, describe: (answer: Answer) => string, fix: string): Promise<CheckResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return { label, ok: false, detail: `${url} answered HTTP ${res.status}`, fix };
    return { label, ok: true, detail: `${url}: ${describe((await res.json()) as Answer)}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { label, ok: false, detail: `${url} does not answer (${err.cause?.code ?? err.name})`, fix };
  }
}
