#!/usr/bin/env bash
# Copy the npm-installed front-end assets into app/static/vendor (git-ignored). No CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
out=app/static/vendor
rm -rf "$out"
mkdir -p "$out/swagger-ui" "$out/bpmn-js"
cp node_modules/swagger-ui-dist/{swagger-ui.css,swagger-ui-bundle.js} "$out/swagger-ui/"
cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js "$out/bpmn-js/"
cp -r node_modules/bpmn-js/dist/assets "$out/bpmn-js/assets"
