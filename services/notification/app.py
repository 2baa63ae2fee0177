"""Run with: faststream run services.notification.app:app --host 127.0.0.1 --port 8104"""

from services.notification.core.config import settings
from shared.service import Service

service = Service(settings)
broker = service.broker
app = service.app
