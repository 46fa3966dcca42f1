#!/usr/bin/env bash
# Packages the playground for any static host (a GitHub Pages site, a course's web space, a USB
# stick): builds it (scripts/build-web.sh) and writes
#   site/forgetlab/       the folder to upload, as it is, to any path of any web server
#   site/forgetlab.zip    the same folder, zipped
# Every URL inside is relative to the page and nothing is fetched from elsewhere, so the folder
# works wherever it lands (tests/e2e/hosting.test.mjs serves it under /a/sub/path/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
rm -rf site && mkdir -p site/forgetlab
cp -r dist/. site/forgetlab/
# The zip: Node's zlib (installed with the tools) writes it, so no `zip` package is needed.
node scripts/zip.mjs site/forgetlab site/forgetlab.zip
echo "==> site/forgetlab/ ($(du -sh site/forgetlab | cut -f1)) and site/forgetlab.zip ($(du -h site/forgetlab.zip | cut -f1)): upload either"
