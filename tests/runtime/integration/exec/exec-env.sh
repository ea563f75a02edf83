#!/bin/sh
# Dumps the environment it was given, NUL-separated (values may hold newlines).
env -0 > "$EXEC_TEST_OUT/env-$SIP_HF_X_OUT"
