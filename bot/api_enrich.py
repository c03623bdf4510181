"""The HTTP API of /enrich. SCAFFOLD: the enrich helper fills this router in."""

from fastapi import APIRouter

router = APIRouter()
