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
#   VNS_PROFILE=kasan scripts/build-kernel.sh   the KASAN profile, built with clang-19
#   VNS_PROFILE=bench scripts/build-kernel.sh   the benchmark profile: vns.config without its debug options
#   VNS_PROFILE=prof scripts/build-kernel.sh    the bench profile plus the function tracers (profiling only)
#
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
path_only=0
if [ "${1:-}" = --path ]; then path_only=1; shift; fi
# VNS_PROFILE=kasan: vns.config + kasan.config, built with clang (Rust with KASAN needs LLVM).
profile=${VNS_PROFILE:-default}
case "$profile" in
	default) frags=("$here/kconfig/vns.config"); llvm= ;;
	kasan) frags=("$here/kconfig/vns.config" "$here/kconfig/kasan.config"); llvm=-19 ;;
	bench) frags=("$here/kconfig/vns.config" "$here/kconfig/bench.config"); llvm= ;;
	prof) frags=("$here/kconfig/vns.config" "$here/kconfig/bench.config" "$here/kconfig/prof.config"); llvm= ;;
	*) echo "kernel: error: unknown VNS_PROFILE '$profile' (default, kasan, bench or prof)" >&2; exit 2 ;;
esac
[ $# -gt 0 ] && frags=("$@")
cache=${VNS_CACHE:-$HOME/.cache/vns}
export PATH="$HOME/.cargo/bin:$PATH"
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}

say() { printf 'kernel: %s\n' "$*" >&2; }
die() { printf 'kernel: error: %s\n' "$*" >&2; exit 1; }

tarball=$(ls /usr/src/linux-source-7.3.tar.xz 2>/dev/null) || die "linux-source-7.3 is not installed (run 'make setup')"
pkgver=$(dpkg-query -W -f='${Version}' linux-source-7.3)
kver=${pkgver%%-*}
key=$( { cat "${frags[@]}"; echo "$pkgver"; rustc --version; bindgen --version; gcc --version | head -1;
	echo "llvm=$llvm"; } | sha256sum | cut -c1-12)
tree=$cache/linux-$kver-$key
makeflags=(-C "$tree" -j"$(nproc)")
if [ "$path_only" = 1 ]; then echo "$tree"; exit 0; fi
[ -n "$llvm" ] && makeflags+=(LLVM="$llvm")

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

say "configuring: tinyconfig + ${frags[*]##*/}"
make "${makeflags[@]}" -s tinyconfig >&2
"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" "$tree/.config" "${frags[@]}" >/dev/null
make "${makeflags[@]}" -s olddefconfig >&2
make "${makeflags[@]}" -s rustavailable >&2 || die "the Rust toolchain is not usable for this kernel (see above)"

# Every option the fragment asks for must have stuck (a dependency may have silently dropped it), and every
# option it turns off must be off (something may select it).
bad=0
# A later fragment overrides an earlier one (as merge_config.sh does): check each option's last value.
while IFS= read -r line; do
	grep -qx "$line" "$tree/.config" || { say "option did not stick: $line"; bad=1; }
done < <(awk -F= '/^CONFIG_[A-Z0-9_]+=/ { v[$1] = $0; if (!($1 in o)) { o[$1] = n++ } }
	END { for (k in v) if (v[k] ~ /=[ym]$/) print v[k] }' "${frags[@]}")
while IFS= read -r opt; do
	grep -q "^$opt=" "$tree/.config" && { say "option is still on: $opt"; bad=1; }
done < <(awk -F= '/^CONFIG_[A-Z0-9_]+=/ { v[$1] = $2 } END { for (k in v) if (v[k] == "n") print k }' "${frags[@]}")
[ "$bad" = 0 ] || die "the config fragment does not apply cleanly to $kver (see above)"

say "building bzImage and modules ($(nproc) jobs; about 6-10 minutes)"
start=$(date +%s)
make "${makeflags[@]}" bzImage modules >"$tree/.vns-build.log" 2>&1 || { tail -40 "$tree/.vns-build.log" >&2; die "kernel build failed (log: $tree/.vns-build.log)"; }
say "built in $(( $(date +%s) - start )) s"
touch "$tree/.vns-built"
echo "$tree"
