#!/usr/bin/env bash
# The PostgreSQL job queue: empty jobs through the real claim/heartbeat/complete path with 1, 4 and 16 workers (jobs
# per second), NOTIFY submit-to-start latency p50/p99 (target p99 < 100 ms on loopback), and the cost of a heartbeat.
# The reference is pgbench running the same kind of SKIP LOCKED claim + complete, one transaction per job, with as
# many clients, in the same run on the same server. The server is a throwaway one (initdb in a temporary folder).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
QBENCH=${QBENCH:-$(dirname "$DUBCTL")/dub-queue-bench}
[ -x "$QBENCH" ] || { echo "bench: $QBENCH is missing (swift build -c release builds it)" >&2; exit 1; }
out=$BENCH_OUT/queue
rm -rf "$out"; mkdir -p "$out"
jobs=${QUEUE_JOBS:-2000}

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
# pgbench: claim one queued row with SKIP LOCKED (the same kind of partial index as dub_jobs) and complete it, one
# transaction per job: the floor of what any SKIP LOCKED queue costs on this server.
psql -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE TABLE bench_jobs (id bigserial PRIMARY KEY, state text NOT NULL,
  priority int NOT NULL DEFAULT 0, run_at timestamptz NOT NULL DEFAULT now(), owner text, updated_at timestamptz);
  CREATE INDEX bench_jobs_claim ON bench_jobs (priority, run_at, id) WHERE state = 'queued'" postgres
cat > "$out/claim.sql" <<'SQL'
UPDATE bench_jobs SET state = 'succeeded', owner = 'pgbench', updated_at = now()
WHERE id = (SELECT id FROM bench_jobs WHERE state = 'queued' ORDER BY priority, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED);
SQL
for clients in 1 4 16; do
  psql -q -h 127.0.0.1 -p "$port" -U postgres -c "TRUNCATE bench_jobs; INSERT INTO bench_jobs (state) SELECT 'queued' FROM generate_series(1, 50000)" postgres
  tps=$(pgbench -n -h 127.0.0.1 -p "$port" -U postgres -c "$clients" -j "$clients" -T 5 -f "$out/claim.sql" postgres 2>/dev/null |
        awk '/^tps/ { print $3; exit }')
  echo "pgbench clients=$clients tps=${tps:-0}" >> "$out/pgbench.txt"
done
fi

echo "queue: $jobs empty jobs through claim/complete, one connection per worker (target: NOTIFY p99 < 100 ms)"
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def fields(line): return dict(kv.split("=") for kv in line.split()[1:])
ours = [fields(l) for l in open(f"{out}/ours.txt") if l.startswith("throughput")]
ref = {int(fields(l)["clients"]): float(fields(l)["tps"]) for l in open(f"{out}/pgbench.txt")}
for row in ours:
    w, jps = int(row["workers"]), float(row["jobs_per_second"])
    r = ref.get(w, 0)
    reference = f"   pgbench SKIP LOCKED claim+complete {r:8.0f} tps   ratio {jps / r:.2f}" if r else ""
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
