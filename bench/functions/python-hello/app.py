# The benchmark's Python hello: the least a function can do, so the platform's cost is what is measured.
def handler(event, context):
    return {"hello": event.get("name", "world")}
