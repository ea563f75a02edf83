#!/bin/sh
# Never returns and ignores SIGTERM (so does the sleep it starts): only a SIGKILL to the
# whole process group ends it.
trap '' TERM
echo $$ > "$EXEC_TEST_OUT/hang.pid"
while :; do sleep 1000; done
