# The benchmark's broker consumer: counts the batch's messages and, for messages whose body is a
# publish time ("t=<ns since the epoch>"), prints how long they took from publish to this handler.
import base64
import time


def handler(event, context):
    now = time.time_ns()
    bodies = []
    for msgs in event.get("rmqMessagesByQueue", {}).values():
        bodies += [base64.b64decode(m["data"]).decode() for m in msgs]
    bodies += [r.get("body", "") for r in event.get("Records", [])]
    for b in bodies:
        if b.startswith("t="):
            print("LAT", now - int(b[2:]))
    return {"n": len(bodies)}
