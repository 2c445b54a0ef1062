"""Prints the suite/PyTorch ratio per workload and setting from the JSON files of run.sh.

A suite setting "X+flat_sgd" is compared with PyTorch's "X" (whose SGD is already multi-tensor on CUDA). With several
rounds of the same workload and setting (run.sh --rounds), each side's median is compared and the range is shown.
The pipeline workloads (pipeline_train, pipeline_eval) pair by their "decode_threads=N" setting.
"""
import json
import statistics
import sys


def medians(rows):
    """One row per (workload, setting): the median img/s, with the rounds' range and count."""
    groups = {}
    for r in rows:
        groups.setdefault((r["Workload"], r["Setting"]), []).append(r)
    out = []
    for group in groups.values():
        rates = sorted(r["ImagesPerSecond"] for r in group)
        row = dict(min(group, key=lambda r: abs(r["ImagesPerSecond"] - statistics.median(rates))))
        row.update(ImagesPerSecond=statistics.median(rates), Range=(rates[0], rates[-1]), Rounds=len(rates))
        out.append(row)
    return out


suite = medians(json.load(open(sys.argv[1])))
torch = {(r["Workload"], r["Setting"]): r for r in medians(json.load(open(sys.argv[2])))}


def twin(r):
    return torch.get((r["Workload"], r["Setting"])) or torch.get((r["Workload"], r["Setting"].replace("+flat_sgd", "")))


def spread(r):
    return f"{r['Range'][0]:.0f}-{r['Range'][1]:.0f}" if r["Rounds"] > 1 else ""


print(f"{'workload':<18} {'suite setting':<30} {'suite img/s':>12} {'range':>12} {'pytorch img/s':>14} {'range':>12} {'ratio':>7}"
      f"  (medians of {max(r['Rounds'] for r in suite)} round(s))")
for s in sorted(suite, key=lambda r: (r["Workload"], r["Setting"])):
    t = twin(s)
    if t:
        print(f"{s['Workload']:<18} {s['Setting']:<30} {s['ImagesPerSecond']:12.0f} {spread(s):>12} {t['ImagesPerSecond']:14.0f} "
              f"{spread(t):>12} {s['ImagesPerSecond'] / t['ImagesPerSecond']:7.2f}")
for (w, setting), t in sorted(torch.items()):
    if "(foreach" in setting:
        print(f"{w:<18} {'pytorch ' + setting:<30} {'':>12} {t['ImagesPerSecond']:14.0f}")
train = lambda rows: max((r["ImagesPerSecond"] for r in rows if r["Workload"] == "train_step"), default=None)
best_suite, best_torch = train(suite), train(torch.values())
if best_suite and best_torch:
    print(f"best training step: suite {best_suite:.0f} img/s vs PyTorch's best {best_torch:.0f} img/s "
          f"= {best_suite / best_torch:.2f}x (target 0.95x)")
for w in ("pipeline_train", "pipeline_eval"):
    s, t = next(((r, twin(r)) for r in suite if r["Workload"] == w and r["Setting"] == "decode_threads=1"), (None, None))
    if s and t:
        print(f"{w} per core: suite {s['ImagesPerSecond']:.0f} img/s vs torchvision + PIL {t['ImagesPerSecond']:.0f} img/s "
              f"= {s['ImagesPerSecond'] / t['ImagesPerSecond']:.2f}x (target 1.0x)")
if not any(r["Workload"] == "train_step" for r in suite):
    sys.exit(0)
print("train_step ms per step and stage, suite | pytorch:")
for s in suite:
    t = twin(s)
    if s["Workload"] == "train_step" and t:
        print(f"  {s['Setting']:<30} " + "; ".join(
            f"{k} {s['StageMs'].get(k, float('nan')):.2f} | {v:.2f}" for k, v in t["StageMs"].items()))
