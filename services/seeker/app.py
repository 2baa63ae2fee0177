"""Run with: uvicorn services.seeker.app:app --port 8102"""

from services.seeker.bootstrap import create_app
from services.seeker.core.config import settings

app = create_app(settings)
broker = app.state.service.broker
