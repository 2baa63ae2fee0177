"""Run with: faststream run services.seeker.app:app --host 127.0.0.1 --port 8102"""

from services.seeker.core.config import settings
from shared.service import Service

service = Service(settings)
broker = service.broker
app = service.app
