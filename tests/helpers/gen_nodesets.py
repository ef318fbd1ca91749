#!/usr/bin/env python3
"""gen_nodesets.py SEED COUNT DIR: COUNT random node name sets, one file each
(DIR/N, one name a line, shuffled), for comparing our folding with
ClusterShell's "nodeset -f": several patterns per set, 1 to 3 numeric parts,
padded and unpadded indexes, gaps, names without digits, repeats."""
import os
import random
import sys

seed, count, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)
WORDS = ["node", "n", "rack", "cn", "gpu", "login", "io", "c", "x-", "ib", "a_b", "eth"]
SEPS = ["", "-", ".", "_", "n", "c", "p"]


def index(width):
    """An index as written: mostly the pattern's width, sometimes not."""
    v = rnd.choice([rnd.randint(0, 20), rnd.randint(0, 120), rnd.randint(90, 1100)])
    pad = width if rnd.random() < 0.9 else rnd.choice([0, 1, 2, 3, 4])
    return "%0*d" % (pad, v)


def runs(width):
    """Indexes for one dimension: a few ranges with gaps."""
    out = []
    for _ in range(rnd.randint(1, 3)):
        lo = rnd.choice([0, 1, 7, 9, 10, 95, 99, 998])
        hi = lo + rnd.randint(0, 12)
        out += ["%0*d" % (width, v) for v in range(lo, hi + 1) if rnd.random() < 0.85]
    if rnd.random() < 0.3:
        out.append(index(width))
    return out or ["%0*d" % (width, 1)]


def pattern_names():
    dims = rnd.choice([0, 1, 1, 1, 2, 2, 3])
    parts = [rnd.choice(WORDS)] + [rnd.choice(SEPS) + rnd.choice(["", "x", "ib"]) for _ in range(dims)]
    if dims == 0:
        return [parts[0] + rnd.choice(["", "-head", ".mgmt"])]
    widths = [rnd.choice([0, 0, 2, 3]) for _ in range(dims)]
    values = [runs(w) for w in widths]
    names = set()
    for _ in range(rnd.randint(1, 60)):
        idx = [rnd.choice(v) for v in values]
        names.add(parts[0] + "".join(idx[i] + parts[i + 1] for i in range(dims)))
    if dims == 1 and rnd.random() < 0.5:  # a full product-free range, the usual case
        names |= {parts[0] + v + parts[1] for v in values[0]}
    return sorted(names)


os.makedirs(outdir, exist_ok=True)
for k in range(count):
    names = []
    for _ in range(rnd.randint(1, 4)):
        names += pattern_names()
    names += rnd.sample(names, min(len(names), rnd.randint(0, 3)))  # repeats
    rnd.shuffle(names)
    with open(os.path.join(outdir, str(k)), "w") as f:
        f.write("\n".join(names) + "\n")
