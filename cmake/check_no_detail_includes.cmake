# The public/private line: include/txmath/detail/ is for txmath's own headers only. Fails,
# listing each offending file and line, when a C++ file under tests/, tools/, benchmarks/ or
# examples/ includes <txmath/detail/...> (or "txmath/detail/...").
#
#   cmake -DROOT=<source dir> -P cmake/check_no_detail_includes.cmake
#
# ROOT: the tree to check (the project's source directory, or a test fixture).
if(NOT DEFINED ROOT)
  message(FATAL_ERROR "check_no_detail_includes: pass -DROOT=<source dir>")
endif()

set(include_regex "^[ \t]*#[ \t]*include[ \t]*[<\"]txmath/detail/")
set(offenders)
foreach(dir IN ITEMS tests tools benchmarks examples)
  set(globs)
  foreach(ext IN ITEMS cpp cc cxx c hpp hh hxx h ipp inl)
    list(APPEND globs ${ROOT}/${dir}/*.${ext})
  endforeach()
  file(GLOB_RECURSE sources LIST_DIRECTORIES false ${globs})
  list(SORT sources)
  foreach(src IN LISTS sources)
    file(STRINGS ${src} lines REGEX "${include_regex}")
    foreach(line IN LISTS lines)
      file(RELATIVE_PATH rel ${ROOT} ${src})
      string(STRIP "${line}" line)
      list(APPEND offenders "  ${rel}: ${line}")
    endforeach()
  endforeach()
endforeach()

if(offenders)
  list(LENGTH offenders n)
  list(JOIN offenders "\n" listing)
  message(FATAL_ERROR "txmath: ${n} include(s) of txmath/detail/ outside include/ (detail/ is "
                      "for txmath's own headers; include the public header instead):\n${listing}")
endif()
message(STATUS "txmath: no file under tests/, tools/, benchmarks/ or examples/ includes txmath/detail/")
