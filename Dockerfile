# One image for every TaskFlow service; the command picks the bundle:
#   docker run <image> dist/services/tasks/main.js
# The stacks pass that command per service (stacks/program.ts, serviceCommand).

# Build stage: all dependencies; Vite builds the web app, esbuild bundles one file per service.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY adapters ./adapters
COPY services ./services
COPY web ./web
COPY scripts/build-services.ts scripts/build-web.ts ./scripts/
# Builds the web app (web/dist) first; the gateway's bundle carries it under assets/.
RUN npx tsx scripts/build-services.ts

# Runtime stage: Node, the bundles, and only the packages the bundles import (dist/package.json
# lists them; Pulumi, test and build tools are not among them).
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/dist/package.json ./package.json
COPY --from=build /src/package-lock.json ./package-lock.json
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist/services ./dist/services
USER node
ENTRYPOINT ["node", "--enable-source-maps"]
CMD ["dist/services/gateway/main.js"]
