from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from services.notification.domain.webhook_policy import WebhookPolicy
from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Read when the app is built (``app.py``), so tests can build their own.

    Also SMTP_HOST, SMTP_PORT, SMTP_SENDER, SMTP_TIMEOUT_SECONDS, WEBHOOK_TIMEOUT_SECONDS,
    WEBHOOK_REQUIRE_HTTPS, WEBHOOK_ALLOWED_HOSTS (comma-separated host names, addresses and CIDR
    networks that webhooks may reach although internal), DELIVERY_POLL_SECONDS, DELIVERY_ATTEMPTS,
    RETRY_FIRST_SECONDS, RETRY_MULTIPLIER, SSE_POLL_SECONDS."""

    service_name: str = "notification"
    mongo_database: str = "talent_notification"
    http_port: int = 8104
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_sender: str = "talentfair <notifications@talentfair.example.cn>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_require_https: bool = True
    webhook_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    delivery_poll_seconds: float = Field(default=1.0, gt=0)
    delivery_attempts: int = Field(default=5, ge=1, le=20)
    retry_first_seconds: float = Field(default=30.0, ge=0)
    retry_multiplier: float = Field(default=4.0, ge=1)
    sse_poll_seconds: float = Field(default=1.0, gt=0)

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return (
            [entry.strip() for entry in value.split(",") if entry.strip()]
            if isinstance(value, str)
            else value
        )

    @model_validator(mode="after")
    def _valid_allow_list(self) -> Self:
        self.webhook_policy()
        return self

    def webhook_policy(self) -> WebhookPolicy:
        return WebhookPolicy.allowing(self.webhook_allowed_hosts, require_https=self.webhook_require_https)
