"""Checks what can be checked of the vcpkg port and the Conan recipe without
vcpkg or conan: the manifest is valid JSON with the fields vcpkg needs, every
CMake option the port and the recipe pass exists, and the recipes parse."""
import ast
import json
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
failures = []

options = set(re.findall(r"option\((MEMCACHE_\w+)", (root / "CMakeLists.txt").read_text()))

manifest = json.loads((root / "ports/memcache/vcpkg.json").read_text())
for field in ("name", "version", "description", "license", "dependencies"):
    if field not in manifest:
        failures.append(f"vcpkg.json lacks {field}")
if manifest.get("name") != "memcache":
    failures.append("vcpkg.json name is not memcache")

version_header = (root / "include/memcache/version.hpp").read_text()
version = ".".join(re.search(rf"MEMCACHE_VERSION_{p} (\d+)", version_header).group(1)
                   for p in ("MAJOR", "MINOR", "PATCH"))
if manifest.get("version") != version:
    failures.append(f"vcpkg.json version {manifest.get('version')} != {version}")

portfile = (root / "ports/memcache/portfile.cmake").read_text()
for opt in re.findall(r"-D(MEMCACHE_\w+)=", portfile):
    if opt not in options:
        failures.append(f"portfile passes unknown option {opt}")

conanfile = (root / "conanfile.py").read_text()
tree = ast.parse(conanfile)
ast.parse((root / "test_package/conanfile.py").read_text())
for opt in re.findall(r'cache_variables\["(MEMCACHE_\w+)"\]', conanfile):
    if opt not in options:
        failures.append(f"conanfile passes unknown option {opt}")
conan_version = re.search(r'version = "([^"]+)"', conanfile).group(1)
if conan_version != version:
    failures.append(f"conanfile version {conan_version} != {version}")
for source in re.search(r"exports_sources = (.*)", conanfile).group(1).split(","):
    pattern = source.strip().strip('"')
    if not list(root.glob(pattern)):
        failures.append(f"conanfile exports {pattern}, which matches nothing")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"vcpkg port and conan recipe consistent with CMake options {sorted(options)} and version {version}")
