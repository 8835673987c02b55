#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The suricata-verify harness judged on folders made here, so that each of
its verdicts is seen to happen when it should: a wrong count, a wrong
field value and a missing stats counter FAIL; an app-layer-only check and
a rule outside the subset are UNSUPPORTED; a custom suricata.yaml is
UNSUPPORTED; the right expectations PASS. The capture is one made here
with scapy (a UDP packet with "data\\n\\n").

    suricata_verify_selftest.py DRIVER
Prints PASS/FAIL per case, then "N passed, M failed".
"""
import os
import subprocess
import sys
import tempfile

from scapy.all import IP, UDP, Ether, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
RULE = 'alert udp any any -> any any (msg:"data"; content:"data|0a 0a|"; endswith; sid:7; rev:3;)\n'

CASES = [
    # name, test.yaml, rules, extra file, expected verdict, text that must appear
    ("right count", "checks:\n- filter:\n    count: 1\n    match:\n      event_type: alert\n"
     "      alert.signature_id: 7\n      alert.rev: 3\n      src_port: 1111\n",
     RULE, None, "PASS", "checks held"),
    ("wrong count", "checks:\n- filter:\n    count: 2\n    match:\n      event_type: alert\n",
     RULE, None, "FAIL", "want 2"),
    ("wrong value", "checks:\n- filter:\n    count: 1\n    match:\n      event_type: alert\n"
     "      dest_port: 9999\n", RULE, None, "FAIL", "0 records"),
    ("wrong stats", "checks:\n- filter:\n    count: 1\n    match:\n      event_type: alert\n"
     "- stats:\n    decoder.udp: 5\n", RULE, None, "FAIL", "decoder.udp = 1"),
    ("min-count and lt-count", "checks:\n- filter:\n    min-count: 1\n    match:\n      event_type: flow\n"
     "- filter:\n    lt-count: 1\n    match:\n      event_type: drop\n"
     "- filter:\n    count: 1\n    match:\n      event_type: alert\n      payload__len: 8\n",
     RULE, None, "PASS", "checks held"),
    ("app-layer only", "checks:\n- filter:\n    count: 1\n    match:\n      event_type: dns\n",
     RULE, None, "UNSUPPORTED", "event_type dns"),
    ("rule outside the subset", "checks:\n- filter:\n    count: 1\n    match:\n      event_type: alert\n",
     'alert http any any -> any any (msg:"x"; http.uri; content:"a"; sid:1;)\n', None,
     "UNSUPPORTED", "test.rules:1:"),
    ("custom suricata.yaml", "checks:\n- filter:\n    count: 1\n    match:\n      event_type: alert\n",
     RULE, ("suricata.yaml", "%YAML 1.1\n---\n"), "UNSUPPORTED", "suricata.yaml"),
    ("expected.json wrong", "checks: []\n", RULE,
     ("expected.json", '{"judgeable_expectations": [{"match": {"alert.signature_id": 7}, "count": 3}]}'),
     "FAIL", "expected.json #1"),
]


def main(argv):
    driver = argv[0]
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="ffwd-sv-self-") as tmp:
        pkt = Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1111, dport=2222) / b"data\n\n"
        pkt.time = 1700000000
        for i, (name, yml, rules, extra, want, text) in enumerate(CASES):
            d = os.path.join(tmp, "tests", f"case{i}")
            os.makedirs(d)
            wrpcap(os.path.join(d, "input.pcap"), [pkt])
            with open(os.path.join(d, "test.yaml"), "w") as f:
                f.write(yml)
            with open(os.path.join(d, "test.rules"), "w") as f:
                f.write(rules)
            if extra:
                with open(os.path.join(d, extra[0]), "w") as f:
                    f.write(extra[1])
            r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "suricata_verify.py"),
                                "--driver", driver, d], capture_output=True, text=True,
                               timeout=120)
            line = next((l for l in r.stdout.splitlines() if l.startswith(("PASS", "FAIL", "UNSUPPORTED"))), "")
            ok = line.startswith(want + " ") and text in line
            print(f"{'PASS' if ok else 'FAIL'} {name}: harness said: {line or r.stderr.strip()[-200:]}",
                  flush=True)
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
