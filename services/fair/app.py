"""Run with: uvicorn services.fair.app:app --port 8105"""

from services.fair.core.config import settings
from shared.api.app import create_api
from shared.service import Service

service = Service(settings)
broker = service.broker
app = create_api(service, title="Fair service")
