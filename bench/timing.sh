# Shared timing helpers for the bench/ scripts (sourced, not run).
# time_runs N CMD...: total nanoseconds of N runs of CMD. With perf available,
# `perf stat -r` times each exec directly (less noise than a shell loop,
# which adds its own fork and redirection to every run).
time_runs() {
  local iterations=$1; shift
  if command -v perf >/dev/null 2>&1 && perf stat -r 1 true >/dev/null 2>&1; then
    local seconds
    seconds=$(perf stat -r "$iterations" -- "$@" 2>&1 >/dev/null \
              | awk '/seconds time elapsed/ {print $1}')
    awk -v s="$seconds" -v n="$iterations" 'BEGIN { printf "%d\n", s * n * 1e9 }'
    return
  fi
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < iterations; i++)); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo $((end - start))
}

# median VALUES...: the middle value (upper middle for an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# build_noop DIR: compiles a static no-op program, the floor of starting any
# process on this machine, and prints its path.
build_noop() {
  printf 'int main(void) { return 0; }\n' > "$1/noop.c"
  cc -O2 -static -o "$1/noop" "$1/noop.c"
  echo "$1/noop"
}
