#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the vns test kernel: Debian's linux-source-7.3, `make tinyconfig` plus scripts/kconfig/vns.config.
# The tree lives outside the work tree, under $VNS_CACHE (default ~/.cache/vns), in a directory keyed by the
# kernel version, the config fragment and the toolchain, and is reused while they match. It must stay where it
# was built (a moved tree breaks Rust module builds). Prints the tree's path as its last line.
#
#   scripts/build-kernel.sh [fragment]    (default: scripts/kconfig/vns.config)
#   scripts/build-kernel.sh --path [fragment]   print the tree's path only (no build)
#   LLVM=1 scripts/build-kernel.sh scripts/kconfig/kasan.config     a clang-built profile
#
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
path_only=0
if [ "${1:-}" = --path ]; then path_only=1; shift; fi
frag=${1:-$here/kconfig/vns.config}
cache=${VNS_CACHE:-$HOME/.cache/vns}
llvm=${LLVM:-}
export PATH="$HOME/.cargo/bin:$PATH"
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}

say() { printf 'kernel: %s\n' "$*" >&2; }
die() { printf 'kernel: error: %s\n' "$*" >&2; exit 1; }

tarball=$(ls /usr/src/linux-source-7.3.tar.xz 2>/dev/null) || die "linux-source-7.3 is not installed (run 'make setup')"
pkgver=$(dpkg-query -W -f='${Version}' linux-source-7.3)
kver=${pkgver%%-*}
key=$( { cat "$frag"; echo "$pkgver"; rustc --version; bindgen --version; gcc --version | head -1; echo "llvm=$llvm"; } \
	| sha256sum | cut -c1-12)
tree=$cache/linux-$kver-$key
makeflags=(-C "$tree" -j"$(nproc)")
if [ "$path_only" = 1 ]; then echo "$tree"; exit 0; fi
[ -n "$llvm" ] && makeflags+=(LLVM=-19 )

if [ -f "$tree/.vns-built" ]; then
	say "reusing $tree"
	echo "$tree"
	exit 0
fi

mkdir -p "$cache"
if [ ! -f "$tree/Makefile" ]; then
	say "unpacking linux-source $pkgver into $tree"
	rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
	tar -xf "$tarball" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
fi

say "configuring: tinyconfig + $(basename "$frag")"
make "${makeflags[@]}" -s tinyconfig >&2
"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "$frag" >/dev/null
make "${makeflags[@]}" -s olddefconfig >&2
make "${makeflags[@]}" -s rustavailable >&2 || die "the Rust toolchain is not usable for this kernel (see above)"

# Every option the fragment asks for must have stuck (a dependency may have silently dropped it).
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=y|CONFIG_*=m) ;; *) continue;; esac
	grep -qx "$line" "$tree/.config" || { say "option did not stick: $line"; bad=1; }
done < "$frag"
[ "$bad" = 0 ] || die "the config fragment does not apply cleanly to $kver (see above)"

say "building bzImage and modules ($(nproc) jobs; about 6-10 minutes)"
start=$(date +%s)
make "${makeflags[@]}" bzImage modules >"$tree/.vns-build.log" 2>&1 || { tail -40 "$tree/.vns-build.log" >&2; die "kernel build failed (log: $tree/.vns-build.log)"; }
say "built in $(( $(date +%s) - start )) s"
touch "$tree/.vns-built"
echo "$tree"
