# The benchmark's sleeping hello: it holds its instance for event["ms"] milliseconds, so every
# concurrent request needs an instance of its own (the burst and concurrency parts).
import time


def handler(event, context):
    time.sleep(event.get("ms", 0) / 1000)
    return {"hello": "world"}
