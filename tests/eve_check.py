#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check EVE JSON files: every line one JSON object valid against
tests/eve_schema.json (python3-jsonschema), and the whole file read back by
jq. Prints one line per file, "ok N records" or what is wrong, and exits 1
when any file is wrong.

    tests/eve_check.py [--schema FILE] EVE.json...
"""
import json
import os
import subprocess
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def load_validator(path):
    with open(path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check_file(validator, path):
    """Return (records, [problems])."""
    problems = []
    n = 0
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                problems.append(f"{path}:{lineno}: last line not terminated")
            try:
                rec = json.loads(raw)
            except ValueError as e:
                problems.append(f"{path}:{lineno}: not JSON: {e}")
                continue
            n += 1
            for err in validator.iter_errors(rec):
                where = ".".join(str(p) for p in err.absolute_path) or "(top)"
                problems.append(f"{path}:{lineno}: {where}: {err.message}")
    # Read back by jq: one compact object per record, the same count.
    r = subprocess.run(["jq", "-c", ".", path], capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(f"{path}: jq: {r.stderr.strip()}")
    elif len(r.stdout.splitlines()) != n:
        problems.append(f"{path}: jq read {len(r.stdout.splitlines())} records, "
                        f"json {n}")
    return n, problems


def main(argv):
    schema = os.path.join(HERE, "eve_schema.json")
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "--schema":
            schema = argv[i + 1]
            i += 2
            continue
        files.append(argv[i])
        i += 1
    validator = load_validator(schema)
    bad = 0
    for p in files:
        n, problems = check_file(validator, p)
        if problems:
            bad += 1
            print(f"FAIL {p}: {len(problems)} problems")
            for x in problems[:20]:
                print(f"  {x}")
        else:
            print(f"ok {p}: {n} records")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
