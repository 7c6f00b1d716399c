"""A hello function for Vajra's Python runtimes: greets the caller and shows the invocation's context."""
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    name = (event or {}).get("name", "world")
    logger.info("greeting %s (request %s)", name, context.aws_request_id)
    return {
        "message": f"Hello, {name}!",
        "functionName": context.function_name,
        "memoryLimitInMB": int(context.memory_limit_in_mb),
        "requestId": context.aws_request_id,
        "remainingMs": context.get_remaining_time_in_millis(),
    }
