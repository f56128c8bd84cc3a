#!/usr/bin/env python3
"""Scores the records dumped by `cargo run -p beatdesk-core --example stream_dev`
with stream-dev's own scorer, per path (ingest, import).

usage: stream_dev_score.py DATA_DIR OUT_DIR [-v]

A record collapsed as a duplicate at ingest (a Google News pointer, a wire
reissue) counts in the story of the record it duplicates: the story shows it
as "duplicates collapsed". Rejected records are unclustered."""
import json, os, subprocess, sys

data, out = sys.argv[1], sys.argv[2]
verbose = "-v" in sys.argv
truth = json.load(open(os.path.join(data, "truth.json")))
by_ext = {}
for key, item in truth["items"].items():
    by_ext[item["external_id"]] = key
    by_ext[key.split(":", 1)[1]] = key


def key_of(r):
    for cand in (r["external_id"], r["url"], r["canonical_url"]):
        cand = cand.replace("https://https://", "https://")
        for v in (cand, cand.rstrip("/"), cand.rstrip("/") + "/", cand.replace(".example?", ".example/?")):
            if v in by_ext:
                return by_ext[v]
    return None


for path in ("ingest", "import"):
    f = os.path.join(out, path + ".json")
    if not os.path.exists(f):
        continue
    dump = json.load(open(f))
    recs = {r["id"]: r for r in dump["records"]}

    def story(r, depth=0):
        if r["status"] == "duplicate" and r["duplicate_of"] in recs and depth < 16:
            return story(recs[r["duplicate_of"]], depth + 1)
        return r["story"] if r["status"] != "rejected" else None

    preds, unmatched = {}, []
    for r in dump["records"]:
        k = key_of(r)
        if k is None:
            unmatched.append(r["external_id"])
            continue
        s = story(r)
        if k not in preds or preds[k] is None:
            preds[k] = None if s is None else f"s{s}"
    missing = [k for k in truth["items"] if k not in preds]
    pf = os.path.join(out, path + "_predictions.json")
    json.dump(preds, open(pf, "w"), indent=1)
    print(f"===== {path}: {len(dump['records'])} records, {len(missing)} truth items never ingested, {len(unmatched)} records not in truth")
    if verbose and missing:
        print("  missing:", missing)
    if verbose:
        for k, it in sorted(truth["items"].items(), key=lambda x: (x[1]["story"], str(preds.get(x[0])))):
            if it["story"] in ("S1", "S2", "S3", "S4", "roundup"):
                print(f"   {it['story']:8} {str(preds.get(k)):6} {it['role']:12} {k[:40]}")
    res = subprocess.run([sys.executable, os.path.join(data, "score.py"), pf] + (["-v"] if verbose else []),
                         capture_output=True, text=True)
    print(res.stdout, res.stderr)
    # Independent origins of the story holding most of each true story.
    stories = {f"s{s['id']}": s for s in dump["stories"]}
    for sid in ("S1", "S2", "S3", "S4"):
        members = [k for k, it in truth["items"].items() if it["story"] == sid and it["keep"]]
        counts = {}
        for k in members:
            if preds.get(k):
                counts[preds[k]] = counts.get(preds[k], 0) + 1
        if not counts:
            continue
        best = max(counts, key=counts.get)
        s = stories.get(best, {})
        print(f"  {sid}: main story {best} holds {counts[best]}/{len(members)}, {s.get('records')} records, "
              f"{s.get('independent_origins')} independent origins, signal {s.get('signal', 0):.2f}")
        if verbose:
            for w in s.get("why", [])[:4]:
                print("     ", w)
