#!/bin/sh
# exec_msg's script: keeps the exact bytes it reads on stdin.
cat > "$EXEC_TEST_OUT/stdin-$SIP_HF_X_OUT"
