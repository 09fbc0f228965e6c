#!/usr/bin/env bash
# Stress the atomic writer: run the SIGKILL test (50 kill points, each followed at points 0 and
# 25 by a build that must complete and leave no scratch folder) and the leftover-cleanup test
# N times in a row (default 20). Not part of the default suite: it takes ~1 minute per round.
#   bash benchmarks/stress_atomic.sh [ROUNDS]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
failed=0
start=$(date +%s)
for ((i = 1; i <= rounds; i++)); do
  if python -m pytest tests/hardening/test_atomic_output.py -n 0 -p no:cacheprovider -q \
       -k "sigkill or killed_build_left" >"/tmp/slogen-stress-$i.log" 2>&1; then
    echo "round $i/$rounds: passed ($(grep -o '{.*}' "/tmp/slogen-stress-$i.log" | head -1))"
  else
    failed=$((failed + 1))
    echo "round $i/$rounds: FAILED, see /tmp/slogen-stress-$i.log"
  fi
done
echo "$((rounds - failed)) passed, $failed failed in $(( $(date +%s) - start ))s"
((failed == 0))
