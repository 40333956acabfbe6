// The engine at a glance: what it is, where agents connect, and whether the cluster answers.
import type { EngineStatus, UpstreamStatus } from "../../proxy/control/contract.js";
import { formatTime } from "./format";

export function StatusView({ status }: { status: EngineStatus | null }) {
  return (
    <section className="card" aria-labelledby="status-heading">
      <h2 id="status-heading">Engine</h2>
      {status === null ? (
        <p className="muted">Loading status…</p>
      ) : (
        <dl className="facts">
          <dt>Version</dt>
          <dd>{status.version}</dd>
          <dt>Proxy URL</dt>
          <dd>
            <code>{status.proxyUrl}</code>
          </dd>
          <dt>Upstream context</dt>
          <dd>{status.upstream.context}</dd>
          <dt>Upstream server</dt>
          <dd>
            <code>{status.upstream.server}</code>
          </dd>
          <dt>Upstream</dt>
          <dd>
            <Reachability upstream={status.upstream} />
          </dd>
          <dt>In-flight requests</dt>
          <dd>{status.inFlightRequests}</dd>
          <dt>Agents</dt>
          <dd>{status.agents}</dd>
          <dt>Started</dt>
          <dd>{formatTime(status.startedAt)}</dd>
        </dl>
      )}
    </section>
  );
}

function Reachability({ upstream }: { upstream: UpstreamStatus }) {
  if (upstream.reachable === null) return <span className="badge neutral">Not contacted yet</span>;
  if (upstream.reachable) return <span className="badge good">Reachable</span>;
  return (
    <>
      <span className="badge bad">Unreachable</span>
      {upstream.lastError !== null && <span className="detail">{upstream.lastError}</span>}
    </>
  );
}
