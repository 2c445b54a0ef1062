#!/usr/bin/env bash
# Side by side with PyTorch on this machine, in one run: a ResNet-18 training step and inference at batch 64,
# 224 px, and one pruning iteration on a fixed random set, at three speed settings; prints the ratios.
#   benchmarks/side-by-side/run.sh [--pin CPUS] [--rounds N] [--device cpu|cuda] [--arch A] [--width W] [--batch N]
#                                  [--size PX] [--steps N] [--images N] [--threads N] [--settings S] [--workloads W]
# --pin runs both sides under `taskset -c CPUS`; --rounds N interleaves N rounds (suite, PyTorch, suite, ...) and
# compare.py reports medians, so that a noisy machine is sampled alike on both sides. --threads goes to both.
# The data pipeline instead (JPEG decode + RandomResizedCrop/flip or Resize/CenterCrop into batches of 32,
# torchvision + PIL on the PyTorch side, the same JPEGs written by the suite first):
#   benchmarks/side-by-side/run.sh --workloads pipeline [--decode-threads N] [--pipeline-images N] [--pipeline-dir DIR]
# REPRO (default: dotnet harness/Repro.Cli/bin/Release/net10.0/repro.dll) and PYTHON (default: python3) say
# how to start each side; on Debian use PYTHON=/usr/bin/python3 for the packaged torch. PYTORCH_ARGS go to
# the PyTorch side only (e.g. "--threads 2" to match the suite's one thread per core on a CPU).
# FOREACH_OFF=1 also times PyTorch with its per-parameter SGD. OUT_DIR keeps the JSON files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT_DIR:-$(mktemp -d)}
mkdir -p "$out"
repro=${REPRO:-dotnet $here/../../harness/Repro.Cli/bin/Release/net10.0/repro.dll}
python=${PYTHON:-python3}
pin=() rounds=1 args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --pin) pin=(taskset -c "$2"); shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
suite_files=() torch_files=()
for r in $(seq 1 "$rounds"); do
  "${pin[@]}" $repro speed --json "$out/suite-$r.json" "${args[@]}"
  "${pin[@]}" $python "$here/pytorch_side_by_side.py" --json "$out/pytorch-$r.json" ${PYTORCH_ARGS:-} "${args[@]}"
  suite_files+=("$out/suite-$r.json") torch_files+=("$out/pytorch-$r.json")
done
$python - "$out/suite.json" "${suite_files[@]}" <<'PY'
import json, sys
json.dump([row for f in sys.argv[2:] for row in json.load(open(f))], open(sys.argv[1], "w"), indent=2)
PY
$python - "$out/pytorch.json" "${torch_files[@]}" <<'PY'
import json, sys
json.dump([row for f in sys.argv[2:] for row in json.load(open(f))], open(sys.argv[1], "w"), indent=2)
PY
if [ "${FOREACH_OFF:-0}" = 1 ]; then
  "${pin[@]}" $python "$here/pytorch_side_by_side.py" --json "$out/pytorch-foreach-off.json" --foreach off --settings tf32+channels_last "${args[@]}"
  python3 - "$out/pytorch.json" "$out/pytorch-foreach-off.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
json.dump(a + b, open(sys.argv[1], "w"), indent=2)
PY
fi
$python "$here/compare.py" "$out/suite.json" "$out/pytorch.json" | tee "$out/ratios.txt"
