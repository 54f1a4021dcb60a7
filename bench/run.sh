#!/usr/bin/env bash
# bench/run.sh - side-by-side load benchmark: ticketbridge (durable acks into SQLite) against the
# reference Bolt-js app (acks, stores nothing), measured by the shared bounded runner
# /work/shared/bench/run_peer_bench.sh in one invocation, on one TSV, then printed as one table.
#
#   bench/run.sh                      # build, install the Bolt peer if missing, run, print the table
#   bench/run.sh --no-build -d 10 -r 1 -l 1:10 -S events     # a quick look
#
# Everything started here (the runner, which starts and stops the targets) is stopped by PID on
# exit, on Ctrl-C and on the overall watchdog. Only 127.0.0.1 is used.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RUNNER=${PEER_BENCH:-$HERE/../../shared/bench/run_peer_bench.sh}
BOLT_SRC=${BOLT_SRC:-$(dirname "$RUNNER")/bolt-reference}
BOLT_DIR=${BOLT_DIR:-/tmp/bolt}
TB_BIN=${TB_BIN:-$REPO/build/release/adapters/cli/ticketbridge}
TB_CONFIG=${TB_CONFIG:-$HERE/bench.yaml}
BOLT_PORT=3100; TB_PORT=3200

usage() {
  cat <<EOF
Usage: bench/run.sh [options]

  --table F [T]  only print the side-by-side table of TSV file F (rows from time T on) and exit
  --no-build     do not (re)build the release binary ($TB_BIN)
  -d SECS        measured seconds per run (default 15)
  -l LEVELS      wrk threads:connections list (default 1:10,1:50,1:200: one wrk thread, because the
                 shared bench.lua starts wrk thread k at offset k*7919 of the same request set, so
                 with 2 threads thread 0 replays thread 1's event ids after 7919 requests)
  -r N           repeats per scenario x level; the table shows the runner's median-rps run (default 3)
  -n N           distinct signed requests per generated set for ticketbridge (default 200000); must be
                 above the requests one run sends (rps x seconds), or event ids repeat and the
                 service deduplicates instead of storing: the stored/sent column checks it and the
                 table says REPEATS when it happened (600000 costs 10-90 s of generation per run)
  -N N           set size for the Bolt app (default 20000; it stores nothing, so repeats do not
                 change its work, and generating 600000 signed requests costs 10-90 s per run)
  -t LIST        ticketbridge --threads values to measure, comma list (default 1; e.g. 1,2)
  -S LIST        scenarios: events,commands (default both)
  -T WHICH       targets: both, bolt, tb (default both)
  -w SECS        Bolt warm-up before each measured run (default 3). ticketbridge runs get none: the
                 runner's warm-up replays the same signed set, so the measured run would start with
                 duplicates that are acknowledged without being written
  -q SECS        wait up to SECS for a quiet host before each run (default 15)
  -u N           extra runs to replace runs flagged !busy-host (default 0; on a host that stays busy
                 every level then runs N more times: -u 1 took the defaults from ~25 to ~36 min)
  -o FILE        TSV to append to (default bench/results/run-<UTC time>.tsv)
  -D DIR         where ticketbridge's SQLite files go (default: a fresh temp dir under /tmp, on the
                 same disk as production would use; -D /dev/shm puts them in RAM, where fdatasync
                 costs nothing: a diagnostic that separates disk latency from CPU cost)
  -K             keep the temp dir (SQLite files, runner work dirs)
  -h             this help

Environment overrides: PEER_BENCH (runner), BOLT_SRC, BOLT_DIR, TB_BIN, TB_CONFIG.
EOF
}

BUILD=1; DUR=15; LEVELS=1:10,1:50,1:200; REPEAT=3; NREQ=200000; BOLT_NREQ=20000; THREADS=1
SCEN=events,commands; TARGETS=both; WARM=3; QUIET=15; RETRY=0; OUT=""; KEEP=0; DBDIR=""
# ------------------------------------------------------------------ side-by-side table
print_table() { # since-timestamp tsv: one row per scenario x level, from the runner's median lines
  awk -F'\t' -v since="$1" '
    $1 < since { next }
    $3 == "deliveries" { stored[$2 SUBSEP $4] = $5; sent[$2 SUBSEP $4] = $6; next }
    $3 == "startup_ms" { next }
    $3 == "p999_us" { p999[$2 SUBSEP $4 SUBSEP $5] = $6 / 1000; next }
    $3 == "jobs" { jobs = jobs sprintf("  %-16s %-16s %s\n", $2, $4, $5); next }
    $3 == "wal_peak_bytes" { wal = wal sprintf("  %-16s %-16s WAL peak %5.1f MB, database at the end %6.1f MB\n", $2, $4, $5 / 1048576, $6 / 1048576); next }
    $3 == "fdatasync_ms" { fs = fs sprintf("%s p50 %s ms p90 %s ms; ", $2, $4, $5); next }
    {
      name = $3; med = sub(/-med$/, "", name); sub(/#[0-9]+$/, "", name)
      busy = ($0 ~ /busy-host/)
      k = $2 SUBSEP name
      # prefer the runner median line, then the latest unflagged run, then the latest run
      rank = med ? 3 : (busy ? 1 : 2)
      if (rank >= best[k]) { best[k] = rank; rps[k] = $4; p50[k] = $5; p99[k] = $7; rss[k] = $10
                             upr[k] = $12; flag[k] = busy ? "!" : "" }
      if (!(name in seen)) { seen[name] = 1; order[++n] = name }
      if (!($2 in lab)) { lab[$2] = 1; if ($2 != "bolt") tbl[++m] = $2 }
    }
    END {
      for (k in rps) { split(k, kk, SUBSEP); q = kk[1] SUBSEP kk[2] SUBSEP rps[k]
                       p9[k] = (q in p999) ? sprintf("%6.1f", p999[q]) : "     -" }
      for (j = 1; j <= m; j++) {
        t = tbl[j]
        printf "\n%-16s | %-40s | %-48s | %-27s | %s\n", "scenario", "bolt: rps p50 p99 p999 RSS", t ": rps p50 p99 p999 RSS us/req", "tb/bolt: rps p99 p999 RSS", "stored/sent"
        for (i = 1; i <= n; i++) {
          s = order[i]; b = "bolt" SUBSEP s; x = t SUBSEP s
          if (!(x in rps) && !(b in rps)) continue
          bs = (b in rps) ? sprintf("%8.0f %5.1f %6.1f %s %5.0fMB%s", rps[b], p50[b], p99[b], p9[b], rss[b], flag[b]) : "-"
          ts = (x in rps) ? sprintf("%8.0f %5.1f %6.1f %s %5.0fMB %6.1f%s", rps[x], p50[x], p99[x], p9[x], rss[x], upr[x], flag[x]) : "-"
          r9 = ((b in rps) && (x in rps) && p9[b] + 0 > 0 && p9[x] !~ /-/) ? sprintf("%5.2fx", p9[x] / p9[b]) : "    -"
          rs = ((b in rps) && (x in rps) && rps[b] > 0 && p99[b] > 0 && rss[b] > 0) ? sprintf("%5.2fx %5.2fx %s %5.2fx", rps[x] / rps[b], p99[x] / p99[b], r9, rss[x] / rss[b]) : "-"
          ds = (x in stored) ? sprintf("%s/%s", stored[x], sent[x]) : "-"
          if ((x in stored) && sent[x] > 0 && stored[x] < 0.99 * sent[x]) { ds = ds " REPEATS"; rep = 1 }
          printf "%-16s | %-40s | %-48s | %-27s | %s\n", s, bs, ts, rs, ds
        }
      }
      print "\n(rps = requests/s answered; p50/p99/p999 in ms; RSS = peak RSS during the run; us/req = CPU us per request;"
      print " ratios are ticketbridge / bolt: want rps >= 5x, p99 and p999 < 1x, RSS <= 0.2x; stored/sent = unique deliveries in"
      print " the level'"'"'s SQLite file / requests wrk completed at that level over all its runs; ! = busy-host run)"
      if (fs != "") print "disk fdatasync: " fs
      if (jobs != "") printf "ticketbridge job queue at the end of each level (every new delivery queues a job, except a command answered in full on arrival, such as the mistaken /ticket the bench sends):\n%s", jobs
      if (wal != "") printf "ticketbridge SQLite files per level (WAL sampled every 0.5 s while the level ran):\n%s", wal
      if (rep) print "REPEATS: fewer deliveries stored than requests answered - event ids repeated (-n too small, or several\n wrk threads: bench.lua starts thread k at offset k*7919 of the same set), so part of the figure is duplicates"
    }' "$2"
}

if [[ ${1:-} == --table ]]; then   # reprint the table of an existing TSV: --table FILE [SINCE]
  [[ -f ${2:-} ]] || { echo "usage: bench/run.sh --table FILE.tsv [since-UTC-timestamp]" >&2; exit 2; }
  print_table "${3:-0}" "$2"; exit 0
fi
args=()
for a in "$@"; do [[ $a == --no-build ]] && BUILD=0 || args+=("$a"); done
set -- "${args[@]+"${args[@]}"}"
while getopts "d:l:r:n:N:t:S:T:w:q:u:o:D:Kh" opt; do
  case $opt in
    d) DUR=$OPTARG ;; l) LEVELS=$OPTARG ;; r) REPEAT=$OPTARG ;; n) NREQ=$OPTARG ;; N) BOLT_NREQ=$OPTARG ;;
    t) THREADS=$OPTARG ;; S) SCEN=$OPTARG ;; T) TARGETS=$OPTARG ;; w) WARM=$OPTARG ;; q) QUIET=$OPTARG ;;
    u) RETRY=$OPTARG ;; o) OUT=$OPTARG ;; D) DBDIR=$OPTARG ;; K) KEEP=1 ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
for v in "$DUR" "$REPEAT" "$NREQ" "$BOLT_NREQ" "$WARM" "$QUIET" "$RETRY"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "bad numeric option: $v" >&2; exit 2; }
done
[[ $THREADS =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "bad -t: $THREADS" >&2; exit 2; }
[[ $TARGETS == both || $TARGETS == bolt || $TARGETS == tb ]] || { echo "bad -T: $TARGETS" >&2; exit 2; }
[[ -x $RUNNER ]] || { echo "runner not found: $RUNNER (set PEER_BENCH)" >&2; exit 2; }
for t in wrk node sqlite3 ss; do command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 2; }; done

if [[ -z $OUT ]]; then mkdir -p "$HERE/results"; OUT="$HERE/results/run-$(date -u +%Y%m%dT%H%M%SZ).tsv"; fi
STAMP=$(date -u +%FT%TZ)

# ------------------------------------------------------------------ build and peer install
if (( BUILD )) && [[ $TARGETS != bolt ]]; then
  echo "# building release binary"
  ( cd "$REPO" && cmake --preset release >/dev/null && cmake --build --preset release --target ticketbridge -j2 ) \
    || { echo "build failed" >&2; exit 1; }
fi
if [[ $TARGETS != bolt ]]; then [[ -x $TB_BIN ]] || { echo "no binary at $TB_BIN (drop --no-build)" >&2; exit 1; }; fi
if [[ $TARGETS != tb && ! -d $BOLT_DIR/node_modules/@slack/bolt ]]; then
  echo "# installing the Bolt reference app into $BOLT_DIR"
  rm -rf "$BOLT_DIR" && cp -r "$BOLT_SRC" "$BOLT_DIR" && chmod -R u+w "$BOLT_DIR" &&
    (cd "$BOLT_DIR" && npm ci --no-audit --no-fund) || { echo "npm ci failed" >&2; exit 1; }
fi

# ------------------------------------------------------------------ bounds and cleanup
IFS=',' read -r -a SCEN_LIST <<<"$SCEN"
IFS=',' read -r -a LEVEL_LIST <<<"$LEVELS"
IFS=',' read -r -a THREAD_LIST <<<"$THREADS"
ntb=${#THREAD_LIST[@]}; [[ $TARGETS == bolt ]] && ntb=0
nbolt=1; [[ $TARGETS == tb ]] && nbolt=0
runs_per_target=$(( ${#SCEN_LIST[@]} * ${#LEVEL_LIST[@]} * (REPEAT + RETRY) ))
# per run: generation (up to ~100 s for 600000 requests on a loaded 2-core host), quiet wait,
# warm-up, measured run, slack; per runner invocation: start, stop, counting
per_tb=$(( DUR + QUIET + 20 + NREQ / 6000 ))
per_bolt=$(( DUR + WARM + QUIET + 20 + BOLT_NREQ / 6000 ))
BUDGET=$(( ntb * runs_per_target * per_tb + nbolt * runs_per_target * per_bolt
           + (ntb + nbolt) * ${#SCEN_LIST[@]} * ${#LEVEL_LIST[@]} * 60 ))
TMP=$(mktemp -d /tmp/tb-bench.XXXXXX)
if [[ -n $DBDIR ]]; then DBTMP=$(mktemp -d "$DBDIR/tb-bench-db.XXXXXX") || exit 1; else DBTMP=$TMP; fi
# The shared runner with bench_p999.lua as its bench.lua (the same script, plus p999 on its result
# line): links to the runner's files in a temp dir, where the runner looks for its helpers.
PEER="$TMP/peer"; mkdir -p "$PEER"
for f in "$(dirname "$RUNNER")"/*; do ln -s "$(readlink -f "$f")" "$PEER/"; done
rm -f "$PEER/bench.lua"; cp "$HERE/bench_p999.lua" "$PEER/bench.lua"
RUN_PEER="$PEER/$(basename "$RUNNER")"
CHILD=""; WATCHDOG=""; SAMPLER=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n $CHILD ]]; then kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
  if [[ -n $SAMPLER ]]; then kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; fi
  if [[ -n $WATCHDOG ]]; then kill "$WATCHDOG" 2>/dev/null; wait "$WATCHDOG" 2>/dev/null; fi
  if (( KEEP )); then echo "# kept $TMP $DBTMP"; else rm -rf "$TMP" "$DBTMP"; fi
}
trap cleanup EXIT
trap 'echo "bench/run.sh: stopping" >&2; exit 130' INT TERM
MAINPID=$$
( trap 'kill "$sp" 2>/dev/null; exit 0' TERM
  sleep "$BUDGET" & sp=$!; wait "$sp" || exit 0
  echo "bench/run.sh: watchdog: ${BUDGET}s exceeded, stopping" >&2; kill -TERM "$MAINPID" ) &
WATCHDOG=$!

# fdatasync latency of the disk the SQLite files live on: the floor under every durable commit
fsync_probe() { # label
  command -v python3 >/dev/null || return 0
  local r
  r=$(python3 - "$DBTMP/fsync.probe" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC); lat = []
for i in range(200):
    os.pwrite(fd, b"x" * 4096, (i % 32) * 4096); t = time.perf_counter(); os.fdatasync(fd)
    lat.append(time.perf_counter() - t)
os.close(fd); os.unlink(sys.argv[1]); lat.sort()
print("%.2f %.2f" % (lat[100] * 1e3, lat[180] * 1e3))
PY
  ) || return 0
  printf '%s\t%s\tfdatasync_ms\t%s\n' "$(date -u +%FT%TZ)" "$1" "$(tr ' ' '\t' <<<"$r")" >>"$OUT"
  echo "# disk fdatasync ($1): p50 ${r% *} ms, p90 ${r#* } ms (4 KB writes, 200 samples, $DBTMP)"
}

echo "# $STAMP  cores=$(nproc)  duration=${DUR}s  levels=$LEVELS  repeats=$REPEAT (+$RETRY for busy runs)" \
     " -n tb=$NREQ bolt=$BOLT_NREQ  tb threads=$THREADS  tsv=$OUT  upper bound ${BUDGET}s"

fsync_probe before

# largest size the level's WAL reached, sampled twice a second while the runner runs (the service
# folds the WAL in when it stops, so the size at the end says nothing)
wal_sampler() { # db outfile
  local max=0 n
  while :; do
    n=$(stat -c %s "$1-wal" 2>/dev/null || echo 0)
    if (( n > max )); then max=$n; echo "$max" >"$2"; fi
    sleep 0.5
  done
}

# one runner invocation per target x scenario x level, so each ticketbridge level starts on a fresh
# SQLite file whose deliveries can be counted against the requests that level sent.
run_level() { # label port startcmd startdir nreq warm scen level db
  local label=$1 port=$2 cmd=$3 dir=$4 nreq=$5 warm=$6 scen=$7 lv=$8 db=${9:-} err work sent stored
  local walmax="$TMP/walmax-$label-$scen-${lv/:/c}" wal dbsize
  err="$TMP/runner-$label-$scen-${lv/:/c}.err"
  if [[ -n $db ]]; then echo 0 >"$walmax"; wal_sampler "$db" "$walmax" & SAMPLER=$!; fi
  "$RUN_PEER" -p "$port" -s "$cmd" -C "$dir" -d "$DUR" -w "$warm" -l "$lv" -S "$scen" -k /slack/commands \
    -n "$nreq" -r "$REPEAT" -u "$RETRY" -q "$QUIET" -L "$label" -o "$OUT" -K 2> >(tee "$err" >&2) &
  CHILD=$!; wait "$CHILD"; CHILD=""
  if [[ -n $SAMPLER ]]; then kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""; fi
  work=$(sed -n 's/^# kept work dir: //p' "$err" | tail -1)
  # p999 of every measured run, keyed by its rps, which the table matches to the run it shows
  local f r
  for f in "$work"/"$scen"-t*.txt; do
    [[ -f $f && $f != *.warm.txt ]] || continue
    r=$(sed -n 's/^WRKRESULT .*rps=\([0-9.]*\) .*p999_us=\([0-9]*\).*/\1\t\2/p' "$f" | tail -1)
    [[ -n $r ]] && printf '%s\t%s\tp999_us\t%s\t%s\n' "$(date -u +%FT%TZ)" "$label" "$scen-t${lv/:/c}" "$r" >>"$OUT"
  done
  if [[ -n $db ]]; then
    # requests wrk completed (measured runs and warm-ups) against unique deliveries in the file
    sent=0
    [[ -n $work && -d $work ]] && sent=$(cat "$work"/*.txt 2>/dev/null |
      sed -n 's/^WRKRESULT requests=\([0-9]*\).*/\1/p' | awk '{s+=$1} END{print s+0}')
    stored=$(sqlite3 "$db" 'select count(*) from deliveries' 2>/dev/null || echo NA)
    # the job queue each delivery also created: how far the job runner got by the end of the level
    jobs=$(sqlite3 "$db" "select group_concat(state || '=' || n, ' ') from
                          (select state, count(*) n from jobs group by state order by state)" 2>/dev/null)
    printf '%s\t%s\tdeliveries\t%s-t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$label" "$scen" "${lv/:/c}" \
      "$stored" "$sent" >>"$OUT"
    printf '%s\t%s\tjobs\t%s-t%s\t%s\n' "$(date -u +%FT%TZ)" "$label" "$scen" "${lv/:/c}" "${jobs:-none}" >>"$OUT"
    wal=$(cat "$walmax" 2>/dev/null || echo 0); dbsize=$(stat -c %s "$db" 2>/dev/null || echo 0)
    printf '%s\t%s\twal_peak_bytes\t%s-t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$label" "$scen" "${lv/:/c}" \
      "$wal" "$dbsize" >>"$OUT"
    echo "# $label $scen ${lv}: deliveries in SQLite $stored, requests completed by wrk $sent; jobs: ${jobs:-none};" \
         "WAL peak $(( wal / 1048576 )) MB, database $(( dbsize / 1048576 )) MB"
    (( KEEP )) || rm -f "$db" "$db-wal" "$db-shm"
  fi
  if [[ -n $work && $work == /tmp/peer_bench.* ]] && (( ! KEEP )); then rm -rf "$work"; fi
}

for scen in "${SCEN_LIST[@]}"; do
  for lv in "${LEVEL_LIST[@]}"; do
    if [[ $TARGETS != tb ]]; then
      run_level bolt $BOLT_PORT "exec node app.js" "$BOLT_DIR" "$BOLT_NREQ" "$WARM" "$scen" "$lv"
    fi
    if [[ $TARGETS != bolt ]]; then
      for th in "${THREAD_LIST[@]}"; do
        label=ticketbridge; (( ntb > 1 || th != 1 )) && label="ticketbridge-t$th"
        db="$DBTMP/$label-$scen-${lv/:/c}.db"
        # Slack and Zendesk point at a closed local port: the jobs the deliveries queue (ticket
        # flows) fail fast and are retried with backoff, and nothing ever leaves the machine.
        cmd="exec env SLACK_BOT_TOKEN=xoxb-bench SLACK_API_URL=http://127.0.0.1:9/api"
        cmd+=" ZENDESK_URL=http://127.0.0.1:9 ZENDESK_EMAIL=b@example.com"
        cmd+=" ZENDESK_API_TOKEN=t ZENDESK_WEBHOOK_SECRET=w DATABASE_URL=sqlite:$db"
        cmd+=" $(printf %q "$TB_BIN") --log-level warn serve --config $(printf %q "$TB_CONFIG") --threads $th"
        run_level "$label" $TB_PORT "$cmd" "$REPO" "$NREQ" 0 "$scen" "$lv" "$db"
      done
    fi
  done
done

fsync_probe after

echo
echo "# side by side ($STAMP, $(nproc) cores, ${DUR}s runs, median-rps run of $REPEAT, tb -n $NREQ)"
print_table "$STAMP" "$OUT"
