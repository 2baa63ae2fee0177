"""Run with: uvicorn services.notification.app:app --port 8104"""

from services.notification.bootstrap import create_app
from services.notification.core.config import settings

app = create_app(settings)
broker = app.state.service.broker
