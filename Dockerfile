# syntax=docker/dockerfile:1
#
# Gatehouse on the official Node 24 image. Node 24 runs the TypeScript sources
# directly (type stripping), so there is no compile step and no build output:
#
#   deps     `npm ci --omit=dev`: production dependencies only. A compiler is
#            at hand in case a native addon (argon2) has no prebuilt binary
#            for the platform; it stays in this stage.
#   runtime  the image that runs: those node_modules, package.json (for
#            "type": "module"), src/ and views/. No compiler, no npm cache,
#            no dev tools. The project's devDependency `node` (which pins
#            Node 24 for npm scripts) is not installed: the image's own node
#            runs the server.
#
# docker-compose.yml builds this image; test/deploy/docker-files.test.ts
# checks this file (no Docker daemon is needed for that).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Owned by root: the server's user reads its code but cannot rewrite it.
# DATA_DIR (the embedded database, used only when DATABASE_URL is unset) is
# the one directory it can write.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
COPY views ./views
RUN mkdir -p /app/data && chown node:node /app/data
# The unprivileged user the official image provides (uid 1000).
USER node
EXPOSE 3000
# /health answers while the process runs (API.md, "Operations"); /ready would
# also report the database, which is the database's own healthcheck's job.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself, so shutdown is graceful.
CMD ["node", "src/main.ts"]
