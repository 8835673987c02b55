# ffwd on Debian 12. The image installs exactly what scripts/install-deps.sh
# installs (the script itself runs here), builds, and runs the demo by
# default. Packet I/O on real NICs needs --privileged, hugepages and the
# devices bound to vfio-pci; the demo needs none of that.
FROM debian:12
WORKDIR /src/ffwd
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN scripts/build.sh build
CMD ["scripts/demo.sh"]
