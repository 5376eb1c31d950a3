"""Results + environment -> findings; what ``harness triage`` needs before it reads."""

# `harness triage` streams logs at least this big (~30k results); here, not in stream.py,
# so a small input does not import the streaming machinery to learn it is small.
STREAM_BYTES = 4 << 20
