"""Conan 2 recipe for memcache: `conan create .` builds and runs test_package.

tests/package/check_recipes.py emulates it where conan is not installed: it
builds from a copy holding only `exports_sources`, with the cache variables
set in generate(), installs, and builds an AsyncClient consumer against that.
"""
import os

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir


class MemcacheConan(ConanFile):
    name = "memcache"
    version = "0.1.0"
    license = "MIT"
    url = "https://github.com/memcache-cpp/memcache"
    description = "A C++17 memcached client with python-memcached's API"
    topics = ("memcached", "cache", "python-memcached", "asio")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": False, "fPIC": True}
    # Only what the library's build reads: generate() turns the tests, the
    # examples, the fuzzers and the benchmarks off, so their directories are
    # never added.
    exports_sources = "CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*"

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        # memcache/async_client.hpp includes Asio: consumers get its include
        # directory (ahead of any system Asio), so they compile against the
        # Asio the library was built with.
        self.requires("asio/1.28.1", transitive_headers=True)
        self.requires("fmt/10.2.1")
        self.requires("zlib/[>=1.2.11 <2]")
        self.requires("libdeflate/[>=1.14 <2]")
        self.requires("openssl/[>=1.1 <4]")

    def validate(self):
        check_min_cppstd(self, 17)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["MEMCACHE_BUILD_TESTS"] = False
        tc.cache_variables["MEMCACHE_BUILD_EXAMPLES"] = False
        tc.cache_variables["MEMCACHE_BUILD_BENCH"] = False
        tc.cache_variables["MEMCACHE_BUILD_FUZZERS"] = False
        tc.cache_variables["MEMCACHE_INSTALL"] = True
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", self.source_folder, f"{self.package_folder}/licenses")
        CMake(self).install()
        # Consumers get Conan's own config and .pc files, generated from
        # package_info (CMakeDeps, PkgConfigDeps), with Conan's asio in them.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "memcache")
        self.cpp_info.set_property("cmake_target_name", "memcache::memcache")
        self.cpp_info.set_property("pkg_config_name", "memcache")
        self.cpp_info.libs = ["memcache"]
        # What the library is built with (CMakeLists.txt's
        # MEMCACHE_ASIO_DEFINITIONS); async_client.hpp must see the same.
        self.cpp_info.defines = ["ASIO_STANDALONE", "ASIO_NO_DEPRECATED"]
        self.cpp_info.requires = ["asio::asio", "fmt::fmt", "zlib::zlib", "libdeflate::libdeflate", "openssl::ssl", "openssl::crypto"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
