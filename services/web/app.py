"""``uvicorn services.web.app:app``: the web front end on HTTP_PORT (8100)."""

from services.web.bootstrap import create_app
from services.web.core.config import settings

app = create_app(settings)
