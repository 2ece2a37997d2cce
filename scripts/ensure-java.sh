#!/usr/bin/env bash
# Installs a Java runtime for AWS's DynamoDB Local (used by the integration tests) when the machine has none.
set -euo pipefail
if command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-java: no Java found; install a Java 17+ runtime to run the DynamoDB Local tests (they are skipped without it)" >&2
  exit 0
fi
echo "ensure-java: installing openjdk-17-jre-headless" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
java -version
