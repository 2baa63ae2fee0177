import secrets

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The web process owns no store: it only needs where the five APIs answer.

    Environment variables: EMPLOYER_URL, SEEKER_URL, MATCHING_URL, NOTIFICATION_URL,
    FAIR_URL, HTTP_HOST, HTTP_PORT, API_TIMEOUT_SECONDS, SECURE_COOKIES (true: cookies only over
    HTTPS, as ``__Host-`` cookies; the local profile serves plain HTTP and sets it false),
    CSRF_SECRET (the key of the forms' tokens; random per process unless set, which several
    replicas behind one address need).
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    employer_url: str = "http://127.0.0.1:8101"
    seeker_url: str = "http://127.0.0.1:8102"
    matching_url: str = "http://127.0.0.1:8103"
    notification_url: str = "http://127.0.0.1:8104"
    fair_url: str = "http://127.0.0.1:8105"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8100, ge=1, le=65535)
    api_timeout_seconds: float = Field(default=10.0, gt=0)
    secure_cookies: bool = True
    csrf_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)), min_length=32
    )

    def service_urls(self) -> dict[str, str]:
        return {
            "employer": self.employer_url,
            "seeker": self.seeker_url,
            "matching": self.matching_url,
            "notification": self.notification_url,
            "fair": self.fair_url,
        }


settings = Settings()
