# One image for the three services (api, bot, scheduler); compose picks the command.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STAGE=prod

RUN groupadd --system chronos && useradd --system --gid chronos --home-dir /app --shell /usr/sbin/nologin chronos
WORKDIR /app

# Dependencies first so code changes don't reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir -p shared chronos_bot api scheduler sandbox chronos_cli \
    && touch shared/__init__.py chronos_bot/__init__.py api/__init__.py scheduler/__init__.py \
       sandbox/__init__.py chronos_cli/__init__.py \
    && pip install -e . \
    && rm -rf shared chronos_bot api scheduler sandbox chronos_cli

COPY . .
# Compiled catalogs are build output, never committed: compile them into the image.
RUN pybabel compile -d translations -D messages \
    && pip install --no-deps -e . \
    && chown -R chronos:chronos /app

USER chronos
EXPOSE 8000 8443
CMD ["chronos", "--help"]
