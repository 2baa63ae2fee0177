from shared.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "seeker"
    mongo_database: str = "talent_seeker"
    http_port: int = 8102


settings = Settings()
