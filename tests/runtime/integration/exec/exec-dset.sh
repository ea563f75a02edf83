#!/bin/sh
# exec_dset's script in tests/runtime/exec_integration.py: records its arguments, then
# prints two URIs (the two SIPp callees of the fork case) or one.
printf '%s\0' "$@" > "$EXEC_TEST_OUT/dset-args"
if [ -n "$EXEC_TEST_UAS1" ]; then
	echo "sip:first@127.0.0.1:$EXEC_TEST_UAS1"
	echo "sip:second@127.0.0.1:$EXEC_TEST_UAS2"
else
	echo "sip:done@127.0.0.1"
fi
