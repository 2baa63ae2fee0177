"""What an operator sees of a service: JSON logs, the correlation id, Prometheus metrics."""
