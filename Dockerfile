# syntax=docker/dockerfile:1
# Orbit's container: built on Node 24 LTS, run with production dependencies only, as a non-root user.
#   docker build -t orbit .      (compose.yaml builds it too)

# ---- build: all dependencies, the TypeScript build and the migrated PGlite template
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: `prepare` would build before the sources are here; argon2 ships prebuilt binaries.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY drizzle ./drizzle
RUN npm run build && npm prune --omit=dev --ignore-scripts

# ---- runtime: node, the build, production dependencies and the migrations; nothing else
FROM node:24.22.3-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/drizzle ./drizzle
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm): SIGTERM reaches Orbit's handler, which drains requests and sockets.
CMD ["node", "--max-semi-space-size=32", "dist/main.js"]
