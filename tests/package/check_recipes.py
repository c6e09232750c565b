"""What can be checked of the vcpkg port and the Conan recipe without vcpkg or
conan (neither is installable here). Three uses:

  check_recipes.py ROOT                  static checks (below); exit 1 on any failure
  check_recipes.py ROOT cmake-args KIND  the cache variables the recipe (KIND conan) or
                                         the port (KIND vcpkg) passes, one -D per line
  check_recipes.py ROOT copy-exports DIR copies only the recipe's exports_sources to DIR

run.sh's recipe modes use the last two to build, install and consume the
library exactly as `conan create` and `vcpkg install` would configure it.

Static checks: the manifest is valid JSON with the fields vcpkg needs; the
versions agree; every CMake option passed exists; every MEMCACHE_BUILD_*
option (tests, examples, benchmarks, fuzzers: directories the recipe does not
export, and libmemcached) is turned off by both; the recipe requires asio
with transitive_headers=True, declares the definitions the library is built
with, and has validate() with a C++17 minimum; the port installs `usage`.
"""
import ast
import fnmatch
import json
import pathlib
import re
import shutil
import sys

root = pathlib.Path(sys.argv[1])
cmakelists = (root / "CMakeLists.txt").read_text()
options = set(re.findall(r"option\((MEMCACHE_\w+)", cmakelists))
build_options = {o for o in options if o.startswith("MEMCACHE_BUILD_")}
portfile = (root / "ports/memcache/portfile.cmake").read_text()
conanfile = (root / "conanfile.py").read_text()
conan_tree = ast.parse(conanfile)


def conan_cache_variables():
    return {name: value == "True"
            for name, value in re.findall(r'cache_variables\["(MEMCACHE_\w+)"\] = (True|False)', conanfile)}


def vcpkg_cache_variables():
    return {name: value.upper() in ("ON", "TRUE", "1")
            for name, value in re.findall(r"-D(MEMCACHE_\w+)=(\w+)", portfile)}


def exports_sources():
    for node in ast.walk(conan_tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "exports_sources" for t in node.targets):
            value = ast.literal_eval(node.value)
            return [value] if isinstance(value, str) else list(value)
    return []


def tracked_files():
    return [p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts
            and not p.relative_to(root).parts[0].startswith("build")]


if len(sys.argv) > 2:
    command = sys.argv[2]
    if command == "cmake-args":
        values = conan_cache_variables() if sys.argv[3] == "conan" else vcpkg_cache_variables()
        for name, on in sorted(values.items()):
            print(f"-D{name}={'ON' if on else 'OFF'}")
        sys.exit(0)
    if command == "copy-exports":
        dest = pathlib.Path(sys.argv[3])
        # Conan matches exports_sources with fnmatch: `*` crosses directories.
        patterns = exports_sources()
        for rel in tracked_files():
            if any(fnmatch.fnmatch(rel, p) for p in patterns):
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / rel, dest / rel)
        sys.exit(0)
    sys.exit(f"unknown command {command}")

failures = []

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

ast.parse((root / "test_package/conanfile.py").read_text())
conan_version = re.search(r'version = "([^"]+)"', conanfile).group(1)
if conan_version != version:
    failures.append(f"conanfile version {conan_version} != {version}")
for pattern in exports_sources():
    if not list(root.glob(pattern)):
        failures.append(f"conanfile exports {pattern}, which matches nothing")

for who, values in (("conanfile", conan_cache_variables()), ("portfile", vcpkg_cache_variables())):
    for opt in values:
        if opt not in options:
            failures.append(f"{who} passes unknown option {opt}")
    for opt in sorted(build_options):
        if values.get(opt, True):
            failures.append(f"{who} does not turn {opt} off (the library alone is packaged)")
    if not values.get("MEMCACHE_INSTALL", False):
        failures.append(f"{who} does not set MEMCACHE_INSTALL=ON")

if not re.search(r'requires\(\s*"asio/[^"]+"\s*,\s*transitive_headers\s*=\s*True', conanfile):
    failures.append("conanfile requires asio without transitive_headers=True (async_client.hpp includes Asio)")
if not re.search(r"check_min_cppstd\(self,\s*17\)", conanfile) or "def validate(self)" not in conanfile:
    failures.append("conanfile has no validate() with check_min_cppstd(self, 17)")
definitions = re.search(r"set\(MEMCACHE_ASIO_DEFINITIONS ([^)]*)\)", cmakelists)
definitions = definitions.group(1).split() if definitions else []
declared = re.search(r"cpp_info\.defines = \[([^\]]*)\]", conanfile)
declared = re.findall(r'"(\w+)"', declared.group(1)) if declared else []
if not definitions or sorted(declared) != sorted(definitions):
    failures.append(f"conanfile declares defines {declared}, the library is built with {definitions}")
if not re.search(r'file\(INSTALL\s+"\$\{CMAKE_CURRENT_LIST_DIR\}/usage"\s+DESTINATION\s+'
                 r'"\$\{CURRENT_PACKAGES_DIR\}/share/\$\{PORT\}"\)', portfile):
    failures.append("portfile does not install usage into share/${PORT}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"vcpkg port and conan recipe consistent with CMake options {sorted(options)} and version {version}")
