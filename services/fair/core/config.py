from pydantic import Field

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Adds PLANNER_INTERVAL_SECONDS (how often upcoming fairs and due schedules are checked)
    and SCHEDULE_SOLVER_SECONDS (the improvement budget of a scheduling run, in solver time)."""

    service_name: str = "fair"
    mongo_database: str = "talent_fair"
    http_port: int = 8105
    planner_interval_seconds: float = Field(default=60.0, gt=0)
    schedule_solver_seconds: float = Field(default=30.0, ge=0)


settings = Settings()
