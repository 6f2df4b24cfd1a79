#!/usr/bin/env bash
# The PostgreSQL job queue: empty jobs through the real claim/heartbeat/complete path with 1, 4 and 16 workers (jobs
# per second), NOTIFY submit-to-start latency p50/p99 (target p99 < 100 ms on loopback), and the cost of a heartbeat.
# The reference is pgbench running the queue's own claim and complete statements (two transactions per job, prepared),
# with as many clients, in the same run on the same server. dub's worker sends each completion and its next claim in
# one round trip (libpq's pipeline mode: still two statements and two transactions per job); pgbench waits for each.
# The server is a throwaway one (initdb in a temporary folder).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
QBENCH=${QBENCH:-$(dirname "$DUBCTL")/dub-queue-bench}
[ -x "$QBENCH" ] || { echo "bench: $QBENCH is missing (make release builds it)" >&2; exit 1; }
out=$BENCH_OUT/queue
rm -rf "$out"; mkdir -p "$out"
jobs=${QUEUE_JOBS:-6000}

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pgdir=$(mktemp -d /tmp/dub-bench-pg-XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=(); [ "$(id -u)" = 0 ] && { chown postgres "$pgdir"; as_pg=(runuser -u postgres --); }
"${as_pg[@]}" "$bin/initdb" -D "$pgdir/data" -U postgres -A trust >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$pgdir/data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=100" \
  -l "$pgdir/log" -w start >/dev/null
trap '"${as_pg[@]}" "$bin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
url="postgresql://postgres@127.0.0.1:$port/postgres"

"$QBENCH" --database-url "$url" --jobs "$jobs" > "$out/ours.txt"

have_pgbench=1
command -v pgbench >/dev/null && command -v psql >/dev/null || { have_pgbench=0; echo "bench: pgbench or psql missing; no reference column" >&2; }
: > "$out/pgbench.txt"
if [ "$have_pgbench" = 1 ]; then
# pgbench runs the queue's own SQL (JobQueue.claim with a limit of 1, then JobQueue.complete's guarded UPDATE, two
# transactions per job, prepared like dub's), against the same dub_jobs table and indexes dub-queue-bench migrated:
# what these statements cost on this server without dub's client, each waited for (two round trips a job, where dub's
# worker, sending a completion and the next claim together, waits once).
cat > "$out/claim.sql" <<'SQL'
WITH picked AS MATERIALIZED (
    SELECT id FROM dub_jobs
    WHERE state IN ('queued', 'retrying') AND queue = 'default'::text AND run_at <= coalesce(to_timestamp(NULL::float8), now())
    ORDER BY priority, run_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED)
UPDATE dub_jobs j SET state = 'running', attempt = j.attempt + 1, lease_token = gen_random_uuid(), lease_owner = 'pgbench',
    lease_expires_at = coalesce(to_timestamp(NULL::float8), now()) + make_interval(secs => 60::float8),
    heartbeat_at = coalesce(to_timestamp(NULL::float8), now()), started_at = coalesce(j.started_at, now()), updated_at = now()
FROM picked WHERE j.id = picked.id
RETURNING j.id AS job_id, j.queue, j.attempt, j.max_attempts, j.lease_token::text AS token, j.payload::text AS payload,
    j.checkpoint::text AS checkpoint \gset
UPDATE dub_jobs SET state = 'succeeded', result = '{}'::jsonb, usage = coalesce(NULL::jsonb, usage), finished_at = now(),
    lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
WHERE id = :job_id AND lease_token = :token::uuid AND state = 'running' RETURNING id;
SQL
for clients in 1 4 16; do
  psql -q -h 127.0.0.1 -p "$port" -U postgres -c "DELETE FROM dub_jobs; INSERT INTO dub_jobs (payload) SELECT jsonb_build_object('n', n) FROM generate_series(1, 60000) n" -c 'VACUUM ANALYZE dub_jobs' postgres
  tps=$(pgbench -n -M prepared -h 127.0.0.1 -p "$port" -U postgres -c "$clients" -j "$clients" -T 3 -f "$out/claim.sql" postgres 2>"$out/pgbench.err" |
        awk '/^tps/ { print $3; exit }')
  echo "pgbench clients=$clients tps=${tps:-0}" >> "$out/pgbench.txt"
done
fi

echo "queue: $jobs empty jobs through claim/complete, one connection per worker; dub pipelines each completion with its next claim (target: NOTIFY p99 < 100 ms)"
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def fields(line): return dict(kv.split("=") for kv in line.split()[1:])
ours = [fields(l) for l in open(f"{out}/ours.txt") if l.startswith("throughput")]
ref = {int(fields(l)["clients"]): float(fields(l)["tps"]) for l in open(f"{out}/pgbench.txt")}
for row in ours:
    w, jps = int(row["workers"]), float(row["jobs_per_second"])
    r = ref.get(w, 0)
    reference = f"   pgbench, the same SQL {r:8.0f} jobs/s   ratio {jps / r:.2f} (target >= 0.8: {'pass' if jps / r >= 0.8 else 'MISS'})" if r else ""
    print(f"  {'dub queue, ' + str(w) + ' workers':44s} {jps:8.0f} jobs/s{reference}")
for l in open(f"{out}/ours.txt"):
    if l.startswith("latency"):
        f = fields(l)
        p99 = float(f['p99_ms'])
        verdict = "under the 100 ms target" if p99 < 100 else "OVER the 100 ms target"
        print(f"  {'submit-to-start with NOTIFY':44s} p50 {float(f['p50_ms']):6.1f} ms   p99 {p99:6.1f} ms   ({f['jobs']} jobs, {verdict})")
    if l.startswith("heartbeat"):
        f = fields(l)
        print(f"  {'heartbeat (guarded UPDATE, one round trip)':44s} {float(f['mean_ms']):6.2f} ms mean   p99 {float(f['p99_ms']):.2f} ms   = {float(f['db_share_per_job_at_15s']) * 100:.3f} % of a connection per running job at 15 s")
        hps = float(f['sustained_per_second'])
        print(f"  {'heartbeats sustained, ' + f['connections'] + ' connections':44s} {hps:8.0f} /s   = {hps * 15:,.0f} running jobs at one heartbeat per 15 s")
PY
