#!/bin/bash
# install_sdk.sh DIR — installs the official MCP TypeScript SDK (the client the mcp tests
# drive magi with) into DIR (under the build tree), once: later runs find it and do nothing.
# Concurrent runs take turns on a lock. Exits 77 when node/npm are missing or npm cannot
# reach its registry (a laptop offline); CI has both.
set -u
DIR=${1:?usage: install_sdk.sh DIR}
VERSION=1.32.2
command -v node >/dev/null && command -v npm >/dev/null || { echo "node or npm missing (scripts/install-deps installs them)" >&2; exit 77; }
mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9
pkg=$DIR/node_modules/@modelcontextprotocol/sdk/package.json
if [ -f "$pkg" ] && node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' "$pkg" "$VERSION"; then
	exit 0
fi
echo "installing @modelcontextprotocol/sdk@$VERSION into $DIR" >&2
if ! npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "@modelcontextprotocol/sdk@$VERSION" >&2; then
	echo "npm could not install @modelcontextprotocol/sdk@$VERSION" >&2
	exit 77
fi
