#!/usr/bin/env bash
# Builds the selfstream container image with Jib and runs it, with no Docker daemon and no
# container registry (offline machines, CI without Docker):
#   1. a Debian bookworm base with a Java 17 JRE, made with debootstrap from the apt mirror and
#      packed as a `docker save` tarball (Jib reads tar:// base images);
#   2. `mvn -Pimage-tar -pl ops -am package` (Jib buildTar) on that base -> ops/target/jib-image.tar;
#   3. the image's layers unpacked in order into a root filesystem, and its entrypoint run there
#      with chroot as the image's user (65532): `--help`, then `stack up` until /healthz-like
#      proof that the broker and registry answered (the log line), then stopped.
# Needs root (debootstrap, chroot). Takes ~5 min the first time (the base is cached under
# $WORK). Usage: scripts/image-check.sh [WORK_DIR]   (default /tmp/selfstream-image)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/selfstream-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_TAR="$WORK/base-image.tar"
mkdir -p "$WORK"

if [[ ! -f "$BASE_TAR" ]]; then
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
  rm -rf "$WORK/rootfs"
  echo "== base: debootstrap bookworm + openjdk-17-jre-headless from $MIRROR"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
    bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log"
  rm -rf "$WORK/rootfs"/usr/share/{doc,man,info} "$WORK/rootfs"/var/lib/apt/lists/* \
    "$WORK/rootfs"/var/cache/apt/*
  echo "== base: packing $BASE_TAR"
  rm -rf "$WORK/pack" && mkdir -p "$WORK/pack"
  tar --numeric-owner -C "$WORK/rootfs" -cf "$WORK/pack/layer.tar" .
  diff_id=$(sha256sum "$WORK/pack/layer.tar" | cut -d' ' -f1)
  java_home=$(dirname "$(dirname "$(readlink -f "$WORK/rootfs/usr/bin/java" | sed "s#^$WORK/rootfs##")")")
  cat >"$WORK/pack/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
JSON
  echo '[{"Config":"config.json","RepoTags":["selfstream/base:bookworm-jre17"],"Layers":["layer.tar"]}]' \
    >"$WORK/pack/manifest.json"
  tar -C "$WORK/pack" -cf "$BASE_TAR" manifest.json config.json layer.tar
  rm -rf "$WORK/pack"
fi

if [[ -z "${IMAGE_CHECK_SKIP_BUILD:-}" ]]; then
echo "== jib:buildTar on tar://$BASE_TAR"
mvn -B -q ${IMAGE_CHECK_MVN_FLAGS:-} -Pimage-tar -pl ops -am package -DskipTests \
  -Dselfstream.image.base="tar://$BASE_TAR"
fi
IMAGE=ops/target/jib-image.tar
ls -l "$IMAGE"

echo "== unpacking the image"
rm -rf "$WORK/image" "$WORK/run" && mkdir -p "$WORK/image" "$WORK/run"
tar -C "$WORK/image" -xf "$IMAGE"
python3 - "$WORK/image" "$WORK/run" <<'PY'
import json, os, subprocess, sys
image, root = sys.argv[1], sys.argv[2]
manifest = json.load(open(os.path.join(image, "manifest.json")))[0]
config = json.load(open(os.path.join(image, manifest["Config"])))
for layer in manifest["Layers"]:  # in order: later layers overwrite earlier files
    subprocess.run(["tar", "--numeric-owner", "--warning=no-unknown-keyword", "-C", root, "-xf", os.path.join(image, layer)], check=True)
c = config["config"]
json.dump({"entrypoint": c.get("Entrypoint", []), "env": c.get("Env", []),
           "user": c.get("User", ""), "workdir": c.get("WorkingDir", "/")},
          open(os.path.join(root, ".image-config.json"), "w"))
print("layers:", len(manifest["Layers"]), "entrypoint:", " ".join(c.get("Entrypoint", [])))
print("user:", c.get("User"), "ports:", list(c.get("ExposedPorts", {})))
PY

run_in_image() { # args appended to the image entrypoint, run as the image user inside chroot
  python3 - "$WORK/run" "$@" <<'PY'
import json, os, sys
root, args = sys.argv[1], sys.argv[2:]
cfg = json.load(open(os.path.join(root, ".image-config.json")))
env = dict(e.split("=", 1) for e in cfg["env"])
uid = int(cfg["user"] or 0)
os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
os.chmod(os.path.join(root, "tmp"), 0o1777)
for d in ("proc", "dev"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
os.chroot(root)
os.chdir(cfg["workdir"] or "/")
os.setgid(uid)
os.setuid(uid)
argv = cfg["entrypoint"] + args
os.execvpe(argv[0], argv, env)
PY
}

mkdir -p "$WORK/run/usr/share/datasets/fashion-mnist"
mount --bind /proc "$WORK/run/proc"
mount --bind /dev "$WORK/run/dev"
# the data a pod would get from a volume: the Fashion-MNIST package, read-only
mount --bind -o ro /usr/share/datasets/fashion-mnist "$WORK/run/usr/share/datasets/fashion-mnist"
cleanup() {
  pkill -TERM -f "SelfstreamCli normalizer" 2>/dev/null || true
  [[ -f "$WORK/stack.pid" ]] && kill -TERM "$(cat "$WORK/stack.pid")" 2>/dev/null || true
  sleep 3
  umount "$WORK/run/usr/share/datasets/fashion-mnist" "$WORK/run/proc" "$WORK/run/dev" 2>/dev/null || true
}
trap cleanup EXIT

echo "== 1. selfstream --help inside the image"
run_in_image --help | head -3

echo "== 2. FFmpeg natives: generate videos (real FFV1 files) inside the image"
run_in_image generate videos --out /tmp/videos --count 2 --test-count 1 | tail -2
ls "$WORK/run/tmp/videos"/* | head -3

echo "== 3. DJL PyTorch native: train a DTGRM for one epoch inside the image"
run_in_image train segmentation --data /tmp/videos --epochs 1 --checkpoints /tmp/ckpt | tail -2

echo "== 4. a service from the image against a Kafka broker + registry outside it"
rm -rf "$WORK/host-stack"
java -jar ops/target/selfstream.jar \
  stack up --data-dir "$WORK/host-stack" >"$WORK/stack.log" 2>&1 &
echo $! >"$WORK/stack.pid"
for _ in $(seq 1 90); do grep -q "stack ready" "$WORK/stack.log" && break; sleep 2; done
grep -q "stack ready" "$WORK/stack.log" || { cat "$WORK/stack.log"; echo "host stack did not start"; exit 1; }
bootstrap=$(sed -n 's/.*kafka bootstrap : //p' "$WORK/stack.log" | head -1)
registry=$(sed -n 's/.*schema registry : \([^ ]*\) (\([a-z]*\) API.*/\1/p' "$WORK/stack.log" | head -1)
api=$(sed -n 's/.*schema registry : [^ ]* (\([a-z]*\) API.*/\1/p' "$WORK/stack.log" | head -1)
echo "host stack: kafka $bootstrap, registry $registry ($api)"
run_in_image normalizer --bootstrap "$bootstrap" --registry "$registry" --registry-api "$api" \
  --data-dir /tmp/data --set metrics.port=9499 >"$WORK/normalizer.log" 2>&1 &
healthy=""
for _ in $(seq 1 60); do
  if curl -fsS http://127.0.0.1:9499/healthz >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 2
done
[[ -n "$healthy" ]] || { tail -20 "$WORK/normalizer.log"; echo "IMAGE CHECK FAILED: normalizer not healthy"; exit 1; }
echo "normalizer in the image is healthy; 30 frames into frames.raw from the host"
java -jar ops/target/selfstream.jar ingest corrupted --severity 5 --limit-per-domain 2 \
  --data-dir "$WORK/host-stack" | tail -1
out=0
for _ in $(seq 1 60); do
  out=$(curl -fsS http://127.0.0.1:9499/metrics | sed -n 's/^selfstream_normalizer_frames_out_total{[^}]*} //p; s/^selfstream_normalizer_frames_out_total //p' | head -1)
  [[ "${out%.*}" -ge 30 ]] 2>/dev/null && break
  sleep 2
done
echo "selfstream_normalizer_frames_out_total (scraped from the image's /metrics): $out"
[[ "${out%.*}" -ge 30 ]] 2>/dev/null || { tail -20 "$WORK/normalizer.log"; echo "IMAGE CHECK FAILED: frames not normalized"; exit 1; }
echo "IMAGE CHECK PASSED"
