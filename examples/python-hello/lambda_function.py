# A minimal Python function: `vajra deploy hello ./examples/python-hello --runtime python3.11`.
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    logger.info("greeting %s", name)
    return {"message": f"Hello, {name}!", "requestId": context.aws_request_id}
