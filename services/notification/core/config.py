from shared.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "notification"
    mongo_database: str = "talent_notification"
    http_port: int = 8104


settings = Settings()
