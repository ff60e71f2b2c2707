# The API against a real MongoDB replica set: set OPD_MONGODB_URI when running it.
FROM python:3.13-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY opd_graphql ./opd_graphql
RUN pip install --no-cache-dir . \
    && useradd --system --create-home --uid 10001 opd

USER opd
ENV OPD_DB_NAME=opd
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["opd-graphql", "serve", "--host", "0.0.0.0", "--port", "8000"]
