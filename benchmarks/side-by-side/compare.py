"""Prints the suite/PyTorch ratio per workload and setting from the two JSON files of run.sh."""
import json
import sys

suite = {(r["Workload"], r["Setting"]): r for r in json.load(open(sys.argv[1]))}
torch = {(r["Workload"], r["Setting"]): r for r in json.load(open(sys.argv[2]))}
best_torch_train = max((r["ImagesPerSecond"] for (w, _), r in torch.items() if w == "train_step"), default=None)
print(f"{'workload':<18} {'setting':<30} {'suite img/s':>12} {'pytorch img/s':>14} {'ratio':>7}")
for key in sorted(torch, key=lambda k: (k[0], k[1])):
    t = torch[key]
    s = suite.get(key) or suite.get((key[0], key[1].split(" (")[0]))
    if s is None:
        continue
    print(f"{key[0]:<18} {key[1]:<30} {s['ImagesPerSecond']:12.0f} {t['ImagesPerSecond']:14.0f} {s['ImagesPerSecond'] / t['ImagesPerSecond']:7.2f}")
best_suite_train = max((r["ImagesPerSecond"] for (w, _), r in suite.items() if w == "train_step"), default=None)
if best_torch_train and best_suite_train:
    print(f"best training step: suite {best_suite_train:.0f} img/s vs PyTorch's best {best_torch_train:.0f} img/s "
          f"= {best_suite_train / best_torch_train:.2f}x (target 0.95x)")
print("stage ms per step (train_step), suite | pytorch:")
for key in sorted(torch):
    if key[0] != "train_step":
        continue
    s = suite.get(key) or suite.get((key[0], key[1].split(" (")[0]))
    if s is None:
        continue
    parts = [f"{k} {s['StageMs'].get(k, float('nan')):.2f} | {v:.2f}" for k, v in torch[key]["StageMs"].items()]
    print(f"  {key[1]:<30} " + "; ".join(parts))
