"""The trace context a Python function sees: the X-Ray header Lambda gives it (_X_AMZN_TRACE_ID) and its W3C
form (Vajra's TRACEPARENT), so a request the function sends onward continues the trace under the handler span."""
import os


def traceparent(xray):
    """`Root=1-a-b;Parent=p;Sampled=s` as `00-ab-p-0s`; None when the header lacks a Root or a Parent."""
    if not xray:
        return None
    fields = dict(p.split("=", 1) for p in xray.split(";") if "=" in p)
    root = fields.get("Root", "").split("-")
    parent = fields.get("Parent", "")
    if len(root) != 3 or len(root[1]) != 8 or len(root[2]) != 24 or len(parent) != 16:
        return None
    return "00-%s%s-%s-%s" % (root[1], root[2], parent, "01" if fields.get("Sampled") == "1" else "00")


def set_environment(xray):
    """Sets (or clears) both variables for the invocation about to run."""
    if xray:
        os.environ["_X_AMZN_TRACE_ID"] = xray
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    w3c = traceparent(xray)
    if w3c:
        os.environ["TRACEPARENT"] = w3c
    else:
        os.environ.pop("TRACEPARENT", None)
