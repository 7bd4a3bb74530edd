# CaseDesk image: one image, the role is the command (start | web | worker --queues … | ingest | db migrate).
# TypeScript runs through tsx (a runtime dependency), so there is no build step and dev dependencies stay out.
# Build: docker build -t casedesk .        Run: see docker-compose.yml

FROM node:20-bookworm-slim AS deps
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p var && chown node:node var
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/casedesk.js"]
CMD ["start"]
