#!/usr/bin/env bash
# CI step for the router images (called by .ci/run): installs the checkers from Debian if they
# are missing, builds the amd64 and arm64 Node images and verifies them (amd64 natively in a
# 256 MiB memory cgroup, arm64 under qemu). Downloads stay in
# ${XDG_CACHE_HOME:-~/.cache}/mikroclaw-images (outside the clone), so a warm run fetches nothing.
# MIKROCLAW_IMAGES overrides the set (image names: amd64,arm64,armv7,bun-amd64,bun-arm64).
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in skopeo:skopeo umoci:umoci runc:runc qemu-aarch64-static:qemu-user-static \
  qemu-arm-static:qemu-user-static dpkg-deb:dpkg; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
fi

images="${MIKROCLAW_IMAGES:-amd64,arm64}"
start=$(date +%s)
npm run --silent image -- --image "$images"
npm run --silent image:verify -- --image "$images"
echo "images ($images): built and verified in $(($(date +%s) - start)) s"
