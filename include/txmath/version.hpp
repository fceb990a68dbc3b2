#pragma once
// txmath version: the one place it is written. CMakeLists.txt reads these three numbers for
// project(VERSION), so the package version and the headers cannot disagree.
#define TXMATH_VERSION_MAJOR 0
#define TXMATH_VERSION_MINOR 1
#define TXMATH_VERSION_PATCH 0

// MAJOR * 10000 + MINOR * 100 + PATCH, and "MAJOR.MINOR.PATCH".
#define TXMATH_VERSION (TXMATH_VERSION_MAJOR * 10000 + TXMATH_VERSION_MINOR * 100 + TXMATH_VERSION_PATCH)
#define TXMATH_DETAIL_STRINGIZE_(x) #x
#define TXMATH_DETAIL_STRINGIZE(x) TXMATH_DETAIL_STRINGIZE_(x)
#define TXMATH_VERSION_STRING                                                              \
  TXMATH_DETAIL_STRINGIZE(TXMATH_VERSION_MAJOR) "." TXMATH_DETAIL_STRINGIZE(TXMATH_VERSION_MINOR) "." \
      TXMATH_DETAIL_STRINGIZE(TXMATH_VERSION_PATCH)
