from shared.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "matching"
    mongo_database: str = "talent_matching"
    http_port: int = 8103


settings = Settings()
