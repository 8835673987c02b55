#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks deploy/ without a cluster (run by tests/e2e/deploy.sh).

    deploy/check.py --ffwd BUILD/ffwd [--export FILE] [--kubectl PATH]
                    [--promtool PATH]

deploy/k8s is rendered twice: by `kubectl kustomize` (offline) and by a
small renderer here (namespace, config map generator, images), and the two
must agree. On the result: the pod is Guaranteed QoS, computed the way the
kubelet does; the appliance's container gets exclusive integer CPUs under
the static CPU manager policy, enough for the pipeline's lcores; hugepages
are requested and mounted; each SR-IOV network has its VF requested; the
scrape annotations point at the `ffwdctl export` sidecar; the entrypoint
fills the pipeline template into a config `ffwd --check` accepts, and
refuses what it should. The Prometheus rules are checked and unit-tested
by promtool, and every ffwd_* metric they name must be in FILE, the
export of a running pipeline. Each check has failure rows: a mutated
manifest the check must refuse.

Prints PASS/FAIL/SKIP lines and "N passed, M failed"; a skip is not a pass.
"""

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
K8S = os.path.join(HERE, "k8s")
PROM = os.path.join(HERE, "prometheus")

passed = failed = 0


def ok(what):
    global passed
    passed += 1
    print("PASS " + what)


def bad(what):
    global failed
    failed += 1
    print("FAIL " + what)


def check(cond, what, why=""):
    if cond:
        ok(what)
    else:
        bad(what + (": " + why if why else ""))


# --- Kubernetes semantics ----------------------------------------------------

_SUFFIX = {"": 1, "m": Fraction(1, 1000), "k": 10**3, "M": 10**6,
           "G": 10**9, "T": 10**12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30,
           "Ti": 2**40}


def quantity(q):
    """A resource quantity ("1Gi", "100m", "3") as an exact Fraction."""
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?", str(q))
    if m is None:
        raise ValueError("not a quantity: %r" % (q,))
    return Fraction(m.group(1)) * _SUFFIX[m.group(2) or ""]


def containers(pod):
    return pod.get("initContainers", []) + pod.get("containers", [])


def effective_requests(c):
    """Requests after API defaulting: a limit with no request is both."""
    res = c.get("resources", {})
    req = dict(res.get("requests", {}))
    for k, v in res.get("limits", {}).items():
        req.setdefault(k, v)
    return req


def qos_class(pod):
    """The pod's QoS class as the kubelet computes it (cpu, memory)."""
    guaranteed, any_set = True, False
    for c in containers(pod):
        lim = c.get("resources", {}).get("limits", {})
        req = effective_requests(c)
        for r in ("cpu", "memory"):
            if r in req or r in lim:
                any_set = True
            if r not in lim:
                guaranteed = False
            elif quantity(req[r]) != quantity(lim[r]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def exclusive_cpus(pod, c):
    """CPUs the static CPU manager policy gives container c for itself."""
    if qos_class(pod) != "Guaranteed":
        return 0
    cpu = quantity(effective_requests(c).get("cpu", "0"))
    return int(cpu) if cpu.denominator == 1 else 0


# --- rendering ---------------------------------------------------------------

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding",
                  "CustomResourceDefinition", "PriorityClass"}


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def pod_specs(docs):
    for d in docs:
        spec = d.get("spec", {}).get("template", {}).get("spec")
        if spec is not None:
            yield d, spec


def render(kdir):
    """What kustomize makes of kdir, for the features kustomization.yaml
    uses; config map names without kustomize's hash suffix."""
    kust = yaml.safe_load(open(os.path.join(kdir, "kustomization.yaml")))
    docs = []
    for r in kust.get("resources", []):
        docs += load_docs(os.path.join(kdir, r))
    for g in kust.get("configMapGenerator", []):
        data = {}
        for f in g.get("files", []):
            key, _, path = f.rpartition("=")
            path = path or f
            data[key or os.path.basename(path)] = open(
                os.path.join(kdir, path), encoding="utf-8").read()
        docs.append({"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": g["name"]}, "data": data})
    ns = kust.get("namespace")
    for d in docs:
        if ns and d["kind"] not in CLUSTER_SCOPED:
            d["metadata"]["namespace"] = ns
    images = {i["name"]: i for i in kust.get("images", [])}
    for _, spec in pod_specs(docs):
        for c in containers(spec):
            i = images.get(c["image"].split(":")[0])
            if i:
                c["image"] = "%s:%s" % (i.get("newName", i["name"]),
                                        i.get("newTag", "latest"))
    return kust, docs


def unhash(docs, generated):
    """kustomize's output with the generated names' hash suffix taken off."""
    pat = re.compile(r"^(%s)-[a-z0-9]{10}$" % "|".join(map(re.escape, generated)))
    docs = copy.deepcopy(docs)
    for d in docs:
        if d["kind"] == "ConfigMap":
            d["metadata"]["name"] = pat.sub(r"\1", d["metadata"]["name"])
    for _, spec in pod_specs(docs):
        for v in spec.get("volumes", []):
            if "configMap" in v:
                v["configMap"]["name"] = pat.sub(r"\1", v["configMap"]["name"])
    return docs


def key(d):
    return (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])


# --- the checks on a rendered daemonset ---------------------------------------

def find(docs, kind, name=None):
    for d in docs:
        if d["kind"] == kind and (name is None or d["metadata"]["name"] == name):
            return d
    return None


def ffwd_container(spec):
    for c in spec["containers"]:
        if c["name"] == "ffwd":
            return c
    raise KeyError("no container named ffwd")


def template_lcores(text):
    return len(set(re.findall(r"@CPU([0-9]+)@", text)))


def problems(docs):
    """Every way the rendered manifests fall short, as strings."""
    out = []
    ds = find(docs, "DaemonSet")
    if ds is None:
        return ["no DaemonSet"]
    meta = ds["spec"]["template"]["metadata"]
    spec = ds["spec"]["template"]["spec"]
    ann = meta.get("annotations", {})
    try:
        ffwd = ffwd_container(spec)
    except KeyError as e:
        return [str(e)]

    qos = qos_class(spec)
    if qos != "Guaranteed":
        out.append("pod QoS is %s, not Guaranteed" % qos)

    cms = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    cm = None
    for v in spec.get("volumes", []):
        if "configMap" in v:
            cm = cms.get(v["configMap"]["name"])
            if cm is None:
                out.append("volume %s names config map %s, which is not rendered"
                           % (v["name"], v["configMap"]["name"]))
            elif not v["configMap"].get("defaultMode", 0o644) & 0o111:
                out.append("config map volume %s is not executable (defaultMode), "
                           "but holds the entrypoint" % v["name"])
    tmpl = (cm or {}).get("data", {}).get("pipeline.yaml.in", "")
    need = template_lcores(tmpl)
    have = exclusive_cpus(spec, ffwd)
    if need == 0:
        out.append("no pipeline template with @CPUn@ lcores in the config map")
    elif have < need:
        out.append("container ffwd gets %d exclusive CPUs, the pipeline has %d lcores"
                   % (have, need))

    # Hugepages: requested, and a volume of that page size mounted in the
    # same container; the pipeline uses them and fits.
    req = effective_requests(ffwd)
    huge = {k[len("hugepages-"):]: quantity(v) for k, v in req.items()
            if k.startswith("hugepages-")}
    if not huge:
        out.append("container ffwd requests no hugepages")
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    mediums = set()
    for m in ffwd.get("volumeMounts", []):
        med = vols.get(m["name"], {}).get("emptyDir", {}).get("medium", "")
        if med.startswith("HugePages"):
            mediums.add(med)
    for size in huge:
        if "HugePages-" + size not in mediums and not (
                len(huge) == 1 and "HugePages" in mediums):
            out.append("hugepages-%s requested but no HugePages-%s volume mounted"
                       % (size, size))
    try:
        pipe = yaml.safe_load(re.sub(r"@[A-Z0-9_]+@", "0", tmpl)) or {}
    except yaml.YAMLError as e:
        pipe = {}
        out.append("pipeline template does not parse: %s" % e)
    pl = pipe.get("pipeline", {})
    if huge and not pl.get("hugepages"):
        out.append("hugepages requested but the pipeline runs with hugepages: false")
    if huge and pl.get("memory", 0) * 2**20 > sum(huge.values()):
        out.append("pipeline memory %d MB exceeds the %d MiB of hugepages requested"
                   % (pl["memory"], sum(huge.values()) // 2**20))

    # SR-IOV: each Multus network is a rendered NetworkAttachmentDefinition
    # of type sriov with a device-plugin resource, requested once per
    # network; the entrypoint maps the same networks to the ports.
    nets = [n.strip() for n in ann.get("k8s.v1.cni.cncf.io/networks", "").split(",")
            if n.strip()]
    if not nets:
        out.append("no k8s.v1.cni.cncf.io/networks annotation")
    per_res = {}
    for n in nets:
        nad = find(docs, "NetworkAttachmentDefinition", n.split("/")[-1])
        if nad is None:
            out.append("network %s has no NetworkAttachmentDefinition" % n)
            continue
        res = nad["metadata"].get("annotations", {}).get("k8s.v1.cni.cncf.io/resourceName")
        if not res:
            out.append("network %s names no device-plugin resource" % n)
            continue
        per_res[res] = per_res.get(res, 0) + 1
        try:
            cni = json.loads(nad["spec"]["config"])
        except (KeyError, ValueError) as e:
            out.append("network %s: CNI config is not JSON (%s)" % (n, e))
            continue
        if cni.get("type") != "sriov":
            out.append("network %s: CNI type %r, not sriov" % (n, cni.get("type")))
    for res, count in per_res.items():
        lim = ffwd.get("resources", {}).get("limits", {}).get(res)
        if lim is None or quantity(lim) != count:
            out.append("container ffwd has limit %s for %s, %d networks use it"
                       % (lim, res, count))
    env = {e["name"]: e.get("value", "") for e in ffwd.get("env", [])}
    mapped = [p.split("=", 1)[1] for p in env.get("FFWD_NETWORKS", "").split()]
    if sorted(mapped) != sorted(n.split("/")[-1] for n in nets):
        out.append("FFWD_NETWORKS maps %s, the pod attaches %s" % (mapped, nets))
    ports = set(re.findall(r"@([A-Z0-9]+)_PCI@", tmpl))
    keys = {p.split("=", 1)[0].upper() for p in env.get("FFWD_NETWORKS", "").split()}
    if ports != keys:
        out.append("template ports %s, FFWD_NETWORKS fills %s"
                   % (sorted(ports), sorted(keys)))

    # Prometheus: the annotated port is the one `ffwdctl export --listen`
    # serves, declared by that container.
    if ann.get("prometheus.io/scrape") != "true":
        out.append("no prometheus.io/scrape: \"true\" annotation")
    port = ann.get("prometheus.io/port")
    exporter = None
    for c in spec["containers"]:
        cmd = c.get("command", []) + c.get("args", [])
        if "export" in cmd and "--listen" in cmd:
            exporter = c
            listen = cmd[cmd.index("--listen") + 1]
    if exporter is None:
        out.append("no container runs ffwdctl export --listen")
    else:
        if listen.rsplit(":", 1)[-1] != str(port):
            out.append("scrape port %s, ffwdctl export listens on %s" % (port, listen))
        if str(port) not in [str(p["containerPort"]) for p in exporter.get("ports", [])]:
            out.append("scrape port %s is not a containerPort of %s"
                       % (port, exporter["name"]))
        # Both see the same EAL runtime directory (the telemetry socket).
        def rundir(c):
            return {m["name"] for m in c.get("volumeMounts", [])
                    if m["mountPath"].rstrip("/") == "/var/run/dpdk"}
        if not rundir(ffwd) & rundir(exporter):
            out.append("ffwd and %s share no /var/run/dpdk volume" % exporter["name"])
    if ann.get("prometheus.io/path", "/metrics") != "/metrics":
        out.append("scrape path %s; ffwdctl export serves /metrics"
                   % ann["prometheus.io/path"])

    # The entrypoint is the config map's script, where the map is mounted.
    cmd0 = (ffwd.get("command") or [""])[0]
    mounted = False
    for m in ffwd.get("volumeMounts", []):
        v = vols.get(m["name"], {})
        if "configMap" in v and cmd0.startswith(m["mountPath"].rstrip("/") + "/"):
            mounted = os.path.basename(cmd0) in (cm or {}).get("data", {})
    if not mounted:
        out.append("container ffwd runs %s, which is not in its mounted config map" % cmd0)
    return out


def mutate(docs, how):
    docs = copy.deepcopy(docs)
    ds = find(docs, "DaemonSet")
    spec = ds["spec"]["template"]["spec"]
    how(spec, ds["spec"]["template"]["metadata"], docs)
    return docs


def _ffwd(spec):
    return ffwd_container(spec)


def _export(spec):
    return [c for c in spec["containers"] if c["name"] != "ffwd"][0]


# Each row: a change to the rendered manifests, and a word the refusal
# must contain.
FAILURE_ROWS = [
    ("sidecar without limits",
     lambda s, m, d: _export(s)["resources"].pop("limits"), "Burstable"),
    ("cpu request below its limit",
     lambda s, m, d: _ffwd(s)["resources"]["requests"].update(cpu="2"), "Burstable"),
    ("fractional CPUs",
     lambda s, m, d: [_ffwd(s)["resources"][k].update(cpu="2500m")
                      for k in ("requests", "limits")], "exclusive CPUs"),
    ("two CPUs for three lcores",
     lambda s, m, d: [_ffwd(s)["resources"][k].update(cpu="2")
                      for k in ("requests", "limits")], "exclusive CPUs"),
    ("no resources at all",
     lambda s, m, d: [c.pop("resources") for c in s["containers"]], "BestEffort"),
    ("no hugepages",
     lambda s, m, d: [_ffwd(s)["resources"][k].pop("hugepages-1Gi")
                      for k in ("requests", "limits")], "no hugepages"),
    ("2Mi pages asked, 1Gi mounted",
     lambda s, m, d: [_ffwd(s)["resources"][k].update(
         {"hugepages-2Mi": _ffwd(s)["resources"][k].pop("hugepages-1Gi")})
         for k in ("requests", "limits")], "HugePages-2Mi"),
    ("one VF for two networks",
     lambda s, m, d: [_ffwd(s)["resources"][k].update({"intel.com/sriov_dpdk": "1"})
                      for k in ("requests", "limits")], "networks use it"),
    ("a network without its definition",
     lambda s, m, d: m["annotations"].update(
         {"k8s.v1.cni.cncf.io/networks": "ffwd-wan, ffwd-dmz"}), "ffwd-dmz"),
    ("scrape port not the exporter's",
     lambda s, m, d: m["annotations"].update({"prometheus.io/port": "9100"}), "9100"),
    ("exporter without the runtime directory",
     lambda s, m, d: _export(s).pop("volumeMounts"), "share no"),
    ("config map not rendered",
     lambda s, m, d: [v["configMap"].update(name="ffwd-other")
                      for v in s["volumes"] if "configMap" in v], "not rendered"),
]


def check_entrypoint(cm, ffwd_bin):
    """ffwd-node.sh, as mounted from the rendered config map, on rows of
    what a kubelet hands a pod, good and bad."""
    tmp = tempfile.mkdtemp(prefix="ffwd-deploy-check.")
    try:
        for name, text in cm["data"].items():
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(os.path.join(tmp, name), 0o755)
        need = template_lcores(cm["data"]["pipeline.yaml.in"])
        # --check refuses CPUs this machine does not have: lend it ours,
        # repeated (lcores may share a CPU) up to the count the pod gets.
        mine = sorted(os.sched_getaffinity(0))
        cpus = ",".join(str(mine[i % len(mine)]) for i in range(need))
        fewer = ",".join(str(mine[i % len(mine)]) for i in range(need - 1))
        status = os.path.join(tmp, "annotations")
        nets = [{"name": "cbr0", "interface": "eth0", "default": True}] + [
            {"name": "ffwd-system/" + n, "interface": "net%d" % i,
             "device-info": {"type": "pci", "version": "1.1.0",
                             "pci": {"pci-address": "0000:af:00.%d" % (i + 3)}}}
            for i, n in enumerate(["ffwd-wan", "ffwd-lan"])]
        with open(status, "w", encoding="utf-8") as f:
            # The downward API writes key="Go-quoted value" lines.
            f.write('kubernetes.io/config.source="api"\n')
            f.write("k8s.v1.cni.cncf.io/network-status=%s\n"
                    % json.dumps(json.dumps(nets, indent=4)))
        plugin = "0000:3b:02.0,0000:3b:02.1"
        rows = [
            # name, env, expect ok, text in the config or the error
            ("VFs from the device plugin", {"PCIDEVICE_INTEL_COM_SRIOV_DPDK": plugin},
             True, ['wan: { dev: "0000:3b:02.0"', 'lan: { dev: "0000:3b:02.1"',
                    "cpus: { 0: %s, 1: %s, 2: %s }" % tuple(cpus.split(",")[:3])]),
            ("VFs from Multus network-status",
             {"PCIDEVICE_INTEL_COM_SRIOV_DPDK": plugin, "FFWD_PODINFO": status},
             True, ['wan: { dev: "0000:af:00.3"', 'lan: { dev: "0000:af:00.4"']),
            ("one CPU short", {"PCIDEVICE_INTEL_COM_SRIOV_DPDK": plugin,
                               "FFWD_NODE_CPUS": fewer},
             False, ["needs %d CPUs" % need]),
            ("one VF", {"PCIDEVICE_INTEL_COM_SRIOV_DPDK": "0000:3b:02.0"},
             False, ["no VF for network ffwd-lan"]),
            ("the same VF twice",
             {"PCIDEVICE_INTEL_COM_SRIOV_DPDK": "0000:3b:02.0,0000:3b:02.0"},
             False, ["given for both wan and lan"]),
            ("an interface name for a VF",
             {"PCIDEVICE_INTEL_COM_SRIOV_DPDK": "0000:3b:02.0,ens1f0v1"},
             False, ["expected a PCI address"]),
            ("a port the networks do not fill",
             {"PCIDEVICE_INTEL_COM_SRIOV_DPDK": plugin,
              "FFWD_NETWORKS": "wan=ffwd-wan dmz=ffwd-lan"},
             False, ["@LAN_PCI@", "placeholders left unfilled"]),
        ]
        for name, extra, want_ok, texts in rows:
            env = {"PATH": os.environ["PATH"],
                   "FFWD_TEMPLATE": os.path.join(tmp, "pipeline.yaml.in"),
                   "FFWD_CONFIG": os.path.join(tmp, "out", "pipeline.yaml"),
                   "FFWD_BIN": ffwd_bin, "FFWD_NODE_DRY_RUN": "1",
                   "FFWD_PODINFO": os.path.join(tmp, "none"),
                   "FFWD_NODE_CPUS": cpus}
            env.update(extra)
            p = subprocess.run([os.path.join(tmp, "ffwd-node.sh")], env=env,
                               capture_output=True, text=True, timeout=60)
            text = p.stdout + p.stderr
            good = (p.returncode == 0) == want_ok and all(t in text for t in texts)
            if want_ok:
                good = good and re.search(r": ok$", p.stderr, re.M) is not None
            check(good, "entrypoint: %s: %s" % (name, "runs, ffwd --check ok"
                                                 if want_ok else "refused"),
                  "exit %d, expected %s and %s; got: %s"
                  % (p.returncode, "0" if want_ok else "non-zero", texts,
                     text.strip()[-400:]))
    finally:
        shutil.rmtree(tmp)


def check_prometheus(promtool, export):
    rules = os.path.join(PROM, "ffwd-rules.yaml")
    if promtool:
        for args, what in ((["check", "rules", rules], "promtool check rules"),
                           (["test", "rules", os.path.join(PROM, "ffwd-rules.test.yaml")],
                            "promtool test rules (each alert fires on its case only)")):
            p = subprocess.run([promtool] + args, capture_output=True, text=True,
                               timeout=120)
            check(p.returncode == 0, what, (p.stdout + p.stderr).strip()[-800:])
        # Debian's promtool is built without Kubernetes service discovery:
        # the static job is checked whole, the Kubernetes one as YAML only.
        sc = yaml.safe_load(open(os.path.join(PROM, "scrape.yaml")))
        static = [j for j in sc["scrape_configs"] if "kubernetes_sd_configs" not in j]
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
            yaml.safe_dump({"scrape_configs": static, "rule_files": [rules]}, f)
            f.flush()
            p = subprocess.run([promtool, "check", "config", f.name],
                               capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "promtool check config (static job, rules)",
              (p.stdout + p.stderr).strip()[-800:])
    else:
        print("SKIP promtool checks: no promtool (scripts/install-deps.sh deploy-check)")
    sc = yaml.safe_load(open(os.path.join(PROM, "scrape.yaml")))
    k8s = [j for j in sc["scrape_configs"] if "kubernetes_sd_configs" in j]
    labels = {r.get("target_label") for j in k8s for r in j.get("relabel_configs", [])}
    check(k8s and "node" in labels and all(
        "node" in c.get("labels", {}) for j in sc["scrape_configs"]
        for c in j.get("static_configs", [])),
        "scrape.yaml: every job labels its series with node")
    if not export:
        print("SKIP metric names: no --export file")
        return
    # Series lines, not TYPE lines: a family with no series is not exported.
    names = set(re.findall(r"^(ffwd_[a-z0-9_]+)\{", open(export).read(), re.M))
    used = set()
    for g in yaml.safe_load(open(rules))["groups"]:
        for r in g["rules"]:
            used |= set(re.findall(r"\b(ffwd_[a-z0-9_]+)", r["expr"]))
    missing = sorted(used - names)
    check(used and not missing,
          "the rules' %d ffwd_* metrics are all in a running pipeline's export"
          % len(used), "not exported: %s" % ", ".join(missing))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ffwd", required=True, help="the ffwd binary, for --check")
    ap.add_argument("--export", help="`ffwdctl export --once` of a running pipeline")
    ap.add_argument("--kubectl", default=shutil.which("kubectl"))
    ap.add_argument("--promtool", default=shutil.which("promtool") or (
        "/usr/local/lib/ffwd/promtool"
        if os.access("/usr/local/lib/ffwd/promtool", os.X_OK) else None))
    a = ap.parse_args()

    # 1. The kustomization lists files that exist, and every manifest here.
    kust = yaml.safe_load(open(os.path.join(K8S, "kustomization.yaml")))
    listed = list(kust.get("resources", [])) + [
        f.rpartition("=")[2] for g in kust.get("configMapGenerator", [])
        for f in g.get("files", [])]
    missing = [f for f in listed if not os.path.isfile(os.path.join(K8S, f))]
    check(not missing, "kustomization.yaml: its %d files exist" % len(listed),
          "missing: %s" % missing)
    unlisted = sorted(set(os.listdir(K8S)) - set(listed) - {"kustomization.yaml"})
    check(not unlisted, "kustomization.yaml: lists every file in deploy/k8s",
          "not listed: %s" % unlisted)

    # 2. Every manifest parses and names itself.
    try:
        kust, docs = render(K8S)
        anon = [d for d in docs if not (d.get("apiVersion") and d.get("kind")
                                        and d.get("metadata", {}).get("name"))]
        check(not anon, "manifests parse: %s" % ", ".join(
            "%s/%s" % (d["kind"], d["metadata"]["name"]) for d in docs),
            "without apiVersion/kind/name: %s" % anon)
    except (OSError, yaml.YAMLError, KeyError) as e:
        bad("manifests parse: %s" % e)
        return finish()

    # 3. kubectl kustomize renders it offline, and as we do.
    rendered = docs
    if a.kubectl:
        p = subprocess.run([a.kubectl, "kustomize", K8S], capture_output=True,
                           text=True, timeout=120,
                           env=dict(os.environ, KUBECONFIG="/dev/null"))
        if p.returncode != 0:
            bad("kubectl kustomize deploy/k8s: %s" % p.stderr.strip()[-400:])
        else:
            theirs = unhash([d for d in yaml.safe_load_all(p.stdout) if d],
                            [g["name"] for g in kust.get("configMapGenerator", [])])
            ours = {key(d): d for d in docs}
            diff = [k for k in set(ours) | {key(d) for d in theirs}
                    if ours.get(k) != next((d for d in theirs if key(d) == k), None)]
            check(not diff, "kubectl kustomize deploy/k8s (%s) renders %d objects, "
                  "as the renderer here does" % (a.kubectl, len(theirs)),
                  "differ: %s" % diff)
            rendered = theirs
    else:
        print("SKIP kubectl kustomize: no kubectl (scripts/install-deps.sh deploy-check)")

    # 4. The rendered pod, then the failure rows the checks must refuse.
    found = problems(rendered)
    ds = find(rendered, "DaemonSet")
    spec = ds["spec"]["template"]["spec"] if ds else {}
    check(not found, "daemonset: Guaranteed QoS, %d exclusive CPUs for %d lcores, "
          "hugepages, SR-IOV VFs, scrape annotations on the exporter"
          % (exclusive_cpus(spec, ffwd_container(spec)) if ds else 0,
             template_lcores(find(rendered, "ConfigMap")["data"]["pipeline.yaml.in"])),
          "; ".join(found))
    for name, how, word in FAILURE_ROWS:
        got = problems(mutate(rendered, how))
        check(any(word in g for g in got), "refused: %s" % name,
              "expected a problem naming %r, got %s" % (word, got))

    # 5. The entrypoint on what the kubelet hands it.
    check_entrypoint(find(rendered, "ConfigMap"), a.ffwd)

    # 6. The Prometheus side.
    check_prometheus(a.promtool, a.export)
    return finish()


def finish():
    print()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
