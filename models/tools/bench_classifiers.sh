#!/usr/bin/env bash
# The cost of the LiLNet classifiers (ResNet50 + LiLNet heads, random weights): ONNX Runtime Java, as the classifier
# worker runs them, against PyTorch eager (the authors' runtime) as the same-run baseline, on CPU.
#   models/tools/bench_classifiers.sh DIR [--batches 1,16] [--runs 5] [--threads 2] [--rounds 3]
# DIR gets the random-weight model directory (made by make_random_classifiers.py unless DIR/manifest.json exists).
# The two runtimes take turns for --rounds rounds and the summary keeps each one's fastest run: on a shared machine
# the neighbours' load comes and goes, and alternating keeps one runtime from getting all the quiet minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="$(cd "$here/.." && pwd)"
dir="${1:?usage: bench_classifiers.sh DIR [--batches 1,16] [--runs 5] [--threads 2] [--rounds 3]}"
shift
batches=1,16; runs=5; threads=2; rounds=3
while (( $# )); do
  case "$1" in
    --batches) batches="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
python=/usr/bin/python3

if [[ ! -f "$dir/manifest.json" ]]; then
  echo "making random-weight classifiers in $dir ..." >&2
  "$python" "$here/make_random_classifiers.py" --out "$dir" >&2
fi

classpath="$models/target/models.classpath"
echo "building the models module (mvn package, tests skipped) ..." >&2
mvn -B -q -f "$models/pom.xml" -DskipTests package dependency:build-classpath -Dmdep.outputFile="$classpath" >&2

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# baseline: PyTorch eager $("$python" -c 'import torch; print(torch.__version__)')"
: > "$dir/bench-torch.txt"; : > "$dir/bench-ort.txt"
for (( round = 1; round <= rounds; round++ )); do
  echo "# round $round of $rounds: PyTorch eager"
  "$python" "$here/bench_torch_eager.py" --batches "$batches" --runs "$runs" --threads "$threads" | tee -a "$dir/bench-torch.txt"
  echo "# round $round of $rounds: ONNX Runtime Java (CPU)"
  java -Xmx1g -cp "$models/target/classes:$(cat "$classpath")" org.lilnet.models.ClassifierCost "$dir/manifest.json" \
    --batches "$batches" --runs "$runs" --threads "$threads" | tee -a "$dir/bench-ort.txt"
done

echo "# per-image ms (fastest run of all rounds), ONNX Runtime Java vs PyTorch eager (ratio < 1: ONNX Runtime is faster)"
awk '
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
  function keep(table, key, value) { if (!(key in table) || value + 0 < table[key] + 0) table[key] = value }
  # the three roles are the same network (N changes two small matrices): "all" is the fastest of them
  $1 == "pytorch-eager" && f["per-image-ms"] != "" {
    keep(torch, f["role"] " " f["batch"], f["per-image-ms"]); keep(torch, "all " f["batch"], f["per-image-ms"]) }
  $1 == "onnxruntime-java" && f["per-image-ms"] != "" {
    keep(ort, f["role"] " " f["batch"], f["per-image-ms"]); keep(ort, "all " f["batch"], f["per-image-ms"]) }
  { delete f }
  END { for (k in ort) if (k in torch) printf "role=%s batch=%s onnxruntime-java=%.1f pytorch-eager=%.1f ratio=%.2f\n",
        substr(k, 1, index(k, " ") - 1), substr(k, index(k, " ") + 1), ort[k], torch[k], ort[k] / torch[k] }
' "$dir/bench-torch.txt" "$dir/bench-ort.txt" | sort
