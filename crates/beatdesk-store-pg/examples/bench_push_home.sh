#!/usr/bin/env bash
# Builds the home `bench_push` pushes: the demo beat, plus the shared
# stream-dev set (not written by us) copied 80 times with distinct ids
# (10,000 lines; import keeps the copies as duplicates of the first), and
# offline drafts of the top 10 stories.
#   bash crates/beatdesk-store-pg/examples/bench_push_home.sh /tmp/bench-push-home
set -euo pipefail
HOME_DIR="${1:?usage: bench_push_home.sh DIR}"
DATA="${STREAM_DEV:-/work/shared/data/stream-dev}"
B="${BEATDESK:-target/debug/beatdesk}"
export BEATDESK_NOW=2026-11-05T12:00:00Z
rm -rf "$HOME_DIR" && mkdir -p "$HOME_DIR"
python3 - "$DATA/stream.jsonl" "$HOME_DIR/stream-x80.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[2], "w") as out:
    for k in range(80):
        for o in lines:
            o = dict(o, external_id=f"{o['external_id']}-{k}", url=o["url"] + (f"#copy{k}" if k else ""))
            out.write(json.dumps(o) + "\n")
PY
"$B" --home "$HOME_DIR" demo >/dev/null
"$B" --home "$HOME_DIR" beat add "AI chips" >/dev/null
"$B" --home "$HOME_DIR" import --beat "AI chips" "$HOME_DIR/stream-x80.jsonl"
for id in $("$B" --home "$HOME_DIR" stories --beat "AI chips" | head -10 | awk '{print $1}'); do
  "$B" --home "$HOME_DIR" draft "$id" >/dev/null
done
