#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run suricata-verify test folders through ffwd's offline IDS and judge them.

    suricata_verify.py --driver BIN [--schema FILE] [--keep DIR] TESTS_DIR...

TESTS_DIR is a folder of test folders (each with a test.yaml) or one test
folder. For each test: the capture (test.yaml `pcap:`, else the folder's
one capture), the rules (test.rules), the arguments (test.yaml `args:`, or
its `command:` run with a stand-in for ${SRCDIR}/src/suricata), then:

  - every record of eve.json is checked against the EVE schema and read
    back by jq (tests/eve_check.py);
  - each `checks:` entry of test.yaml is judged where ffwd writes what it
    looks at: `filter:` (count / min-count / lt-count and match, dotted keys
    and suricata-verify's __len/__contains/__find/__startswith/__endswith
    forms) over event types alert, drop, flow and stats, and `stats:`
    against the last stats event; a filter on another event type (http,
    dns, ...: app-layer logging ffwd does not do) or on a field ffwd does
    not write, and shell/file-compare checks, are listed as not judged;
  - the folder's expected.json `judgeable_expectations` (alert matches with
    count or min_count) are judged too.

Verdicts: PASS (every judged check held, at least one alert check judged),
FAIL (what differed), UNSUPPORTED (why: a rule keyword or protocol outside
the subset, a need such as app-layer logging, a custom suricata.yaml).
Prints "N unsupported: ..." and then "N passed, M failed" last.
"""
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import eve_check  # noqa: E402  (tests/eve_check.py)

# Event types ffwd writes, and the fields of each (dotted prefixes).
EVENT_TYPES = {"alert", "drop", "flow", "stats"}
FIELDS = {
    "timestamp", "flow_id", "in_iface", "pcap_cnt", "event_type", "src_ip",
    "src_port", "dest_ip", "dest_port", "proto", "icmp_type", "icmp_code",
    "direction", "payload", "stream",
    "alert.action", "alert.gid", "alert.signature_id", "alert.rev",
    "alert.signature", "alert.category", "alert.severity",
    "flow.pkts_toserver", "flow.pkts_toclient", "flow.bytes_toserver",
    "flow.bytes_toclient", "flow.start", "flow.end", "flow.age", "flow.state",
    "flow.reason", "flow.alerted",
    "drop.len", "drop.ttl", "drop.tcpseq", "drop.tcpack", "drop.tcpwin",
    "drop.syn", "drop.ack", "drop.psh", "drop.rst", "drop.urg", "drop.fin",
    "drop.reason",
}
SUFFIXES = ("__len", "__contains", "__find", "__startswith", "__endswith")

# Rule-load messages that mean "outside the subset" rather than "broken".
UNSUPPORTED_RE = re.compile(r"unsupported|not supported|unknown protocol|"
                            r"protocol '[^']*' .*(app|not)", re.I)


def base_key(key):
    for s in SUFFIXES:
        if key.endswith(s):
            return key[: -len(s)], s
    return key, None


def lookup(obj, key):
    """Dotted key with optional [n] indices; (found, value)."""
    cur = obj
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(cur, list) or i >= len(cur):
                return False, None
            cur = cur[i]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return False, None
            cur = cur[part]
    return True, cur


def matches(rec, match):
    for key, want in match.items():
        if key in ("has-key", "not-has-key"):
            found, _ = lookup(rec, want)
            if found != (key == "has-key"):
                return False
            continue
        key, suffix = base_key(key)
        found, have = lookup(rec, key)
        if suffix == "__len":
            if not found or not hasattr(have, "__len__") or len(have) != want:
                return False
            continue
        if not found:
            return False
        if suffix in ("__contains", "__find"):
            if want not in have:
                return False
        elif suffix == "__startswith":
            if not str(have).startswith(str(want)):
                return False
        elif suffix == "__endswith":
            if not str(have).endswith(str(want)):
                return False
        elif have != want:
            return False
    return True


def judgeable(match):
    """None if ffwd writes every field MATCH looks at, else why not."""
    et = match.get("event_type")
    if et is not None and et not in EVENT_TYPES:
        return f"event_type {et} (app-layer/other logging ffwd does not write)"
    for key in match:
        k, _ = base_key(key)
        if key in ("has-key", "not-has-key"):
            k = match[key]
        if et == "stats" and k.startswith("stats."):
            continue
        if k in FIELDS or k == "event_type":
            continue
        return f"field {k} (not in ffwd's EVE)"
    return None


def judge_filter(records, flt, label):
    """(ok, text)."""
    match = flt.get("match", {}) or {}
    hits = [r for r in records if matches(r, match)]
    n = len(hits)
    if "count" in flt and n != flt["count"]:
        return False, f"{label}: {n} records, want {flt['count']} (match {match})"
    if "min-count" in flt and n < flt["min-count"]:
        return False, f"{label}: {n} records, want >= {flt['min-count']} (match {match})"
    if "lt-count" in flt and n >= flt["lt-count"]:
        return False, f"{label}: {n} records, want < {flt['lt-count']} (match {match})"
    return True, f"{label}: {n} records"


def find_pcap(tdir, cfg):
    """(path or None, note)."""
    p = cfg.get("pcap")
    if p is False:
        return None, "test runs without a capture"
    if p:
        full = os.path.normpath(os.path.join(tdir, p))
        if os.path.isfile(full):
            return full, ""
    caps = sorted(glob.glob(os.path.join(tdir, "*.pcap")) +
                  glob.glob(os.path.join(tdir, "*.pcapng")))
    if not caps:
        return None, "no capture in the folder"
    pick = os.path.join(tdir, "input.pcap") if os.path.join(tdir, "input.pcap") in caps else caps[0]
    note = f"pcap {p} not present; used {os.path.basename(pick)}" if p else ""
    return pick, note


def make_srcdir(tmp, driver, root):
    """A stand-in ${SRCDIR} for test.yaml `command:`: src/suricata runs the
    driver, dropping -c (ffwd has no suricata.yaml) and saying so."""
    src = os.path.join(tmp, "srcdir")
    os.makedirs(os.path.join(src, "src"), exist_ok=True)
    os.makedirs(os.path.join(src, "etc"), exist_ok=True)
    with open(os.path.join(src, "src", "suricata"), "w") as f:
        f.write("#!/bin/bash\n"
                "args=()\n"
                "while [ $# -gt 0 ]; do\n"
                "  if [ \"$1\" = -c ]; then echo \"suricata stand-in: -c $2 not used\" >&2; shift 2; continue; fi\n"
                "  args+=(\"$1\"); shift\n"
                "done\n"
                f"exec {shlex.quote(driver)} \"${{args[@]}}\"\n")
    os.chmod(os.path.join(src, "src", "suricata"), 0o755)
    open(os.path.join(src, "suricata.yaml"), "w").close()
    cls = os.path.join(root, "conf", "classification.config")
    if os.path.isfile(cls):
        shutil.copy(cls, os.path.join(src, "etc", "classification.config"))
    else:
        open(os.path.join(src, "etc", "classification.config"), "w").close()
    open(os.path.join(src, "etc", "reference.config"), "w").close()
    return src


def run_test(tdir, driver, validator, tmp, root):
    """(verdict, text)."""
    name = os.path.basename(os.path.normpath(tdir))
    with open(os.path.join(tdir, "test.yaml")) as f:
        cfg = yaml.safe_load(f) or {}
    notes = []
    req = cfg.get("requires") or {}
    for k, v in req.items():
        if k in ("min-version", "lt-version", "version"):
            continue        # Suricata versions: not ffwd's
        if k == "pcap" and v is False:
            return "UNSUPPORTED", "requires: pcap: false (live or unix-socket mode)"
        if k == "features":
            return "UNSUPPORTED", f"requires features {v}"
        if k == "files":
            continue
        return "UNSUPPORTED", f"requires: {k}: {v}"
    if os.path.isfile(os.path.join(tdir, "suricata.yaml")):
        return "UNSUPPORTED", "custom suricata.yaml (ffwd reads no suricata.yaml)"
    pcap, note = find_pcap(tdir, cfg)
    if pcap is None:
        return "UNSUPPORTED", note
    if note:
        notes.append(note)
    out = os.path.join(tmp, name)
    os.makedirs(out, exist_ok=True)
    rules = os.path.join(tdir, "test.rules")
    if not os.path.isfile(rules):
        rules = os.path.join(out, "empty.rules")
        open(rules, "w").close()
    if cfg.get("command"):
        src = make_srcdir(tmp, driver, root)
        env = dict(os.environ, TEST_DIR=tdir, OUTPUT_DIR=out, SRCDIR=src)
        cmd = ["bash", "-c", cfg["command"]]
        notes.append("test.yaml command run with a stand-in for suricata")
    else:
        args = []
        for a in cfg.get("args") or []:
            args += shlex.split(str(a))
        env = None
        cmd = [driver, "-r", pcap, "-S", rules, "-l", out] + args
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                           env=env)
    except subprocess.TimeoutExpired:
        return "FAIL", "driver timed out"
    if r.returncode != 0:
        msg = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
        if r.returncode == 2 and UNSUPPORTED_RE.search(r.stderr):
            return "UNSUPPORTED", msg
        return "FAIL", f"driver exited {r.returncode}: {msg}"
    eve = os.path.join(out, "eve.json")
    if not os.path.isfile(eve):
        return "FAIL", "no eve.json"
    n, problems = eve_check.check_file(validator, eve)
    if problems:
        return "FAIL", "EVE schema/jq: " + "; ".join(problems[:3])
    records = [json.loads(l) for l in open(eve)]

    failed, judged, alert_judged, unjudged = [], [], 0, []
    for i, chk in enumerate(cfg.get("checks") or [], 1):
        if "filter" in chk:
            flt = chk["filter"] or {}
            why = judgeable(flt.get("match", {}) or {})
            if why:
                unjudged.append(f"check {i}: {why}")
                continue
            ok, text = judge_filter(records, flt, f"check {i}")
            (judged if ok else failed).append(text)
            if (flt.get("match") or {}).get("event_type", "alert") in ("alert", "drop"):
                alert_judged += 1
        elif "stats" in chk:
            stats = [x for x in records if x.get("event_type") == "stats"]
            if not stats:
                failed.append(f"check {i}: no stats event")
                continue
            last = stats[-1]["stats"]
            for k, want in chk["stats"].items():
                found, have = lookup(last, k)
                if not found:
                    unjudged.append(f"check {i}: stats {k} (not a counter ffwd has)")
                elif have != want:
                    failed.append(f"check {i}: stats {k} = {have}, want {want}")
                else:
                    judged.append(f"check {i}: stats {k} = {have}")
        else:
            unjudged.append(f"check {i}: {'/'.join(chk)} check")
    exp = os.path.join(tdir, "expected.json")
    if os.path.isfile(exp):
        with open(exp) as f:
            ej = json.load(f)
        for j, e in enumerate(ej.get("judgeable_expectations") or [], 1):
            match = dict(e.get("match") or {})
            match.setdefault("event_type", "alert")
            flt = {"match": match}
            if "count" in e:
                flt["count"] = e["count"]
            if "min_count" in e:
                flt["min-count"] = e["min_count"]
            ok, text = judge_filter(records, flt, f"expected.json #{j}")
            (judged if ok else failed).append(text)
            alert_judged += 1
    if failed:
        return "FAIL", "; ".join(failed)
    if alert_judged == 0:
        return "UNSUPPORTED", "no alert check ffwd can judge: " + "; ".join(unjudged)
    text = f"{len(judged)} checks held, {n} records schema-valid"
    if unjudged:
        text += "; not judged: " + "; ".join(unjudged)
    if notes:
        text += "; " + "; ".join(notes)
    return "PASS", text


def main(argv):
    driver, schema, keep, dirs = None, None, None, []
    i = 0
    while i < len(argv):
        if argv[i] == "--driver":
            driver = argv[i + 1]
            i += 2
        elif argv[i] == "--schema":
            schema = argv[i + 1]
            i += 2
        elif argv[i] == "--keep":
            keep = argv[i + 1]
            i += 2
        else:
            dirs.append(argv[i])
            i += 1
    if not driver or not dirs:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.dirname(os.path.dirname(HERE))
    validator = eve_check.load_validator(
        schema or os.path.join(root, "tests", "eve_schema.json"))
    tests = []
    for d in dirs:
        if os.path.isfile(os.path.join(d, "test.yaml")):
            tests.append(d)
        else:
            tests += sorted(os.path.dirname(p) for p in
                            glob.glob(os.path.join(d, "*", "test.yaml")))
    tmp = keep or tempfile.mkdtemp(prefix="ffwd-sv-")
    passed, failed, unsupported = 0, 0, []
    try:
        for t in tests:
            name = os.path.basename(os.path.normpath(t))
            try:
                verdict, text = run_test(os.path.abspath(t), driver, validator,
                                         tmp, root)
            except Exception as e:  # a broken test.yaml is this test's failure
                verdict, text = "FAIL", f"harness: {type(e).__name__}: {e}"
            print(f"{verdict} {name}: {text}", flush=True)
            if verdict == "PASS":
                passed += 1
            elif verdict == "FAIL":
                failed += 1
            else:
                unsupported.append(name)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(unsupported)} unsupported" +
          (": " + ", ".join(unsupported) if unsupported else ""))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
