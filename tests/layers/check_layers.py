#!/usr/bin/env python3
"""Checks the layer order of src/: a file in src/<layer>/ may include headers,
and its CMakeLists.txt may link libraries and name sources, only of its own
layer or of layers of a lower rank. The ranks are the table in
docs/architecture.md ("Layer order"), the one place they are written down.

  check_layers.py [--root DIR]   check the tree at DIR (default: this repository)
  check_layers.py --self-test    check the checker on a small tree it builds
"""
import argparse
import os
import re
import sys
import tempfile

VERSION = "check_layers 1.0"
TABLE_BEGIN = "<!-- layer-order:begin -->"
TABLE_END = "<!-- layer-order:end -->"
SOURCE_SUFFIXES = (".h", ".hpp", ".cc", ".cpp", ".c")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
# aegis_<target> in CMake (aegis_library/aegis_test/aegis_fuzzer are calls, not targets)
CMAKE_TARGET = re.compile(r"\baegis_([a-z0-9_]+)\b")
CMAKE_CALLS = {"library", "test", "fuzzer"}
CMAKE_SOURCE_PATH = re.compile(r"\$\{AEGIS_ROOT\}/src/([a-z0-9_]+)/")


def read_ranks(doc_path):
    """{layer: rank} from the table between the markers of the document."""
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    if TABLE_BEGIN not in text or TABLE_END not in text:
        raise ValueError(f"{doc_path}: no layer table between {TABLE_BEGIN} and {TABLE_END}")
    table = text.split(TABLE_BEGIN, 1)[1].split(TABLE_END, 1)[0]
    ranks = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].isdigit():
            continue  # header, separator, blank
        for name in re.split(r"[,\s]+", cells[1].replace("`", "")):
            if not name:
                continue
            if name in ranks:
                raise ValueError(f"{doc_path}: layer {name} appears twice in the table")
            ranks[name] = int(cells[0])
    if not ranks:
        raise ValueError(f"{doc_path}: the layer table has no rows")
    return ranks


def layer_of_target(target, ranks):
    """aegis_server_core -> server, aegis_transport_testing -> transport."""
    if target in ranks:
        return target
    owners = [l for l in ranks if target.startswith(l + "_")]
    return max(owners, key=len) if owners else None


def check(root):
    """The violations in the tree at root, as 'path:line: message' strings."""
    ranks = read_ranks(os.path.join(root, "docs", "architecture.md"))
    src = os.path.join(root, "src")
    problems = []
    layers = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for layer in layers:
        if layer not in ranks:
            problems.append(f"src/{layer}/: not in the layer table of docs/architecture.md")

    def judge(where, layer, used, what):
        if used == layer or used not in ranks or layer not in ranks:
            return
        if ranks[used] >= ranks[layer]:
            problems.append(f"{where}: {what} of layer {used} (rank {ranks[used]}), "
                            f"not below {layer} (rank {ranks[layer]})")

    for layer in layers:
        for folder, _, files in os.walk(os.path.join(src, layer)):
            for name in sorted(files):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, root)
                if name.endswith(SOURCE_SUFFIXES):
                    with open(path, encoding="utf-8", errors="replace") as f:
                        for number, line in enumerate(f, 1):
                            m = INCLUDE.match(line)
                            if not m:
                                continue
                            header = m.group(1)
                            if header.startswith("../") or "/../" in header:
                                problems.append(f"{rel}:{number}: relative include {header} "
                                                "(include as \"layer/file.h\" from src/)")
                                continue
                            first = header.split("/", 1)[0]
                            if "/" in header and first in layers:
                                judge(f"{rel}:{number}", layer, first, f"includes {header}")
                elif name == "CMakeLists.txt":
                    with open(path, encoding="utf-8") as f:
                        for number, line in enumerate(f, 1):
                            code = line.split("#", 1)[0]
                            for target in CMAKE_TARGET.findall(code):
                                if target in CMAKE_CALLS:
                                    continue
                                used = layer_of_target(target, ranks)
                                if used:
                                    judge(f"{rel}:{number}", layer, used, f"links aegis_{target}")
                            for used in CMAKE_SOURCE_PATH.findall(code):
                                judge(f"{rel}:{number}", layer, used, "builds a source")
    return problems


def self_test():
    """The checker must flag an upward and a same-rank include, an upward
    link, a relative include and a folder missing from the table, and
    nothing else."""
    files = {
        "docs/architecture.md": f"{TABLE_BEGIN}\n| Rank | Layers |\n|---|---|\n| 0 | `low` |\n"
                                f"| 1 | `mid`, `side` |\n| 2 | `high` |\n{TABLE_END}\n",
        "src/low/a.h": '#include "low/b.h"\n#include <vector>\n',
        "src/low/b.h": '#include "high/c.h"\n',                  # up: flagged
        "src/mid/m.cc": '#include "low/a.h"\n#include "side/s.h"\n',  # same rank: flagged
        "src/side/s.h": '#include "../low/a.h"\n',               # relative: flagged
        "src/high/c.h": '#include "mid/m.h"\n#include "low/a.h"\n',
        "src/high/CMakeLists.txt": "aegis_library(high SOURCES c.cc DEPS aegis_mid aegis_low_testing)\n",
        "src/low/CMakeLists.txt": "aegis_test(low_test SOURCES t.cc DEPS aegis_high)  # up: flagged\n",
        "src/stray/x.h": "\n",                                   # not in the table: flagged
    }
    expected = ["src/low/b.h:1", "src/mid/m.cc:2", "src/side/s.h:1",
                "src/low/CMakeLists.txt:1", "src/stray/"]
    with tempfile.TemporaryDirectory() as root:
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        found = check(root)
    ok = len(found) == len(expected) and all(any(p.startswith(e) for p in found) for e in expected)
    for p in found:
        print(f"  found: {p}")
    print("self-test: " + ("ok" if ok else f"FAILED (expected exactly {expected})"))
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."),
                        help="repository root (default: the one holding this script)")
    parser.add_argument("--self-test", action="store_true", help="check the checker on a tree it builds")
    parser.add_argument("--version", action="version", version=VERSION)
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    try:
        problems = check(os.path.abspath(args.root))
    except (OSError, ValueError) as e:
        print(f"check_layers: {e}", file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} include(s) or link(s) against the layer order "
              "(docs/architecture.md, \"Layer order\")", file=sys.stderr)
        return 1
    print("check_layers: every include and link follows the layer order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
