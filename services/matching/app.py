"""Run with: uvicorn services.matching.app:app --port 8103"""

from services.matching.bootstrap import create_app
from services.matching.core.config import settings

app = create_app(settings, exploration_share=settings.exploration_share)
broker = app.state.service.broker
