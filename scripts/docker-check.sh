#!/usr/bin/env bash
# Builds the Dockerfile with podman and runs the demo inside the image.
#   scripts/docker-check.sh [--refresh-base]
# There is no registry here, so the base (debian:12 in the Dockerfile) is a
# Debian 12 made by debootstrap from the mirror apt already uses, imported
# with `podman import` and cached (FFWD_DOCKER_CACHE, default
# /var/cache/ffwd-docker-check; --refresh-base makes it anew). podman
# builds with --isolation chroot, and its layer cache makes a rerun with
# unchanged scripts/install-deps.sh skip the package installation.
# `podman run` cannot start containers in this sandbox, so the image's
# filesystem is mounted (podman create + podman mount) and the image's
# default command, scripts/demo.sh, runs in it by chroot, in a private
# mount and PID namespace (its /proc, /dev, /sys and /dev/shm go away with
# it). Ends with "N passed, M failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

cache=${FFWD_DOCKER_CACHE:-/var/cache/ffwd-docker-check}
base_tag=localhost/ffwd-base:debian12
img_tag=localhost/ffwd-check:latest
refresh=0
case ${1:-} in
--refresh-base) refresh=1 ;;
'') ;;
*) echo "usage: scripts/docker-check.sh [--refresh-base]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	echo "docker-check: needs root (debootstrap, podman mount, chroot)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
"$root/scripts/install-deps.sh" image-check

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
	echo
	echo "$passed passed, $failed failed"
	exit $((failed > 0))
}
t0=$SECONDS
phase() { echo "== $* (at ${SECONDS}s)"; }

mkdir -p "$cache"
# One check at a time on this machine: they share the image tags.
exec 9>"$cache/lock"
flock 9

# The mirror apt uses here (deb822 "URIs:" or one-line "deb" sources).
apt_uri() {
	local want=$1
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v want="$want" '
			/^[ \t]*#/ { next }
			$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }
			$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' |
		grep -E "/${want}/?\$" | head -1
}

make_base() {
	local mirror security rootfs=$cache/rootfs.tmp
	mirror=${FFWD_DEBIAN_MIRROR:-$(apt_uri debian)}
	mirror=${mirror:-http://deb.debian.org/debian}
	security=$(apt_uri debian-security)
	echo "docker-check: debootstrap bookworm from $mirror"
	rm -rf "$rootfs"
	nice -n 10 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" \
		>"$cache/debootstrap.log" 2>&1 || {
		tail -20 "$cache/debootstrap.log"
		return 1
	}
	{
		echo "deb $mirror bookworm main"
		echo "deb $mirror bookworm-updates main"
		[ -z "$security" ] || echo "deb $security bookworm-security main"
	} >"$rootfs/etc/apt/sources.list"
	rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
	tar --numeric-owner -C "$rootfs" -cf "$cache/debian12.tar.tmp" .
	mv "$cache/debian12.tar.tmp" "$cache/debian12.tar"
	rm -rf "$rootfs"
}

phase "base image $base_tag"
if [ "$refresh" = 1 ]; then
	podman rmi -f "$base_tag" >/dev/null 2>&1 || true
	rm -f "$cache/debian12.tar"
fi
if ! podman image exists "$base_tag"; then
	if [ ! -f "$cache/debian12.tar" ] && ! make_base; then
		bad "debootstrap of the Debian 12 base (log: $cache/debootstrap.log)"
		finish
	fi
	podman import --change 'CMD ["/bin/bash"]' "$cache/debian12.tar" "$base_tag" >/dev/null
fi
if podman image exists "$base_tag"; then
	ok "Debian 12 base $base_tag ($(podman image inspect -f '{{.Id}}' "$base_tag" | cut -c1-12))"
else
	bad "podman import of $cache/debian12.tar"
	finish
fi

phase "podman build"
old_id=$(podman image inspect -f '{{.Id}}' "$img_tag" 2>/dev/null || true)
# Logs beside the cache (one run at a time holds the lock), kept for a look
# after a failure.
blog=$cache/build.log
if nice -n 10 podman build --isolation chroot --pull=never \
	--build-arg BASE="$base_tag" -t "$img_tag" -f Dockerfile . >"$blog" 2>&1; then
	ok "podman build of the Dockerfile ($(grep -c -- '--> Using cache' "$blog") steps from the layer cache)"
else
	tail -30 "$blog"
	bad "podman build of the Dockerfile"
	finish
fi
new_id=$(podman image inspect -f '{{.Id}}' "$img_tag")
# The replaced image, untagged now; its cached parent layers stay while
# the new image uses them.
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
	podman rmi "$old_id" >/dev/null 2>&1 || true
fi

phase "demo in the image by chroot"
cid=$(podman create "$img_tag")
mnt=$(podman mount "$cid")
cleanup() {
	podman umount "$cid" >/dev/null 2>&1 || true
	podman rm -f "$cid" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# What .dockerignore keeps out of the context: host build trees (which name
# host paths and made the image's build fail), out/ and .git.
leaked=()
for p in .git out build-asan build-tsan; do
	[ ! -e "$mnt/src/ffwd/$p" ] || leaked+=("$p")
done
if [ -f "$mnt/src/ffwd/build/build.ninja" ] &&
	! grep -qF "$root" "$mnt/src/ffwd/build/build.ninja"; then
	:
else
	leaked+=("build/ (not the image's own tree)")
fi
if [ ${#leaked[@]} = 0 ]; then
	ok "the context left out host build trees, out/ and .git; build/ was made in the image"
else
	bad "in the image from the host: ${leaked[*]}"
fi

# The image is portable: every object built for the default ISA.
marches=$(grep -o -- '-march=[^ "]*' "$mnt/src/ffwd/build/compile_commands.json" | sort -u | xargs || true)
if [ "$marches" = "-march=x86-64-v2" ]; then
	ok "image built with $marches"
else
	bad "image built with '${marches}', expected only -march=x86-64-v2"
fi

dlog=$cache/demo.log
cmd=$(podman image inspect -f '{{join .Config.Cmd " "}}' "$img_tag")
# A private mount and PID namespace: what is mounted for the chroot goes
# away when the demo ends, whatever happens to this script.
rc=0
unshare --mount --pid --fork --propagation private /bin/bash -c '
	set -e
	mnt=$1 cmd=$2
	mount -t proc proc "$mnt/proc"
	mount --rbind /dev "$mnt/dev"
	mount -t tmpfs -o size=64m tmpfs "$mnt/dev/shm"
	mount --rbind /sys "$mnt/sys"
	mount -o remount,bind,ro "$mnt/sys" 2>/dev/null || true
	exec chroot "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root /bin/bash -c "cd /src/ffwd && $cmd"
' docker-check "$mnt" "$cmd" >"$dlog" 2>&1 || rc=$?
sed 's/^/  | /' "$dlog" | tail -12
if [ "$rc" = 0 ] && grep -qE '^pcapcmp: [1-9][0-9]* packets equal' "$dlog" &&
	grep -qE '^summary: .* ok$' "$dlog"; then
	ok "the image's '$cmd' in the image by chroot: $(grep -E '^pcapcmp:' "$dlog")"
else
	bad "the image's '$cmd' in the image by chroot exited $rc"
fi

cleanup
trap - EXIT
if grep -qF " $mnt " /proc/self/mountinfo; then
	bad "the image's filesystem is still mounted at $mnt"
fi
echo "docker-check: $((SECONDS - t0)) s"
finish
