from pydantic import Field

from services.matching.domain.policy import EXPLORATION_SHARE
from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Adds EXPLORATION_SHARE: the chance each daily push goes to a match just beyond the top."""

    service_name: str = "matching"
    mongo_database: str = "talent_matching"
    http_port: int = 8103
    exploration_share: float = Field(default=EXPLORATION_SHARE, ge=0, le=0.5)


settings = Settings()
