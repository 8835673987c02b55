/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf tests: the table of refused configs, each with its exact message
 * (file:line:col included).
 */
#include "test_conf.h"

/* Rows with their error at the end of the file share the good heads. */
const struct conf_bad conf_bad_rows[] = {
	/* document level */
	{ "empty document", "",
	  "t.yaml:1:1: empty configuration, expected a mapping with pipeline, ports and paths" },
	{ "comments only", "# nothing here\n\n",
	  "t.yaml:1:1: empty configuration, expected a mapping with pipeline, ports and paths" },
	{ "top level is a sequence", "- pipeline\n",
	  "t.yaml:1:1: top level is a sequence, expected a mapping with pipeline, ports and paths" },
	{ "top level is a string", "\n  pipeline\n",
	  "t.yaml:2:3: top level is 'pipeline', expected a mapping with pipeline, ports and paths" },
	{ "YAML syntax error", "pipeline: { label: demo\nports: {}\n",
	  "t.yaml:2:6: YAML syntax error: did not find expected ',' or '}'" },
	{ "bad indentation", "pipeline:\n  label: demo\n x: 1\n",
	  "t.yaml:3:2: YAML syntax error: did not find expected key" },
	{ "second document", SIMPLE "---\nfoo: 1\n",
	  "t.yaml:12:1: a second YAML document starts here, expected exactly one document" },
	{ "unknown key after a good file", SIMPLE "extra: 1\n",
	  "t.yaml:12:1: unknown key 'extra', expected one of: pipeline, ports, paths, stages" },
	{ "unknown top-level key", "pipeline: { label: demo }\nport: {}\n",
	  "t.yaml:2:1: unknown key 'port', expected one of: pipeline, ports, paths, stages" },
	{ "duplicate top-level key", "ports: {}\nports: {}\n",
	  "t.yaml:2:1: duplicate key 'ports' (first at 1:1), expected each key once" },
	{ "missing pipeline", PORTS,
	  "t.yaml:1:1: pipeline is missing, expected a mapping with at least a label" },
	{ "missing ports", PIPE "paths: []\n",
	  "t.yaml:1:1: ports is missing, expected a mapping of port names to ports" },
	{ "missing paths", HEAD,
	  "t.yaml:1:1: paths is missing, expected a sequence of paths or a top-level stages sequence" },
	{ "both paths and stages", SIMPLE "stages: []\n",
	  "t.yaml:12:1: both paths and stages are given, expected either a paths sequence or a top-level stages sequence (one path named main)" },
	{ "empty paths", HEAD "paths: []\n",
	  "t.yaml:7:8: paths is an empty sequence, expected at least one path" },
	{ "paths is a mapping", HEAD "paths: { p: 1 }\n",
	  "t.yaml:7:8: paths is a mapping, expected a sequence of paths" },

	/* pipeline */
	{ "pipeline is a sequence", "pipeline: [ demo ]\n",
	  "t.yaml:1:11: pipeline is a sequence, expected a mapping with label and optional settings" },
	{ "unknown pipeline key", "pipeline:\n  label: demo\n  lable: demo\n",
	  "t.yaml:3:3: pipeline: unknown key 'lable', expected one of: label, housekeeping, hugepages, memory, mbufs, mbuf_size, ring_size, cpus" },
	{ "unknown key is shown on one line",
	  "pipeline:\n  label: demo\n  \"a\\nb\": 1\n",
	  "t.yaml:3:3: pipeline: unknown key 'a\\x0ab', expected one of: label, housekeeping, hugepages, memory, mbufs, mbuf_size, ring_size, cpus" },
	{ "duplicate pipeline key", "pipeline:\n  label: demo\n  memory: 64\n  label: demo\n",
	  "t.yaml:4:3: pipeline: duplicate key 'label' (first at 2:3), expected each key once" },
	{ "missing label", "pipeline:\n  memory: 64\n",
	  "t.yaml:2:3: pipeline: label is missing, expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "label with a space", "pipeline:\n  label: de mo\n",
	  "t.yaml:2:10: pipeline: label is 'de mo', expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "label too long", "pipeline:\n  label: abcdefghijklmnop\n",
	  "t.yaml:2:10: pipeline: label is 'abcdefghijklmnop', expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "label empty", "pipeline:\n  label:\n",
	  "t.yaml:2:9: pipeline: label is empty, expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "memory out of range", "pipeline:\n  label: demo\n  memory: 70000\n",
	  "t.yaml:3:11: pipeline: memory is 70000, expected an integer 64..65536" },
	{ "memory not an integer", "pipeline:\n  label: demo\n  memory: 1.5\n",
	  "t.yaml:3:11: pipeline: memory is '1.5', expected an integer 64..65536" },
	{ "memory quoted", "pipeline:\n  label: demo\n  memory: \"512\"\n",
	  "t.yaml:3:11: pipeline: memory is the quoted string '512', expected an integer 64..65536" },
	{ "memory huge", "pipeline:\n  label: demo\n  memory: 99999999999999999999999\n",
	  "t.yaml:3:11: pipeline: memory is 99999999999999999999999, expected an integer 64..65536" },
	{ "mbufs too few", "pipeline:\n  label: demo\n  mbufs: 63\n",
	  "t.yaml:3:10: pipeline: mbufs is 63, expected an integer 64..4194304" },
	{ "mbuf_size is a sequence", "pipeline:\n  label: demo\n  mbuf_size: [1]\n",
	  "t.yaml:3:14: pipeline: mbuf_size is a sequence, expected an integer 256..65535" },
	{ "hugepages yes", "pipeline:\n  label: demo\n  hugepages: yes\n",
	  "t.yaml:3:14: pipeline: hugepages is 'yes', expected true or false" },
	{ "ring_size not a power of two", "pipeline:\n  label: demo\n  ring_size: 1000\n",
	  "t.yaml:3:14: pipeline: ring_size is 1000, expected a power of two 16..1048576" },
	{ "ring_size too small", "pipeline:\n  label: demo\n  ring_size: 8\n",
	  "t.yaml:3:14: pipeline: ring_size is 8, expected an integer 16..1048576" },
	{ "housekeeping negative", "pipeline:\n  label: demo\n  housekeeping: -1\n",
	  "t.yaml:3:17: pipeline: housekeeping is -1, expected an integer 0..127" },
	{ "cpus is a sequence", "pipeline:\n  label: demo\n  cpus: [0, 1]\n",
	  "t.yaml:3:9: pipeline: cpus is a sequence, expected a mapping of lcore to CPU, e.g. { 1: 0, 2: 1 }" },
	{ "cpus lcore out of range", "pipeline:\n  label: demo\n  cpus: { 0: 0, 128: 1 }\n",
	  "t.yaml:3:17: pipeline.cpus: lcore is 128, expected an integer 0..127" },
	{ "cpus lcore twice", "pipeline:\n  label: demo\n  cpus: { 1: 0, 01: 1 }\n",
	  "t.yaml:3:17: pipeline.cpus: lcore 1 is mapped twice (first at 3:11), expected each lcore once" },
	{ "cpus CPU is not an integer", "pipeline:\n  label: demo\n  cpus: { 0: zero }\n",
	  "t.yaml:3:14: pipeline.cpus: CPU of lcore 0 is 'zero', expected an integer 0..65535" },
	{ "cpus CPU does not exist", "pipeline:\n  label: demo\n  cpus: { 0: 0, 1: 4000 }\n",
	  "t.yaml:3:20: pipeline.cpus: lcore 1 maps to CPU 4000, which this machine does not offer, expected one of the allowed CPUs: @CPUS@" },
	{ "housekeeping not in cpus", "pipeline:\n  label: demo\n  housekeeping: 2\n  cpus: { 0: 0, 1: 1 }\n",
	  "t.yaml:3:17: pipeline: housekeeping lcore 2 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "default housekeeping not in cpus", "pipeline:\n  label: demo\n  cpus: { 1: 1 }\n",
	  "t.yaml:3:9: pipeline: housekeeping lcore 0 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "housekeeping CPU absent without cpus", "pipeline:\n  label: demo\n  housekeeping: 127\n",
	  "t.yaml:3:17: pipeline: housekeeping lcore 127 runs on CPU 127, which this machine does not offer (allowed CPUs: @CPUS@); map it with pipeline.cpus" },

	/* ports */
	{ "ports empty", PIPE "ports: {}\n",
	  "t.yaml:4:8: ports is an empty mapping, expected at least one port" },
	{ "ports is a sequence", PIPE "ports: [ wan ]\n",
	  "t.yaml:4:8: ports is a sequence, expected a mapping of port names to ports" },
	{ "port name with a dot", PIPE "ports:\n  wan.0: { dev: net_null0 }\n",
	  "t.yaml:5:3: ports: port name is 'wan.0', expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "duplicate port", HEAD "  wan: { dev: net_null2 }\n",
	  "t.yaml:7:3: ports: duplicate port 'wan' (first at 5:3), expected each port once" },
	{ "port is a string", PIPE "ports:\n  wan: net_null0\n",
	  "t.yaml:5:8: port 'wan' is 'net_null0', expected a mapping with dev and optional rxq, txq, rxd, txd, mtu, rss" },
	{ "port without dev", PIPE "ports:\n  wan: { rxq: 1 }\n",
	  "t.yaml:5:8: port 'wan': dev is missing, expected DPDK devargs such as net_pcap0,iface=eth0 or a PCI address" },
	{ "port dev empty", PIPE "ports:\n  wan: { dev: \"\" }\n",
	  "t.yaml:5:15: port 'wan': dev is '', expected DPDK devargs such as net_pcap0,iface=eth0 or a PCI address" },
	{ "port unknown key", PIPE "ports:\n  wan: { dev: net_null0, rx_queues: 2 }\n",
	  "t.yaml:5:26: port 'wan': unknown key 'rx_queues', expected one of: dev, rxq, txq, rxd, txd, mtu, rss, busy_budget, zero_copy, link_propagate" },
	{ "port rxq 0", PIPE "ports:\n  wan: { dev: net_null0, rxq: 0 }\n",
	  "t.yaml:5:31: port 'wan': rxq is 0, expected an integer 1..64" },
	{ "port txd too large", PIPE "ports:\n  wan: { dev: net_null0, txd: 32768 }\n",
	  "t.yaml:5:31: port 'wan': txd is 32768, expected an integer 64..16384" },
	{ "port mtu below IPv4's minimum", PIPE "ports:\n  wan: { dev: net_null0, mtu: 67 }\n",
	  "t.yaml:5:31: port 'wan': mtu is 67, expected an integer 68..65535" },
	{ "port mtu too large", PIPE "ports:\n  wan: { dev: net_null0, mtu: 65536 }\n",
	  "t.yaml:5:31: port 'wan': mtu is 65536, expected an integer 68..65535" },
	{ "port mtu quoted", PIPE "ports:\n  wan: { dev: net_null0, mtu: \"1500\" }\n",
	  "t.yaml:5:31: port 'wan': mtu is the quoted string '1500', expected an integer 68..65535" },
	{ "port rss unknown", PIPE "ports:\n  wan: { dev: net_null0, rxq: 2, rss: on }\n",
	  "t.yaml:5:39: port 'wan': rss is 'on', expected off or symmetric" },
	{ "port rss with one queue", PIPE "ports:\n  wan: { dev: net_null0, rss: symmetric }\n",
	  "t.yaml:5:31: port 'wan': rss is symmetric with rxq 1, expected rxq 2..64 (RSS spreads flows over RX queues)" },
	{ "port rss on net_pcap", PIPE "ports:\n  wan: { dev: \"net_pcap0,iface=lo\", rxq: 2, rss: symmetric }\n",
	  "t.yaml:5:50: port 'wan': rss is symmetric, but net_pcap computes no RSS hash; expected rss: off (or a NIC that hashes)" },
	{ "port rss on net_af_xdp", PIPE "ports:\n  wan: { dev: \"net_af_xdp0,iface=v0\", rxq: 2, rss: symmetric }\n",
	  "t.yaml:5:52: port 'wan': rss is symmetric, but net_af_xdp computes no RSS hash; expected rss: off (or a NIC that hashes)" },
	{ "link_propagate not a bool", PIPE "ports:\n  wan: { dev: net_null0, link_propagate: 1 }\n",
	  "t.yaml:5:42: port 'wan': link_propagate is '1', expected true or false" },
	{ "busy_budget on net_null", PIPE "ports:\n  wan: { dev: net_null0, busy_budget: 64 }\n",
	  "t.yaml:5:39: port 'wan': busy_budget is given for a port that is not net_af_xdp, expected it on net_af_xdp ports only" },
	{ "busy_budget negative", PIPE "ports:\n  wan: { dev: \"net_af_xdp0,iface=v0\", busy_budget: -1 }\n",
	  "t.yaml:5:52: port 'wan': busy_budget is -1, expected an integer 0..65535" },
	{ "busy_budget twice", PIPE "ports:\n  wan: { dev: \"net_af_xdp0,iface=v0,busy_budget=8\", busy_budget: 8 }\n",
	  "t.yaml:5:66: port 'wan': busy_budget is given here and in dev, expected it once" },
	{ "zero_copy unknown", PIPE "ports:\n  wan: { dev: \"net_af_xdp0,iface=v0\", zero_copy: on }\n",
	  "t.yaml:5:50: port 'wan': zero_copy is 'on', expected auto (where the driver offers it) or off" },
	{ "zero_copy on net_pcap", PIPE "ports:\n  wan: { dev: \"net_pcap0,iface=lo\", zero_copy: off }\n",
	  "t.yaml:5:48: port 'wan': zero_copy is given for a port that is not net_af_xdp, expected it on net_af_xdp ports only" },

	/* paths */
	{ "path is a string", HEAD "paths:\n  - p\n",
	  "t.yaml:8:5: paths: path 1 is 'p', expected a mapping with name and stages" },
	{ "path without name", HEAD "paths:\n  - { stages: [] }\n",
	  "t.yaml:8:5: path 1: name is missing, expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "path unknown key", HEAD "paths:\n  - { nmae: p }\n",
	  "t.yaml:8:7: path 1: unknown key 'nmae', expected one of: name, stages, bypass, stall_ms" },
	{ "path bypass unknown", HEAD "paths:\n  - name: p\n    bypass: maybe\n    stages:\n" RX TX,
	  "t.yaml:9:13: path 'p': bypass is 'maybe', expected off, fail-open or fail-closed" },
	{ "path stall_ms without bypass", HEAD "paths:\n  - name: p\n    stall_ms: 50\n    stages:\n" RX TX,
	  "t.yaml:9:15: path 'p': stall_ms without bypass: fail-open or fail-closed, expected both" },
	{ "path stall_ms zero", HEAD "paths:\n  - name: p\n    bypass: fail-open\n    stall_ms: 0\n    stages:\n" RX TX,
	  "t.yaml:10:15: path 'p': stall_ms is 0, expected an integer 1..60000" },
	{ "path bypass with nothing between", HEAD "paths:\n  - name: p\n    bypass: fail-open\n    stages:\n" RX TX,
	  "t.yaml:9:13: path 'p': bypass is fail-open, but no stage of the path runs apart from its input's lcore 1 and its output's lcore 2, expected an external stage or an app stage on an lcore of its own to step around" },
	{ "external stage with an lcore", HEAD "paths:\n" PATH("p") RX
	  "      - { name: x, kind: external, lcore: 1 }\n" TX,
	  "t.yaml:11:43: stage 'x': lcore is not taken by an external stage: the process that attaches (ffwd attach --lcore N) runs it" },
	{ "two external stages in a row", HEAD "paths:\n" PATH("p") RX
	  "      - { name: x, kind: external }\n      - { name: y, kind: external }\n" TX,
	  "t.yaml:12:9: path 'p': external stage 'y' follows external stage 'x', expected a stage of this process between two external ones" },
	{ "path without stages", HEAD "paths:\n  - { name: p }\n",
	  "t.yaml:8:5: path 'p': stages is missing, expected a sequence of at least 2 stages" },
	{ "path stages is a mapping", HEAD "paths:\n  - { name: p, stages: { rx: 1 } }\n",
	  "t.yaml:8:24: path 'p': stages is a mapping, expected a sequence of at least 2 stages" },
	{ "path with one stage", HEAD "paths:\n" PATH("p") RX,
	  "t.yaml:10:7: path 'p' has 1 stage, expected at least 2 (an input first, an output last)" },
	{ "duplicate path name", SIMPLE PATH("p")
	  "      - { name: rx2, kind: input, port: wan, queue: 0, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: lan, lcore: 3 }\n",
	  "t.yaml:12:11: path name 'p' is already used by the path at 8:5, expected unique path names" },
	{ "first stage not input", HEAD "paths:\n" PATH("p")
	  "      - { name: f, kind: fwd, lcore: 1 }\n" TX,
	  "t.yaml:10:9: path 'p': first stage 'f' is a fwd stage, expected an input stage" },
	{ "last stage not output", HEAD "paths:\n" PATH("p") RX
	  "      - { name: w, kind: work, ns: 10, lcore: 1 }\n",
	  "t.yaml:11:9: path 'p': last stage 'w' is a work stage, expected an output stage" },
	{ "input in the middle", HEAD "paths:\n" PATH("p") RX
	  "      - { name: rx2, kind: input, port: lan, lcore: 1 }\n" TX,
	  "t.yaml:11:9: path 'p': stage 'rx2' is an input stage in the middle of the path, expected input only as the first stage" },
	{ "output in the middle", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx0, kind: output, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:11:9: path 'p': stage 'tx0' is an output stage in the middle of the path, expected output only as the last stage" },

	/* stages */
	{ "stage is a string", HEAD "paths:\n" PATH("p") "      - rx\n" TX,
	  "t.yaml:10:9: path 'p': stage 1 is 'rx', expected a mapping with name, kind, lcore and the kind's keys" },
	{ "stage without name", HEAD "paths:\n" PATH("p")
	  "      - { kind: input, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:9: path 'p' stage 1: name is missing, expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "stage name with a slash", HEAD "paths:\n" PATH("p")
	  "      - { name: r/x, kind: input, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:17: path 'p' stage 1: name is 'r/x', expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "stage without kind", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:9: stage 'rx': kind is missing, expected @KINDS@" },
	{ "stage kind unknown", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: rx, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:27: stage 'rx': kind is 'rx', expected @KINDS@" },
	{ "stage unknown key", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, burst: 32 }\n" TX,
	  "t.yaml:10:55: stage 'rx': unknown key 'burst', expected one of: name, kind, lcore, idle, port, queue" },
	{ "pps and mbps together", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, pps: 10, mbps: 5 }\n",
	  "t.yaml:11:71: stage 'tx': mbps is given with pps, expected one of them" },
	{ "overhead without mbps", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, overhead: 20 }\n",
	  "t.yaml:11:66: stage 'tx': overhead is given without mbps, expected it only with mbps" },
	{ "pps out of range", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, pps: 0 }\n",
	  "t.yaml:11:61: stage 'tx': pps is 0, expected an integer 1..1000000000" },
	{ "firewall without rules", HEAD "paths:\n" PATH("p") RX
	  "      - { name: fw, kind: firewall, lcore: 1 }\n" TX,
	  "t.yaml:11:9: stage 'fw': rules is missing, expected the path of a rules file" },
	{ "firewall rules not a string", HEAD "paths:\n" PATH("p") RX
	  "      - { name: fw, kind: firewall, lcore: 1, rules: [a] }\n" TX,
	  "t.yaml:11:54: stage 'fw': rules is a sequence, expected the path of a rules file" },
	{ "firewall with a port", HEAD "paths:\n" PATH("p") RX
	  "      - { name: fw, kind: firewall, rules: x.rules, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:11:53: stage 'fw': key 'port' is not valid for a firewall stage, expected one of: name, kind, lcore, idle, replicas, lcores, rules" },
	{ "key of another kind", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:11:31: stage 'f': key 'port' is not valid for a fwd stage, expected one of: name, kind, lcore, idle, replicas, lcores, mac_swap, src_mac, dst_mac" },
	{ "retries on an input stage", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, retries: 3 }\n" TX,
	  "t.yaml:10:55: stage 'rx': key 'retries' is not valid for an input stage, expected one of: name, kind, lcore, idle, port, queue" },
	{ "duplicate stage key", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, lcore: 2 }\n" TX,
	  "t.yaml:10:55: stage 'rx': duplicate key 'lcore' (first at 10:45), expected each key once" },
	{ "duplicate stage name across paths", SIMPLE PATH("q")
	  "      - { name: rx2, kind: input, port: lan, lcore: 3 }\n"
	  "      - { name: tx, kind: output, port: wan, lcore: 3 }\n",
	  "t.yaml:15:17: stage name 'tx' is already used by the stage at 11:9, expected stage names unique across all paths" },
	{ "stage without lcore", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan }\n" TX,
	  "t.yaml:10:9: stage 'rx': lcore is missing, expected an integer 0..127" },
	{ "stage lcore out of range", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 128 }\n" TX,
	  "t.yaml:10:52: stage 'rx': lcore is 128, expected an integer 0..127" },
	{ "stage on the housekeeping lcore", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 0 }\n" TX,
	  "t.yaml:10:52: stage 'rx': lcore is 0, expected another lcore: dedicated lcores must differ from the housekeeping lcore 0" },
	{ "stage lcore not in cpus", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 5 }\n" TX,
	  "t.yaml:10:52: stage 'rx': lcore 5 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "stage CPU absent without cpus", "pipeline: { label: demo }\n" PORTS
	  "stages:\n"
	  "  - { name: rx, kind: input, port: wan, lcore: 127 }\n"
	  "  - { name: tx, kind: output, port: lan, lcore: 127 }\n",
	  "t.yaml:6:48: stage 'rx': lcore 127 runs on CPU 127, which this machine does not offer (allowed CPUs: @CPUS@); map it with pipeline.cpus" },
	{ "stage idle unknown", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, idle: sleep }\n" TX,
	  "t.yaml:10:61: stage 'rx': idle is 'sleep', expected spin or yield" },
	{ "input without port", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, lcore: 1 }\n" TX,
	  "t.yaml:10:9: stage 'rx': port is missing, expected one of: wan, lan" },
	{ "unknown port", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: dmz, lcore: 1 }\n" TX,
	  "t.yaml:10:40: stage 'rx': unknown port 'dmz', expected one of: wan, lan" },
	{ "input queue beyond rxq", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, queue: 1, lcore: 1 }\n" TX,
	  "t.yaml:10:52: stage 'rx': queue is 1, expected an integer 0..0 (port 'wan' has 1 RX queue)" },
	{ "output queue beyond txq", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, queue: 2, lcore: 2 }\n",
	  "t.yaml:11:53: stage 'tx': queue is 2, expected an integer 0..1 (port 'lan' has 2 TX queues)" },
	{ "retries too many", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 2, retries: 1001 }\n",
	  "t.yaml:11:65: stage 'tx': retries is 1001, expected an integer 0..1000 or forever" },
	{ "work without ns", HEAD "paths:\n" PATH("p") RX
	  "      - { name: w, kind: work, lcore: 1 }\n" TX,
	  "t.yaml:11:9: stage 'w': ns is missing, expected an integer 1..1000000" },
	{ "work ns zero", HEAD "paths:\n" PATH("p") RX
	  "      - { name: w, kind: work, ns: 0, lcore: 1 }\n" TX,
	  "t.yaml:11:36: stage 'w': ns is 0, expected an integer 1..1000000" },
	{ "mac_swap with src_mac", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, mac_swap: true, src_mac: 02:00:00:00:00:01, lcore: 1 }\n" TX,
	  "t.yaml:11:9: stage 'f': mac_swap is true together with src_mac, expected either mac_swap or src_mac/dst_mac" },
	{ "bad MAC", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, dst_mac: \"02:00:00:00:00:1g\", lcore: 1 }\n" TX,
	  "t.yaml:11:40: stage 'f': dst_mac is '02:00:00:00:00:1g', expected a MAC address xx:xx:xx:xx:xx:xx" },
	{ "short MAC", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, src_mac: \"02:00:00:00:00\", lcore: 1 }\n" TX,
	  "t.yaml:11:40: stage 'f': src_mac is '02:00:00:00:00', expected a MAC address xx:xx:xx:xx:xx:xx" },
	{ "mac_swap not a boolean", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, mac_swap: 1, lcore: 1 }\n" TX,
	  "t.yaml:11:41: stage 'f': mac_swap is '1', expected true or false" },

	/* between stages */
	{ "path comes back to an lcore", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 2 }\n"
	  "      - { name: g, kind: fwd, lcore: 1 }\n" TX,
	  "t.yaml:12:9: path 'p': stage 'g' returns to lcore 1 after leaving it at stage 'rx', expected the stages of one lcore to be consecutive" },
	{ "two idle modes on one lcore", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, idle: yield }\n",
	  "t.yaml:11:9: stage 'tx': idle is yield on lcore 1, but stage 'rx' on the same lcore is spin, expected one idle mode per lcore" },
	{ "RX queue read twice", SIMPLE PATH("q")
	  "      - { name: rx2, kind: input, port: wan, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: wan, lcore: 3 }\n",
	  "t.yaml:14:9: stage 'rx2': port 'wan' RX queue 0 is already read by stage 'rx', expected one input stage per RX queue" },
	{ "TX queue written from two lcores", SIMPLE PATH("q")
	  "      - { name: rx2, kind: input, port: lan, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: lan, lcore: 3 }\n",
	  "t.yaml:15:9: stage 'tx2': port 'lan' TX queue 0 is already written by stage 'tx' on lcore 2, expected one writer lcore per TX queue (another queue, or lcore 2)" },

	/* fleets */
	{ "replicas on an input stage", FHEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, replicas: 2 }\n" FTX,
	  "t.yaml:10:65: stage 'rx': replicas is given on an input stage, expected replicas and lcores on app stages only (an input spreads over RX queues with its port's rss: symmetric and rxq)" },
	{ "lcores on an output stage", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcores: [4, 5] }\n",
	  "t.yaml:11:54: stage 'tx': lcores is given on an output stage, expected replicas and lcores on app stages only (an input spreads over RX queues with its port's rss: symmetric and rxq)" },
	{ "more replicas than lcores reserved", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3], replicas: 3 }\n" FTX,
	  "t.yaml:11:57: stage 'f': replicas is 3 but lcores reserves 2, expected at most as many replicas as lcores reserved" },
	{ "replicas past the cpus map", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 4, replicas: 3 }\n" FTX,
	  "t.yaml:11:51: stage 'f': replica lcore 6 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "replicas 0", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 2, replicas: 0 }\n" FTX,
	  "t.yaml:11:51: stage 'f': replicas is 0, expected an integer 1..16" },
	{ "lcore and lcores disagree", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 3, lcores: [2, 3] }\n" FTX,
	  "t.yaml:11:38: stage 'f': lcore is 3 but lcores starts with 2, expected lcore to be the first of lcores (or left out)" },
	{ "an lcore twice in lcores", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 2] }\n" FTX,
	  "t.yaml:11:43: stage 'f': lcores[1] is 2 again, expected one replica per lcore" },
	{ "fused stages with different fleets", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n"
	  "      - { name: g, kind: fwd, lcores: [2, 4] }\n" FTX,
	  "t.yaml:12:9: path 'p': stage 'g' is fused with stage 'f' on lcore 2 but their replicas/lcores differ, expected the same replicas and lcores on every stage of a fused run" },
	{ "spreader on a replica's lcore", FHEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 2 }\n"
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n" FTX,
	  "t.yaml:10:9: path 'p': stage 'rx' on lcore 2 is in front of fleet 'f', which reserves that lcore, expected the stage in front of a fleet on an lcore of its own (it spreads the flows), or an input whose port has rss: symmetric on the fleet's first lcore" },
	{ "merger on a replica's lcore", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n"
	  "      - { name: tx, kind: output, port: lan, lcore: 3 }\n",
	  "t.yaml:12:9: path 'p': stage 'tx' on lcore 3 is behind fleet 'f', which reserves that lcore, expected the stage behind a fleet on an lcore of its own (it merges the replicas)" },
	{ "another path on a fleet's lcore", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n" FTX
	  PATH("q")
	  "      - { name: rx2, kind: input, port: lan, queue: 1, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: wan, lcore: 5 }\n",
	  "t.yaml:15:9: path 'q': stage 'rx2' uses lcore 3, which fleet 'f' reserves, expected a fleet's lcores to run its replicas only" },
};

const size_t conf_bad_n = DIM(conf_bad_rows);
