"""Run with: uvicorn services.matching.app:app --port 8103"""

from services.matching.core.config import settings
from shared.api.app import create_api
from shared.service import Service

service = Service(settings)
broker = service.broker
app = create_api(service, title="Matching service")
