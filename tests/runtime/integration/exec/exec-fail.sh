#!/bin/sh
# Prints a value, then fails: exec_avp sets the AVP and returns -1.
echo partial
exit 3
