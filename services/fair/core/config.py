from shared.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "fair"
    mongo_database: str = "talent_fair"
    http_port: int = 8105


settings = Settings()
