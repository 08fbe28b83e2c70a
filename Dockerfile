# syntax=docker/dockerfile:1
#
# Gatehouse container image.
#   docker build -t gatehouse .
#   docker run --env-file .env -e DATABASE_URL=postgres://... -p 8000:8000 gatehouse
# See docs/deployment.md. scripts/check-deployment.sh reproduces both stages without a Docker
# engine (same COPY list, same npm flags, same start and health-check commands).

ARG NODE_VERSION=24

# ---- build: all dependencies, compile TypeScript to dist/ ----------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Install scripts are skipped on purpose: none is needed (bcrypt 6 loads its bundled prebuilt
# binary), and some would reach out to the network (telemetry) during the build.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The admin console (console/, built by vite into dist/console and served at /console).
COPY console ./console
RUN npm run build

# ---- runtime: production dependencies and compiled code only --------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NO_COLOR=1 \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
# --omit=optional leaves out embedded-postgres's PostgreSQL binaries (60 MB, a development
# convenience): the app only imports that package when DATABASE_URL is unset, and here it is always set.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The operator CLI on PATH: `docker compose exec api gatehouse users list` (docs/operations.md).
COPY bin ./bin
RUN ln -s /app/bin/gatehouse.js /usr/local/bin/gatehouse
# Code and dependencies stay owned by root and read-only for the app; it writes nothing to disk when
# DATABASE_URL is set. The image's unprivileged `node` user (uid 1000) runs it.
USER node
EXPOSE 8000
# /health answers 200 when the database answers, 503 otherwise. Node's fetch: no curl in slim images.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (closes the HTTP server and the pool, then exits 0).
# The heap flag, the same as package.json's start:prod (which `npm run bench` reads; see
# docs/performance.md, Memory). --max-semi-space-size=8: a 16 MB young generation instead of V8's
# 32 MB: the idle RSS of 2 MB semi-spaces, without their cost under load (premature promotion).
# The old generation's growing factor is set by the app itself once it listens
# (src/common/serving-heap.ts): on the command line it would slow start-up too.
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
