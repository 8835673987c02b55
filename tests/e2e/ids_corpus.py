#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every capture of the corpus through ffwd's offline IDS in IPS mode, with
a rule set that uses every supported keyword (tests/ids/all-keywords.rules)
and malformed packets dropped, on the sanitizer build.

For each file libpcap reads (corpus expected/libpcap_read.json), the run
must exit 0 with no sanitizer report, and its last stats event must add up:
  - decoder.pkts equals the packets libpcap reads from the file;
  - ids.pkts = ids.pass + ids.ids_drop + ids.ids_flow_drop + ids.ids_malformed;
  - decoder.invalid = the sum of decoder.event.* = ids.ids_malformed;
  - every eve.json record valid against the EVE schema, read back by jq.
A file libpcap cannot open, or with a link type the decoder does not know,
must be refused (exit 1) with a message naming it.

    ids_corpus.py DRIVER CORPUS
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import eve_check  # noqa: E402

LINKS = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276}
SAN = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer")


def main(argv):
    driver, corpus = argv[0], argv[1]
    root = os.path.dirname(os.path.dirname(HERE))
    rules = os.path.join(root, "tests", "ids", "all-keywords.rules")
    validator = eve_check.load_validator(os.path.join(root, "tests", "eve_schema.json"))
    with open(os.path.join(corpus, "expected", "libpcap_read.json")) as f:
        files = json.load(f)["files"]
    passed = failed = 0
    totals = {"pkts": 0, "alerts": 0, "drops": 0, "malformed": 0}
    with tempfile.TemporaryDirectory(prefix="ffwd-ids-corpus-") as tmp:
        for i, (rel, exp) in enumerate(sorted(files.items())):
            path = os.path.join(corpus, rel)
            out = os.path.join(tmp, str(i))
            r = subprocess.run([driver, "-r", path, "-S", rules, "-l", out,
                                "--simulate-ips", "--set", "ids.drop-malformed=true",
                                "--set", "stream.midstream=true"],
                               capture_output=True, text=True, timeout=120)
            why = None
            if SAN.search(r.stderr):
                why = "sanitizer: " + SAN.search(r.stderr).group(0)
            elif "open_error" in exp or exp.get("dlt") not in LINKS:
                if r.returncode != 1 or os.path.basename(rel) not in r.stderr:
                    why = f"want refusal (exit 1 naming the file), got {r.returncode}"
            elif exp.get("end") != "eof":
                # libpcap stops with an error part-way: the packets before
                # it are inspected, and the run says it failed.
                if r.returncode != 1:
                    why = f"read error in the file: want exit 1, got {r.returncode}"
            elif r.returncode != 0:
                why = f"exit {r.returncode}: {r.stderr.strip()[-200:]}"
            if why is None and os.path.isfile(os.path.join(out, "eve.json")):
                eve = os.path.join(out, "eve.json")
                n, problems = eve_check.check_file(validator, eve)
                stats = [json.loads(l) for l in open(eve)]
                stats = [x["stats"] for x in stats if x["event_type"] == "stats"]
                if problems:
                    why = "EVE: " + "; ".join(problems[:2])
                elif not stats:
                    why = "no stats event"
                else:
                    s = stats[-1]
                    ids, dec = s["ids"], s["decoder"]
                    ev = sum(dec["event"].values())
                    acct = ids["pass"] + ids["ids_drop"] + ids["ids_flow_drop"] + ids["ids_malformed"]
                    if dec["pkts"] != exp.get("packets", dec["pkts"]) and exp.get("end") == "eof":
                        why = f"decoder.pkts {dec['pkts']}, libpcap reads {exp['packets']}"
                    elif ids["pkts"] != acct:
                        why = f"ids.pkts {ids['pkts']} != pass+drops+malformed {acct}"
                    elif not (dec["invalid"] == ev == ids["ids_malformed"]):
                        why = (f"decoder.invalid {dec['invalid']}, events {ev}, "
                               f"ids_malformed {ids['ids_malformed']}")
                    else:
                        totals["pkts"] += ids["pkts"]
                        totals["alerts"] += ids["alerts"]
                        totals["drops"] += ids["ids_drop"] + ids["ids_flow_drop"]
                        totals["malformed"] += ids["ids_malformed"]
            if why:
                failed += 1
                print(f"FAIL {rel}: {why}", flush=True)
            else:
                passed += 1
    print(f"corpus: {totals['pkts']} packets, {totals['alerts']} alerts, "
          f"{totals['drops']} dropped by rules, {totals['malformed']} malformed")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
