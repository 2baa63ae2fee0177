"""Kafka adapters: the broker, topic creation, publishing and safe consumption."""
