#!/bin/sh
# /usr/bin/rnnlab: runs the frozen app installed in /opt/rnnlab (a script, not a symlink, so the app's folder is found
# however it is started).
exec /opt/rnnlab/rnnlab "$@"
