#!/usr/bin/env bash
# Runs ForgetLab: builds the playground and serves it on http://127.0.0.1:8080/ (PORT=… to
# change) with the default model. Installs what it needs when missing (scripts/tools.sh); the
# cargo target directory lives outside the clone, so reruns are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
exec node scripts/serve.mjs dist "${PORT:-8080}"
