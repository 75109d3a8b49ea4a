"""Runs every workload on Quickstep (`quickstep bench`) and on the reference engine (perf/reference_engine.py), side
by side in one run, checks that both give the workload's recorded result, and prints a Markdown report: throughput of
both and their ratio, Quickstep's latency percentiles and peak RSS, synchronous-start latency, glibc malloc against
jemalloc, and the machine.

    python3 perf/compare.py --quickstep .build/release/quickstep --reference-python perf/.venv/bin/python [--runs 3]

Quickstep's figures are the median of --runs runs (this is a shared 2-core machine: single runs vary by ±30 %).
Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

WORKLOADS = [
    # name, Quickstep executions (timed, after `quickstep bench`'s half-second warm-up: each run takes a few tenths
    # of a second), reference executions
    ("pass_chain_10", 1_000_000, 300),
    ("order_processing", 1_000_000, 200),
    ("choice_heavy", 300_000, 200),
    ("parallel_4x3", 500_000, 100),
    ("map_100x3", 20_000, 20),
]
JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOAD_DIR = os.path.join(HERE, "..", "Tests", "Workloads")


def workload_files(name):
    base = os.path.join(WORKLOAD_DIR, name)
    mock = base + ".mock.json"
    return base + ".json", base + ".input.json", (mock if os.path.exists(mock) else None), base + ".expected.json"


def quickstep(binary, name, executions, allocator, sync=False):
    definition, input_file, mock, _ = workload_files(name)
    command = [binary, "bench", definition, "--input", input_file, "--executions", str(executions), "--json"]
    if sync:
        command.append("--sync")
    if mock:
        command += ["--mock-config", mock, "--test-case", "HappyPath"]
    # quickstep re-executes itself on jemalloc when it is installed unless told glibc (Sources/QuickstepCommands/Allocator.swift).
    environment = dict(os.environ, QUICKSTEP_ALLOCATOR=allocator)
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    return json.loads(output.strip().splitlines()[-1])


def quickstep_output(binary, name):
    definition, input_file, mock, _ = workload_files(name)
    command = [binary, "run", definition, "--input", input_file, "--json"]
    if mock:
        command += ["--mock-config", mock, "--test-case", "HappyPath"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def reference(python, name, executions):
    definition, input_file, mock, _ = workload_files(name)
    command = [python, os.path.join(HERE, "reference_engine.py"), definition, input_file, "--executions", str(executions)]
    if mock:
        command += ["--mock-config", mock, "--test-case", "HappyPath"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])


def machine():
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(), "swift": swift[0] if swift else "?",
            "python": platform.python_version()}


def median_run(runs, key):
    return statistics.median(run[key] for run in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quickstep", required=True)
    parser.add_argument("--reference-python", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the executions, for a smoke test")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    jemalloc = JEMALLOC if os.path.exists(JEMALLOC) else None

    rows, allocator_rows, problems = [], [], []
    for name, executions, reference_executions in WORKLOADS:
        expected = json.load(open(workload_files(name)[3]))
        ours = quickstep_output(args.quickstep, name)
        if ours.get("output") != expected.get("output", expected):
            problems.append(f"{name}: Quickstep's output differs from the recorded result")
        ref = reference(args.reference_python, name, max(5, reference_executions // scale))
        if ref.get("output") != expected.get("output", expected):
            problems.append(f"{name}: the reference's output differs from the recorded result ({ref.get('status')}, {ref.get('error')})")
        glibc_runs, jemalloc_runs = [], []
        for _ in range(args.runs):
            # Interleaved, so that a noisy minute hurts both allocators alike.
            glibc_runs.append(quickstep(args.quickstep, name, executions // scale, "glibc"))
            if jemalloc:
                jemalloc_runs.append(quickstep(args.quickstep, name, executions // scale, "jemalloc"))
        for run in glibc_runs + jemalloc_runs:
            if run["succeeded"] != run["executions"]:
                problems.append(f"{name}: {run['executions'] - run['succeeded']} executions did not succeed")
        # The main table shows what quickstep uses by default: jemalloc when installed.
        rows.append((name, jemalloc_runs or glibc_runs, ref, "jemalloc" if jemalloc_runs else "glibc"))
        if jemalloc:
            allocator_rows.append((name, glibc_runs, jemalloc_runs))

    # StartSyncExecution in-process: one execution at a time on the calling thread (`quickstep bench --sync`).
    sync_rows = []
    for name, executions, _ in WORKLOADS:
        runs = [quickstep(args.quickstep, name, max(1_000, executions // 3 // scale), "jemalloc" if jemalloc else "glibc", sync=True)
                for _ in range(args.runs)]
        sync_rows.append((name, runs))

    # Memory: every execution parked in a 10-second Wait at once.
    parked_count = 1_000_000 // scale
    parked_definition = os.path.join(HERE, "workloads", "parked_wait.json")
    parked = json.loads(subprocess.run(
        [args.quickstep, "bench", parked_definition, "--input", os.path.join(HERE, "workloads", "parked_wait.input.json"),
         "--executions", str(parked_count), "--concurrency", str(parked_count), "--warmup", "0", "--json"],
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    if parked["succeeded"] != parked_count:
        problems.append(f"parked_wait: {parked_count - parked['succeeded']} executions did not succeed")

    info = machine()
    today = datetime.date.today().isoformat()
    out = [f"# Quickstep against the reference engine, {today}", ""]
    out.append(f"Machine: {info['nproc']} cores ({info['cpu']}), Linux {info['kernel']}, {info['swift']}, "
               f"Python {info['python']} for the reference (localstack-core, perf/requirements-reference.txt).")
    out.append(f"Command: `bash perf/run.sh` (Quickstep: `quickstep bench ... --json`, {args.runs} runs, median; "
               f"{info['nproc']} workers, 1,000 executions in flight, each run timed after half a second of warm-up; reference: perf/reference_engine.py, one thread, "
               "definition parsed once, JSONPath memoised).")
    out += ["", "| workload | Quickstep executions/s | reference executions/s | ratio | Quickstep transitions/s | "
            "reference transitions/s | Quickstep p50 / p99 / p99.9 latency (µs) | peak RSS | allocator |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"]
    for name, runs, ref, allocator in rows:
        ours = median_run(runs, "executionsPerSecond")
        p = lambda key: statistics.median(run["latencyMicros"][key] for run in runs)
        out.append(f"| {name} | {ours:,.0f} | {ref['executionsPerSecond']:,.1f} | {ours / ref['executionsPerSecond']:,.0f}× | "
                   f"{median_run(runs, 'transitionsPerSecond'):,.0f} | {ref['transitionsPerSecond']:,.0f} | "
                   f"{p('p50'):,.0f} / {p('p99'):,.0f} / {p('p999'):,.0f} | "
                   f"{median_run(runs, 'peakRSSBytes') / 1_048_576:.1f} MiB | {allocator} |")
    out += ["", "## Synchronous start (StartSyncExecution in-process, one at a time on the calling thread)", "",
            f"`quickstep bench ... --sync`, {args.runs} runs, median of each percentile; latency from the call to its return.", "",
            "| workload | executions/s (one thread) | p50 (µs) | p99 (µs) | p99.9 (µs) |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, runs in sync_rows:
        p = lambda key: statistics.median(run["latencyMicros"][key] for run in runs)
        out.append(f"| {name} | {median_run(runs, 'executionsPerSecond'):,.0f} | {p('p50'):,.1f} | {p('p99'):,.1f} | {p('p999'):,.1f} |")
    out += ["", "## Memory: executions parked in a Wait", "",
            f"{parked_count:,} executions of perf/workloads/parked_wait.json started at once (`--concurrency {parked_count}`), all "
            f"parked in its 10-second Wait: peak RSS {parked['peakRSSBytes'] / 1_048_576:,.0f} MiB, "
            f"{parked['peakRSSBytes'] / parked_count:,.0f} bytes per parked execution (the process's own ~30 MiB included)."]
    if allocator_rows:
        out += ["", "## glibc malloc against jemalloc (QUICKSTEP_ALLOCATOR=glibc / jemalloc), executions/s, median of the runs", "",
                "| workload | glibc | jemalloc | jemalloc / glibc | peak RSS glibc | peak RSS jemalloc |",
                "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for name, glibc_runs, jemalloc_runs in allocator_rows:
            g, j = median_run(glibc_runs, "executionsPerSecond"), median_run(jemalloc_runs, "executionsPerSecond")
            out.append(f"| {name} | {g:,.0f} | {j:,.0f} | {j / g:.2f} | {median_run(glibc_runs, 'peakRSSBytes') / 1_048_576:.1f} MiB | "
                       f"{median_run(jemalloc_runs, 'peakRSSBytes') / 1_048_576:.1f} MiB |")
    out += ["", "Outputs checked against Tests/Workloads/*.expected.json: " + ("all match." if not problems else "")]
    out += [f"- {problem}" for problem in problems]
    print("\n".join(out))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
