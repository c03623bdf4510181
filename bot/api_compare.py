"""The HTTP API of /compare. SCAFFOLD: the compare helper fills this router in."""

from fastapi import APIRouter

router = APIRouter()
