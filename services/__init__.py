"""The five services: each its own process, store and consumer group."""
