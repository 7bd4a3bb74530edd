# CaseDesk image: one image, the role is the command (start | web | worker --queues … | ingest | db migrate).
# TypeScript is compiled to dist/ by scripts/build.mjs (esbuild, a runtime dependency), so dev dependencies stay out.
# Build: docker build -t casedesk .        Run: see docker-compose.yml

FROM node:20-bookworm-slim AS deps
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` runs scripts/build.mjs, which has no sources to compile yet at this stage.
COPY scripts/build.mjs scripts/
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN node scripts/build.mjs && mkdir -p var && chown node:node var
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/casedesk.js"]
CMD ["start"]
