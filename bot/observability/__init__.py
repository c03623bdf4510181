"""Production signals: Prometheus metrics, OpenTelemetry traces, JSON logs.

The code on a message's path calls one-line hooks here (`metrics`); nothing in
``channels``, ``agents`` or ``memory`` imports this package.
"""
