#!/bin/bash
# slurm-array.sh — a magi eval spread over a Slurm job array, one shard per array task.
#
#   sbatch --array=0-7 examples/eval/slurm-array.sh        # 8 shards
#   # when all are done (or as a dependent job: sbatch --dependency=afterok:JOBID ...):
#   magi eval merge --out evals/run/all evals/run/shard-*
#
# Each task runs `magi eval run` on the shard Slurm gives it (magi reads SLURM_ARRAY_TASK_ID
# and SLURM_ARRAY_TASK_COUNT itself), with --jobs workers on its cores, and --resume so that
# a requeued or preempted task (sbatch --requeue) finishes what it started instead of
# starting over. Point MAGI_BASE_URL at a vLLM or SGLang server every node can reach
# (docs/eval.md), or set MAGI_CONFIG to a magi.yaml naming the models.
#SBATCH --job-name=magi-eval
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=magi-eval-%A_%a.log
set -euo pipefail
SUITE=${SUITE:-data/screenspot-pro/annotations/screenspot_pro.json}
RECIPE=${RECIPE:-screenseeker}
OUT=${OUT:-evals/run}
MAGI=${MAGI:-magi}
: "${SLURM_ARRAY_TASK_ID:?submit with sbatch --array=0-N}"
export OMP_THREAD_LIMIT=1   # Tesseract: one thread per worker is faster on shared cores
exec "$MAGI" eval run "$SUITE" --recipe "$RECIPE" --jobs "${SLURM_CPUS_PER_TASK:-2}" \
	--out "$OUT/shard-$SLURM_ARRAY_TASK_ID" --resume ${EXTRA_ARGS:-}
