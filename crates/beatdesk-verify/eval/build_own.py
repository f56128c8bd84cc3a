"""Builds the project's own claim set (claims-dev format) from the labelled
clustering records: clean sentences (quoted, verbatim, and with numbers
rewritten in another form) and one edited copy per edit type.
Deterministic: python3 build_own.py writes own/sources.json and own/cases.json."""
import json, random, re, pathlib

HERE = pathlib.Path(__file__).parent
SRC = HERE / "../../beatdesk-analyze/tests/data/open_source_ai.jsonl"
rng = random.Random(10)

recs = [json.loads(l) for l in SRC.read_text().splitlines() if l.strip()]
sources = {f"R{r['id']:03d}": {"from": r["url"], "text": r["text"]} for r in recs}

def sentences(t):
    out = re.split(r'(?<=[.!?])\s+(?=[A-Z"“])', t)
    return [s.strip() for s in out if 10 <= len(s.split()) <= 35 and '"' not in s and '“' not in s and "http" not in s]

NUM = re.compile(r'(?<![\w.-])(\$?\d[\d,]*(?:\.\d+)?)(%| percent| billion| million|B|bn|k)?(?![\w-])')
NAME = re.compile(r'(?<=[a-z,] )([A-Z][a-zA-Z]+(?: [A-Z][a-zA-Z]+)*)')
AUX = re.compile(r'\b(is|are|was|were|will|has|have|can|could|would)\b (?!not)')
STOP = {"The", "A", "An", "In", "On", "It", "This", "That", "But", "And", "He", "She", "They", "We", "I"}

all_names = set()
for r in recs:
    all_names.update(n for n in NAME.findall(r["text"]) if n not in STOP and len(n) > 3)
CALENDAR = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
            "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
# Names only: weekdays and months are dates, and a swap must change more than letter case.
all_names = sorted(n for n in all_names if not set(n.split()) & CALENDAR)

SYNONYMS = [("said", "stated"), ("says", "states"), ("about", "around"), ("company", "firm"),
            ("announced", "unveiled"), ("released", "published"), ("large", "big"), ("users", "people using it"),
            ("because", "as"), ("However,", "Still,"), ("also", "additionally"), ("new", "newly released")]

def other_form(num, unit):
    """The same number written another way, or None."""
    v = num.lstrip("$").replace(",", "")
    money = num.startswith("$")
    if unit == " billion":
        return f"{'$' if money else ''}{v}B"
    if unit == "%":
        return f"{v} percent"
    if unit == " percent":
        return f"{v}%"
    if unit is None and "," in num and not money:
        return v
    return None

def changed(num):
    digits = [i for i, c in enumerate(num) if c.isdigit()]
    i = digits[0]
    d = int(num[i])
    nd = (d + rng.choice([2, 3, 4])) % 10
    if nd == 0 and i == digits[0]:
        nd = 7
    return num[:i] + str(nd) + num[i + 1:]

cases = []
def add(kind, text, cites, expect, **kw):
    cases.append({"id": f"O{len(cases) + 1:03d}", "kind": kind, "text": text, "cites": cites, "expect": expect, **kw})

pool = []
for r in recs:
    for s in sentences(r["text"]):
        pool.append((f"R{r['id']:03d}", s))
rng.shuffle(pool)
seen = set()
picked = []
for sid, s in pool:
    if s in seen:
        continue
    seen.add(s)
    picked.append((sid, s))
    if len(picked) == 120:
        break

clean = []
for k, (sid, s) in enumerate(picked):
    style = ["quote", "verbatim", "number", "paraphrase"][k % 4]
    if style == "paraphrase":
        # Light rewording a reporter would do: synonyms, and the words around the facts changed.
        text = s
        for a, b in SYNONYMS:
            text = re.sub(rf"\b{a}\b", b, text, count=1)
        text = re.sub(r"^(The|A|An) ", lambda m: m.group(1) + " ", text)
        if text == s:
            text = "According to the record, " + s[0].lower() + s[1:] if s[1:2].islower() else "Reportedly, " + s

    if style == "number":
        m = next((m for m in NUM.finditer(s) if other_form(m.group(1), m.group(2))), None)
        if not m:
            style = "verbatim"
        else:
            form = other_form(m.group(1), m.group(2))
            text = s[:m.start()] + form + s[m.end():]
    if style == "quote":
        body = s.rstrip(".")
        text = f"According to the record, \u201c{body}.\u201d"
    if style == "verbatim":
        text = s
    add("clean", text, [sid], "pass", style=style)
    clean.append((sid, s, text, style))

src_text = {k: v["text"] for k, v in sources.items()}
for sid, s, text, style in clean:
    # number changed
    # A number right after a capitalised word or inside an identifier is a name ("Qwen 3.5", "X_Y=1").
    m = next((m for m in NUM.finditer(text) if not re.search(r"([A-Z][\w.-]*\s|[=_])$", text[:m.start()])), None)
    if m and len([c for c in m.group(1) if c.isdigit()]) >= 1:
        new = changed(m.group(1))
        if new.lstrip("$").replace(",", "") not in src_text[sid].replace(",", ""):
            add("number", text[:m.start(1)] + new + text[m.end(1):], [sid], "fail", changed={"from": m.group(1), "to": new})
    # quote word changed (quote style only)
    if style == "quote":
        words = [w for w in re.finditer(r"\b[a-z]{4,}\b", text) if w.start() > text.index("\u201c")]
        if words:
            w = rng.choice(words)
            repl = rng.choice(["several", "largely", "quickly", "formally", "openly", "mostly"])
            if repl != w.group(0):
                add("quote", text[:w.start()] + repl + text[w.end():], [sid], "fail", changed={"from": w.group(0), "to": repl})
    # entity swapped for a name the cited record does not hold
    names = [n for n in NAME.finditer(text) if n.group(1) not in STOP and len(n.group(1)) > 3]
    if names:
        n = names[0]
        cands = [x for x in all_names if x.lower() not in src_text[sid].lower() and x.split()[0].lower() not in src_text[sid].lower()]
        new = rng.choice(cands)
        add("entity", text[:n.start(1)] + new + text[n.end(1):], [sid], "fail|warn", changed={"from": n.group(1), "to": new})
    # negation added
    a = AUX.search(text.split("\u201c")[0] if style == "quote" else text)
    if a and style != "quote":
        add("negation", text[:a.end(1)] + " not" + text[a.end(1):], [sid], "fail|warn", changed={"from": a.group(1), "to": a.group(1) + " not"})
    # citation moved to a record without the sentence
    others = [k for k in sources if k != sid and s[:40] not in src_text[k]]
    add("miscite", text, [rng.choice(others)], "fail|warn", changed={"cites_from": [sid]})

(HERE / "own").mkdir(exist_ok=True)
(HERE / "own/sources.json").write_text(json.dumps(sources, indent=1, ensure_ascii=False))
(HERE / "own/cases.json").write_text(json.dumps(cases, indent=1, ensure_ascii=False))
from collections import Counter
print(Counter(c["kind"] for c in cases))
