# syntax=docker/dockerfile:1
#
# adobe-status-exporter container image.
#
#   docker build -t adobe-status-exporter:<version> .
#   docker run --rm -p 9720:9720 adobe-status-exporter:<version> serve --demo
#
# Stage 1 builds the wheel and installs it, with its dependencies (binary wheels from PyPI,
# so no compiler is needed), into a virtualenv in /opt/venv. Stage 2 copies only that
# virtualenv onto the same slim Python base and runs it as the unprivileged uid 10001 (the
# uid the Helm chart's securityContext expects).

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY exporter/ exporter/

RUN pip wheel --no-deps --wheel-dir /wheels . \
    && python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --no-compile /wheels/*.whl \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM ${PYTHON_IMAGE} AS runtime

ARG PYTHON_IMAGE
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="adobe-status-exporter" \
      org.opencontainers.image.description="Prometheus exporter for the Adobe Status API: per-product and per-region incident and maintenance state." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"

RUN groupadd --system --gid 10001 exporter \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin exporter

COPY --from=build /opt/venv /opt/venv

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 10001
EXPOSE 9720
ENTRYPOINT ["adobe-status-exporter"]
CMD ["serve"]
