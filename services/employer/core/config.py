from shared.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "employer"
    mongo_database: str = "talent_employer"
    http_port: int = 8101


settings = Settings()
