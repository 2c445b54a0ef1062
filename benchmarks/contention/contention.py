"""The suite's training step alone and next to a competing libtorch process, per OpenMP wait policy.

For each candidate policy (environment variables that libgomp reads when libtorch loads) and round, it times the
smoke-like training step (`repro speed`, ResNet-18 at width 0.25, 56 px, batch 32) alone, then again while a second
2-thread process trains on the same cores. Rounds interleave the candidates, so slow phases of a noisy machine hit them
alike; the table gives medians and ranges, each candidate's solo speed against the libgomp default's, and its
contended speed against its own solo speed.

    /usr/bin/python3 benchmarks/contention/contention.py [--rounds 3] [--cpus 0,1] [--competitor suite|pytorch] [--json out.json]

The competitor runs under the same policy as the measured process ("both processes"), unless --competitor-default
leaves it at libgomp's default. `pytorch` as competitor needs torch importable by this Python (Debian: /usr/bin/python3).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SUITE = ["dotnet", os.path.join(REPO, "harness/Repro.Cli/bin/Release/net10.0/repro.dll"), "speed"]
STEP = ["--device", "cpu", "--width", "0.25", "--size", "56", "--batch", "32", "--settings", "defaults",
        "--workloads", "train_step", "--onednn", "on"]

# name: (environment, suite threads). libgomp's own default (OMP_WAIT_POLICY unset) spins 300,000 times; the suite now
# sets GOMP_SPINCOUNT itself when the environment names neither variable, so the default is spelled out here.
CANDIDATES = {
    "libgomp default (spin 300000)": ({"GOMP_SPINCOUNT": "300000"}, 2),
    "spin 100000": ({"GOMP_SPINCOUNT": "100000"}, 2),
    "spin 10000": ({"GOMP_SPINCOUNT": "10000"}, 2),
    "spin 5000": ({"GOMP_SPINCOUNT": "5000"}, 2),
    "spin 3000": ({"GOMP_SPINCOUNT": "3000"}, 2),
    "spin 2000": ({"GOMP_SPINCOUNT": "2000"}, 2),
    "spin 1000": ({"GOMP_SPINCOUNT": "1000"}, 2),
    "spin 300": ({"GOMP_SPINCOUNT": "300"}, 2),
    "spin 100": ({"GOMP_SPINCOUNT": "100"}, 2),
    "spin 30": ({"GOMP_SPINCOUNT": "30"}, 2),
    "passive": ({"OMP_WAIT_POLICY": "PASSIVE"}, 2),
    "1 thread, libgomp default": ({"GOMP_SPINCOUNT": "300000"}, 1),
}

PYTORCH_COMPETITOR = """
import torch, torchvision
torch.set_num_threads(2)
m = torchvision.models.resnet18(num_classes=10)
opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
x, y = torch.randn(32, 3, 112, 112), torch.randint(0, 10, (32,))
while True:
    opt.zero_grad(); torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()
"""


def env_with(extra):
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    env.update(extra)
    return env


def measure(env, threads, cpus, steps, warmup, timeout):
    """img/s of the training step; on timeout, the upper bound the timeout implies."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = ["taskset", "-c", cpus] + SUITE + STEP + ["--threads", str(threads), "--steps", str(steps),
                                                       "--warmup", str(warmup), "--json", out.name]
        try:
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return (steps + warmup) * 32 / timeout, True
        return json.load(open(out.name))[0]["ImagesPerSecond"], False


def competitor(kind, env, cpus):
    if kind == "pytorch":
        cmd = ["taskset", "-c", cpus, sys.executable, "-c", PYTORCH_COMPETITOR]
    else:
        cmd = ["taskset", "-c", cpus] + SUITE + STEP + ["--threads", "2", "--steps", "100000000", "--warmup", "0"]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)  # past start-up, into its training loop
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cpus", default="0,1")
    ap.add_argument("--competitor", choices=["suite", "pytorch"], default="suite")
    ap.add_argument("--competitor-default", action="store_true", help="the competitor keeps libgomp's default policy")
    ap.add_argument("--candidates", default="all", help="comma-separated names from the table, or all")
    ap.add_argument("--timeout", type=float, default=60, help="seconds before a contended run counts as at most this slow")
    ap.add_argument("--json")
    a = ap.parse_args()
    names = list(CANDIDATES) if a.candidates == "all" else a.candidates.split(",")
    rows = []
    for r in range(1, a.rounds + 1):
        for name in names:
            extra, threads = CANDIDATES[name]
            env = env_with(extra)
            solo, _ = measure(env, threads, a.cpus, steps=40, warmup=10, timeout=a.timeout)
            rival = competitor(a.competitor, env_with({"GOMP_SPINCOUNT": "300000"}) if a.competitor_default else env, a.cpus)
            try:
                shared, capped = measure(env, threads, a.cpus, steps=8, warmup=2, timeout=a.timeout)
            finally:
                rival.kill()
                rival.wait()
            rows.append({"round": r, "candidate": name, "solo": solo, "contended": shared, "timed_out": capped})
            print(f"round {r}  {name:<30} alone {solo:7.0f} img/s   contended {'<' if capped else ' '}{shared:6.0f} img/s",
                  flush=True)
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=2)
    base = statistics.median(x["solo"] for x in rows if x["candidate"] == names[0])
    print(f"\nmedians over {a.rounds} round(s), competitor: {a.competitor}"
          f"{' (libgomp default policy)' if a.competitor_default else ' (same policy)'}; cpus {a.cpus}")
    print(f"{'candidate':<30} {'alone img/s':>12} {'range':>12} {'vs default':>10} {'contended':>10} {'range':>12} {'kept':>6}")
    for name in names:
        mine = [x for x in rows if x["candidate"] == name]
        solo = [x["solo"] for x in mine]
        shared = [x["contended"] for x in mine]
        bound = "<" if any(x["timed_out"] for x in mine) else " "
        print(f"{name:<30} {statistics.median(solo):12.0f} {min(solo):5.0f}-{max(solo):<6.0f} {statistics.median(solo) / base:10.2f}"
              f" {bound}{statistics.median(shared):9.0f} {min(shared):5.0f}-{max(shared):<6.0f}"
              f" {statistics.median(shared) / statistics.median(solo):6.2f}")


if __name__ == "__main__":
    main()
