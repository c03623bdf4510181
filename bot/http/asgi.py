"""The ASGI app for uvicorn and other servers: ``uvicorn bot.http.asgi:app``."""

from agents.privacy.log_masking import install_log_masking
from bot.http.app import create_app
from bot.observability import tracing
from bot.settings import get_settings

# Phone numbers, e-mails and card numbers never reach a log line, whoever logs them.
install_log_masking()
# OTEL_* may ask for traces: set up in each uvicorn worker process, before the app.
tracing.configure(trace_content=get_settings().trace_content)
app = create_app()
