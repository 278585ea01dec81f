# Tally's container image (docs/deploy.md). Two stages: the build stage compiles the TypeScript
# and installs production dependencies (better-sqlite3 builds its native module there when no
# prebuilt binary fits); the runtime stage holds only what `tally` runs, as the unprivileged
# `node` user, with its data in the /data volume and every setting from TALLY_* variables.

FROM node:22-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY web ./web
COPY scripts/build-web.js ./scripts/
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
RUN npx tsc -p tsconfig.build.json
# The dashboard: type-checked, then bundled by esbuild into dist/web (served at /).
RUN npx tsc -p web/tsconfig.json && node scripts/build-web.js
RUN npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    TALLY_DATA=/data \
    TALLY_HOST=0.0.0.0 \
    TALLY_PORT=3000
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/web ./dist/web
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TALLY_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini-free on purpose: tally serve handles SIGTERM itself (finishes requests, closes the store).
ENTRYPOINT ["node", "bin/tally.js"]
CMD ["serve"]
