"""Store adapters: the service's MongoDB-wire database, its inbox of processed events."""
