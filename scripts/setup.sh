#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing vns needs on a Debian 12 (bookworm) machine, and nothing more.
# Idempotent: a second run checks and returns in seconds. Run as root (or with sudo available).
#
#   scripts/setup.sh            everything (kernel build, QEMU, Rust targets, bindgen)
#
set -euo pipefail

BINDGEN_VERSION=0.71.1
VIRTME_NG_VERSION=1.42
top=$(cd "$(dirname "$0")/.." && pwd)
LLVM_VERSION=19

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "run as root (apt-get and the apt sources need it)"
	SUDO=sudo
fi

[ -r /etc/os-release ] && . /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] || say "warning: this is written for Debian 12 (bookworm), found '${VERSION_CODENAME:-unknown}'"

# --- apt suites -------------------------------------------------------------------------------------------
# linux-source-7.3 is only in trixie-backports; qemu-system 10.0 (matching the preinstalled qemu-utils 10.0)
# is in bookworm-backports. Backports suites are NotAutomatic: nothing else is upgraded from them.
# Trixie main is deliberately NOT added (it would upgrade libc and much more).
add_suite() {
	local file=$1 suite=$2
	if [ ! -f "$file" ] || ! grep -q "Suites: $suite\$" "$file"; then
		say "adding apt suite $suite ($file)"
		$SUDO tee "$file" >/dev/null <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
		NEED_UPDATE=1
	fi
}
NEED_UPDATE=0
add_suite /etc/apt/sources.list.d/vns-trixie-backports.sources trixie-backports
add_suite /etc/apt/sources.list.d/vns-bookworm-backports.sources bookworm-backports

# --- Debian packages --------------------------------------------------------------------------------------
PKGS_MAIN=(bc bison flex libelf-dev libssl-dev cpio xz-utils make gcc python3 busybox-static
	   "libclang-${LLVM_VERSION}-dev" "clang-${LLVM_VERSION}" "lld-${LLVM_VERSION}" "llvm-${LLVM_VERSION}" python3-docutils
	   dkms kmod python3-venv)
PKGS_BPO=(qemu-system-x86 qemu-system-arm)
PKGS_TBPO=(linux-source-7.3)

missing=()
for p in "${PKGS_MAIN[@]}" "${PKGS_BPO[@]}" "${PKGS_TBPO[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing: ${missing[*]}"
	if [ "$NEED_UPDATE" = 1 ] || [ -z "$(find /var/lib/apt/lists -name '*backports*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
		$SUDO apt-get update -q || die "apt-get update failed"
	fi
	export DEBIAN_FRONTEND=noninteractive
	main=() bpo=() tbpo=()
	for p in "${missing[@]}"; do
		case " ${PKGS_BPO[*]} " in *" $p "*) bpo+=("$p"); continue;; esac
		case " ${PKGS_TBPO[*]} " in *" $p "*) tbpo+=("$p"); continue;; esac
		main+=("$p")
	done
	[ ${#main[@]} -eq 0 ] || $SUDO apt-get install -y -q --no-install-recommends "${main[@]}" \
		|| die "could not install ${main[*]}"
	[ ${#bpo[@]} -eq 0 ] || $SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports "${bpo[@]}" \
		|| die "could not install ${bpo[*]} from bookworm-backports"
	[ ${#tbpo[@]} -eq 0 ] || $SUDO apt-get install -y -q --no-install-recommends -t trixie-backports "${tbpo[@]}" \
		|| die "could not install ${tbpo[*]} from trixie-backports (is the suite reachable?)"
else
	say "Debian packages: all present"
fi

# --- Rust ---------------------------------------------------------------------------------------------------
command -v rustup >/dev/null || [ -x "$HOME/.cargo/bin/rustup" ] || die "rustup not found (the machine's Rust toolchain is installed with rustup)"
export PATH="$HOME/.cargo/bin:$PATH"
rustup component list --installed 2>/dev/null | grep -q '^rust-src' || { say "rustup: adding rust-src"; rustup component add rust-src; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || { say "rustup: adding clippy"; rustup component add clippy; }
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || { say "rustup: adding rustfmt"; rustup component add rustfmt; }
rustup target list --installed | grep -q '^thumbv7em-none-eabihf$' || { say "rustup: adding thumbv7em-none-eabihf"; rustup target add thumbv7em-none-eabihf; }
rustup target list --installed | grep -q '^x86_64-unknown-linux-musl$' || { say "rustup: adding x86_64-unknown-linux-musl"; rustup target add x86_64-unknown-linux-musl; }

if ! bindgen --version 2>/dev/null | grep -q " $BINDGEN_VERSION\$"; then
	say "cargo: installing bindgen-cli $BINDGEN_VERSION (about 2 minutes)"
	LIBCLANG_PATH=/usr/lib/llvm-${LLVM_VERSION}/lib cargo install -q bindgen-cli --version "$BINDGEN_VERSION" --locked \
		|| die "cargo install bindgen-cli failed"
fi

# --- virtme-ng, from PyPI into the project's virtualenv (make vng, scripts/vng-run.sh) -------------------
if ! "$top/.venv/bin/vng" --version 2>/dev/null | grep -q " $VIRTME_NG_VERSION\$"; then
	say "pip: installing virtme-ng $VIRTME_NG_VERSION into $top/.venv"
	python3 -m venv "$top/.venv" || die "python3 -m venv failed"
	"$top/.venv/bin/pip" install -q --disable-pip-version-check "virtme-ng==$VIRTME_NG_VERSION" \
		|| die "pip install virtme-ng failed"
fi

say "ready: rustc $(rustc --version | cut -d' ' -f2), bindgen $(bindgen --version | cut -d' ' -f2), \
$(qemu-system-x86_64 --version | head -1 | cut -d' ' -f1-4), $("$top/.venv/bin/vng" --version), linux-source $(ls /usr/src/linux-source-7.3.tar.* 2>/dev/null | head -1)"
