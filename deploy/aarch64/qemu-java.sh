#!/usr/bin/env bash
# An AArch64 Java on this x86-64 machine, under QEMU's user-mode emulator: for checking that the engine computes the
# same bits on AArch64 as on x86 at the same vector width (docs/portability.md). Changes nothing outside DIR.
#
#   deploy/aarch64/qemu-java.sh [DIR]   prints the path of DIR/java, a launcher: DIR/java -version
#
# What it does, once (a second call only prints the path): downloads Debian's qemu-user-static (amd64) and the arm64
# OpenJDK 17 runtime with the C libraries it needs, with apt-get download against a private package list for arm64
# (no root, no dpkg --add-architecture, the system's apt state untouched), and unpacks them into DIR/root. DIR/java
# runs DIR/root's java under qemu-aarch64-static with DIR/root as the library prefix; QEMU_CPU picks the emulated
# CPU: neoverse-n1 (the default: NEON, 128-bit vectors, 4 float lanes), "max,sve-default-vector-length=32" (SVE 256-bit,
# 8 lanes), a64fx (SVE 512-bit, 16 lanes). Floating point under QEMU is its exact IEEE emulation, fused multiply-adds
# included, so the bits are the hardware's; the speed is not (5-20x slower than native).
# Needs apt-get, dpkg-deb and Debian's mirrors (the sources of /etc/apt). Default DIR: ~/.cache/mtdtl/aarch64.
# Exit status 0 and the path on stdout, or 1 with the reason on stderr.
set -uo pipefail
DIR=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/mtdtl/aarch64}
say() { echo "qemu-java: $*" >&2; }
die() { say "$*"; exit 1; }
JAVA_REL=usr/lib/jvm/java-17-openjdk-arm64/bin/java
if [ -x "$DIR/java" ] && [ -x "$DIR/root/$JAVA_REL" ] && [ -x "$DIR/root/usr/bin/qemu-aarch64-static" ]; then
  echo "$DIR/java"; exit 0
fi
command -v apt-get >/dev/null 2>&1 || die "no apt-get on this machine"
command -v dpkg-deb >/dev/null 2>&1 || die "no dpkg-deb on this machine"
[ "$(uname -m)" = x86_64 ] || die "this script emulates AArch64 on x86-64; this machine is $(uname -m)"
mkdir -p "$DIR" || die "cannot create $DIR"
TMP=$(mktemp -d "$DIR/.work.XXXXXX") || die "cannot write in $DIR"
trap 'rm -rf "$TMP"' EXIT
apt_private() {   # apt-get with its own lists, status and cache under $TMP/$1, for architecture $1
  local a=$1; shift
  mkdir -p "$TMP/$a/lists/partial" "$TMP/$a/cache/archives/partial" && touch "$TMP/$a/status"
  apt-get -q -o APT::Architecture="$a" -o APT::Architectures::="$a" -o Dir::State::Lists="$TMP/$a/lists" \
    -o Dir::State::status="$TMP/$a/status" -o Dir::Cache="$TMP/$a/cache" -o Debug::NoLocking=1 "$@"
}
mkdir -p "$TMP/debs" && cd "$TMP/debs" || die "cannot use $TMP"
say "downloading the arm64 OpenJDK 17 runtime and qemu-user-static (apt-get download) ..."
apt_private arm64 update >"$TMP/apt.log" 2>&1 || die "apt-get update (arm64) failed: $(tail -3 "$TMP/apt.log")"
apt_private arm64 download openjdk-17-jre-headless libc6 zlib1g libgcc-s1 libstdc++6 >>"$TMP/apt.log" 2>&1 \
  || die "apt-get download (arm64) failed: $(tail -3 "$TMP/apt.log")"
apt_private amd64 update >>"$TMP/apt.log" 2>&1 || die "apt-get update (amd64) failed: $(tail -3 "$TMP/apt.log")"
apt_private amd64 download qemu-user-static >>"$TMP/apt.log" 2>&1 \
  || die "apt-get download qemu-user-static failed: $(tail -3 "$TMP/apt.log")"
rm -rf "$DIR/root" && mkdir -p "$DIR/root" || die "cannot create $DIR/root"
for d in "$TMP"/debs/*.deb; do
  dpkg-deb -x "$d" "$DIR/root" || die "cannot unpack $d"
done
[ -x "$DIR/root/$JAVA_REL" ] || die "the runtime has no $JAVA_REL"
cat >"$DIR/java.tmp" <<JAVA
#!/usr/bin/env bash
# AArch64 java under qemu-user (written by deploy/aarch64/qemu-java.sh); QEMU_CPU: the emulated CPU
exec "$DIR/root/usr/bin/qemu-aarch64-static" -cpu "\${QEMU_CPU:-neoverse-n1}" -L "$DIR/root" "$DIR/root/$JAVA_REL" "\$@"
JAVA
chmod +x "$DIR/java.tmp" && mv "$DIR/java.tmp" "$DIR/java" || die "cannot write $DIR/java"
"$DIR/java" -version >"$TMP/version.log" 2>&1 || die "the emulated java does not start: $(tail -3 "$TMP/version.log")"
say "$(head -1 "$TMP/version.log") under $("$DIR/root/usr/bin/qemu-aarch64-static" --version | head -1)"
echo "$DIR/java"
