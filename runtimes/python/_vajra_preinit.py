# A pre-initialised sandbox: the interpreter starts before any function is known and waits here. When the
# server assigns the sandbox to a function, that function's code is already mounted at /var/task and its
# environment arrives on stdin (a line with the byte length, then NAME=value entries separated by NUL).
# Only what every function gets is loaded before the wait; nothing of one function is seen by another,
# because a sandbox is assigned once and never returned to the pool.
import os
import sys

import importlib  # noqa: F401  (the bootstrap imports the handler with it)
import json  # noqa: F401  (most handlers import it; Lambda's own runtime has it loaded too)

# The first compile() in a process sets the compiler up (about 1 ms); the handler's module, compiled
# from source in a read-only folder, then costs only its own size.
compile("def handler(event, context):\n    return {'ok': event.get('k', 1)}\n", "<preinit>", "exec")


READY_BYTE = b"\x06"  # preinit-spec.ts: tells the pool this sandbox has loaded and waits


def wait_for_assignment():
    os.write(1, READY_BYTE)
    line = sys.stdin.buffer.readline()
    if not line.strip():
        sys.exit(0)  # closed without an assignment: the pool discarded this sandbox
    data = sys.stdin.buffer.read(int(line))
    env = {}
    for item in data.split(b"\0"):
        if item:
            name, _, value = item.partition(b"=")
            env[name] = value
    os.environ.clear()
    for name, value in env.items():
        os.environb[name] = value
    # The working directory was the empty slot that the code was mounted over: enter the code itself.
    os.chdir(os.environ.get("LAMBDA_TASK_ROOT") or "/var/task")
