#!/bin/sh
# Prints the folder holding this Node's own headers (include/node beside its bin/: Debian's
# nodejs, nvm, the official tarballs) when they are of this very version, else nothing. node-gyp
# given it (npm_config_nodedir) compiles better-sqlite3 without downloading headers.
exec node -p '
	const fs = require("fs"), path = require("path")
	const dir = path.resolve(process.execPath, "../..")
	let h = ""
	try { h = fs.readFileSync(path.join(dir, "include/node/node_version.h"), "utf8") } catch {}
	const v = ["MAJOR", "MINOR", "PATCH"].map((k) => (h.match(new RegExp("define NODE_" + k + "_VERSION (\\d+)")) || [])[1]).join(".")
	v === process.versions.node ? dir : ""'
