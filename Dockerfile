FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 MATCHMAKER_DATA_DIR=/data
COPY pyproject.toml README.md ./
COPY service ./service
COPY models ./models
COPY embeddings ./embeddings
COPY migrations ./migrations
RUN pip install --no-cache-dir .
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz').status == 200 else 1)"
CMD ["matchmaker", "serve", "--host", "0.0.0.0", "--port", "8000"]
