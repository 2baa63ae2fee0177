"""The one way a service builds its Kafka broker."""

import logging

from faststream.kafka import KafkaBroker
from faststream.middlewares import AckPolicy

from shared.config import ServiceSettings

# Acknowledge (commit) only after the handler and its writes finished; on an
# unhandled error, seek back so the message is redelivered. FastStream's default,
# ACK_FIRST, commits before the handler runs: a crash would lose the message.
ACK_POLICY = AckPolicy.NACK_ON_ERROR

# Seconds a stopping service waits for in-flight handlers to finish and commit.
GRACEFUL_TIMEOUT_S = 30.0


def create_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        allow_auto_create_topics=False,
        ack_policy=ACK_POLICY,
        graceful_timeout=GRACEFUL_TIMEOUT_S,
        # A plain logger, so FastStream's lines go through the service's log format
        # (its default one writes coloured text to stdout).
        logger=logging.getLogger("faststream.kafka"),
    )
