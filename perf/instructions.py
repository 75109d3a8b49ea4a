#!/usr/bin/env python3
"""Instructions per execution of each workload, counted by valgrind's callgrind: a figure that does not move
with the machine's load, for comparing two versions of the engine on a shared machine where throughput varies by a
third from run to run.

    python3 perf/instructions.py [--quickstep PATH] [--top N] [--workload NAME ...]

For each workload, `quickstep bench` runs N and then 2N executions on one worker (1,000 in flight, as
`perf/run.sh` runs them, but with no warm-up: a warm-up is timed, so its count would differ between the two) under callgrind; the difference of the two totals divided by N is the count per execution,
start-up and the end's summary cancelling out. `--top` adds the functions with the most instructions of their own
per execution, from the same two runs.

Needs valgrind (`apt-get install valgrind`). The binary is run from a copy without debug information (valgrind
3.19 cannot read the DWARF 5 that Swift writes) and with jemalloc preloaded directly when it is installed (the
re-execution that `quickstep` does to load it would escape valgrind).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = os.path.join(ROOT, "Tests", "Workloads")
# Executions per run: enough that one execution's share dwarfs the noise of thread start-up (a few hundred
# instructions in all), few enough that each workload takes seconds under callgrind.
RUNS = {"pass_chain_10": 20000, "order_processing": 10000, "choice_heavy": 5000, "parallel_4x3": 5000, "map_100x3": 300}
JEMALLOC = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
            "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2"]


def bench_arguments(workload, executions):
    path = os.path.join(WORKLOADS, workload)
    arguments = ["bench", path + ".json", "--input", path + ".input.json", "--executions", str(executions),
                 "--workers", "1", "--concurrency", "1000", "--warmup", "0"]
    if os.path.exists(path + ".mock.json"):
        arguments += ["--mock-config", path + ".mock.json", "--test-case", "HappyPath"]
    return arguments


def callgrind(binary, arguments, output):
    """Runs `binary arguments` under callgrind, writing its profile to `output`."""
    environment = dict(os.environ)
    jemalloc = next((path for path in JEMALLOC if os.path.exists(path)), None)
    if jemalloc:
        environment["LD_PRELOAD"] = jemalloc
    environment["QUICKSTEP_ALLOCATOR"] = "jemalloc-loaded" if jemalloc else "glibc"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={output}", binary] + arguments,
                   env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def costs(profile):
    """The program's total and each function's own instructions, from a callgrind profile."""
    text = subprocess.run(["callgrind_annotate", "--threshold=100", profile], capture_output=True, text=True,
                          check=True).stdout
    total, functions = 0, {}
    for line in text.splitlines():
        match = re.match(r"\s*([\d,]+) \([\s\d.]+%\)\s+(.*?)(?: \[.*\])?$", line)
        if not match:
            continue
        count = int(match.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in match.group(2):
            total = count
        else:
            name = match.group(2).split(":", 1)[1] if match.group(2).startswith("???:") else match.group(2)
            functions[name] = functions.get(name, 0) + count
    return total, functions


def demangle(names):
    result = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names),
                            capture_output=True, text=True)
    lines = result.stdout.splitlines() if result.returncode == 0 else []
    return lines if len(lines) == len(names) else names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quickstep", default=os.path.join(ROOT, ".build", "release", "quickstep"))
    parser.add_argument("--workload", action="append", choices=sorted(RUNS), help="default: every workload")
    parser.add_argument("--top", type=int, default=0, help="also list the N costliest functions of each workload")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("perf/instructions.py: needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as scratch:
        binary = os.path.join(scratch, "quickstep")
        shutil.copy(args.quickstep, binary)
        subprocess.run(["strip", "--strip-debug", binary], check=True)
        print("| workload | executions per run | instructions per execution |")
        print("| --- | ---: | ---: |")
        tops = []
        for workload in args.workload or list(RUNS):
            executions = RUNS[workload]
            single, double = (os.path.join(scratch, f"{workload}.{count}") for count in (1, 2))
            callgrind(binary, bench_arguments(workload, executions), single)
            callgrind(binary, bench_arguments(workload, 2 * executions), double)
            (first, own_first), (second, own_second) = costs(single), costs(double)
            print(f"| {workload} | {executions:,} and {2 * executions:,} | {(second - first) / executions:,.0f} |",
                  flush=True)
            if args.top:
                per_execution = {name: (own_second.get(name, 0) - own_first.get(name, 0)) / executions
                                 for name in own_second}
                top = sorted(per_execution.items(), key=lambda item: -item[1])[:args.top]
                tops.append((workload, top))
        for workload, top in tops:
            print(f"\n{workload}, the functions with the most instructions of their own per execution:\n")
            for (name, count), readable in zip(top, demangle([name for name, _ in top])):
                print(f"    {count:9,.0f}  {readable[:150]}")


if __name__ == "__main__":
    main()
