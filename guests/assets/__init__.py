"""Kernels and selftest binaries a guest needs, fetched and built into the private cache.

One module per job: cache (staging, manifests), debian (packages), kernel_image (decoding, PVH),
modules (decompress + depmod), kernels (Debian's or the user's), selftest_source (linux-source)
and selftests (the static build).

Cache layout (under ``cache_dir()``)::

    debs/<package>_<version>_<arch>.deb            downloaded with ``apt-get download``
    kernels/<arch>/<release>/manifest.json         one extracted Debian kernel
    kernels/<arch>/<release>/boot/...              vmlinuz-*, config-*, System.map-*,
                                                   Image-* (arm64)
    kernels/<arch>/<release>/lib/modules/<release> modules as plain .ko, depmod'ed
    kernels/<arch>/user-<digest>/...               a user's modules, prepared the same way
    sources/linux-source-<version>/linux-source-<series>/...  the selftest files extracted from it
    selftests/<arch>/<key>/{gup_longterm,cow,build.log,manifest.json}

Every entry is built in a temporary directory inside the cache and renamed into place, so
a half-built entry never looks complete.
"""
