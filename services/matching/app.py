"""Run with: faststream run services.matching.app:app --host 127.0.0.1 --port 8103"""

from services.matching.core.config import settings
from shared.service import Service

service = Service(settings)
broker = service.broker
app = service.app
