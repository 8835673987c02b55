# ffwd on Debian 12. The image installs exactly what scripts/install-deps.sh
# installs (the script itself runs here), builds, and runs the demo by
# default. Packet I/O on real NICs needs hugepages and the devices (vfio-pci
# or SR-IOV VFs); docs/DEPLOY.md and deploy/k8s/ say how. The demo needs
# none of that.
#   docker build -t ffwd .                            # portable: x86-64-v2
#   docker build --build-arg CPU_ISA=native -t ffwd .  # this machine's CPU
# .dockerignore keeps host build trees, out/ and .git out of the context.
# BASE lets scripts/docker-check.sh build on a Debian 12 made by debootstrap.
ARG BASE=debian:12
FROM ${BASE}
ARG CPU_ISA=x86-64-v2
WORKDIR /src/ffwd
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN FFWD_CPU_ISA=${CPU_ISA} scripts/build.sh build
CMD ["scripts/demo.sh"]
