#!/bin/sh
# exec_avp's script: two values with trailing blanks, an empty line (skipped), a third.
printf 'first value  \r\n\nsecond\t\nthird\n'
