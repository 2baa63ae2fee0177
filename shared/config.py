"""Settings every service shares, read from environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.observability.logs import LogFormat


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it in its own ``core/config.py``.

    Environment variables: KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX, MONGO_URL,
    MONGO_DATABASE, HTTP_HOST, HTTP_PORT, LOG_LEVEL, LOG_FORMAT (json or text), AUTH_SECRET (shared by all
    services; ``deploy/local/run_services.py`` generates one per machine),
    TOKEN_TTL_MINUTES, MAX_BODY_BYTES, OUTBOX_SWEEP_SECONDS, OUTBOX_FULL_SWEEP_SECONDS,
    DEPENDENCY_TIMEOUT_SECONDS (how long a request waits for the store or Kafka before answering
    503), IDEMPOTENCY_TTL_HOURS (how long an ``Idempotency-Key`` is remembered).
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    service_name: str
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field(default="talent.", pattern=r"^[A-Za-z0-9._-]*$")
    mongo_url: str = "mongodb://127.0.0.1:27017/"
    mongo_database: str
    http_host: str = "127.0.0.1"
    http_port: int = Field(ge=1, le=65535)
    log_level: str = "INFO"
    log_format: LogFormat = "json"
    auth_secret: SecretStr = Field(min_length=32)
    token_ttl_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0)
    outbox_full_sweep_seconds: float = Field(default=300.0, gt=0)
    dependency_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    idempotency_ttl_hours: float = Field(default=24.0, gt=0)

    def consumer_group(self, topic: str) -> str:
        """The Kafka consumer group of this service's subscriber to ``topic``.

        One group per service and topic, shared by the service's replicas: a
        subscriber joining or leaving then rebalances only its own topic.
        """
        return f"{self.topic_prefix}{self.service_name}.{topic}"
