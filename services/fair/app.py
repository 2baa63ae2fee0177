"""Run with: faststream run services.fair.app:app --host 127.0.0.1 --port 8105"""

from services.fair.core.config import settings
from shared.service import Service

service = Service(settings)
broker = service.broker
app = service.app
