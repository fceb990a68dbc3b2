# Builds tests/consumer against txmath: installed (find_package), as a subdirectory, or fetched
# with FetchContent from a local URL; the consumer compiles with strict warnings.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGV}\n${out}\n${err}")
  endif()
endfunction()
set(consumer ${SOURCE_DIR}/tests/consumer)
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/txmath -DCMAKE_CXX_COMPILER=${CXX}
      -DTXMATH_BUILD_TESTS=OFF -DTXMATH_BUILD_BENCHMARKS=OFF -DTXMATH_BUILD_EXAMPLES=OFF
      -DTXMATH_BUILD_TOOLS=OFF
      -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} --install ${WORK_DIR}/txmath)
  run(${CMAKE_COMMAND} -S ${consumer} -B ${WORK_DIR}/build -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DTXMATH_CONSUMER_MODE=find_package)
elseif(MODE STREQUAL "fetch_content")
  # A release-like archive of the library (what a tag's tarball holds that a consumer needs),
  # fetched from a file:// URL.
  execute_process(COMMAND ${CMAKE_COMMAND} -E tar czf ${WORK_DIR}/txmath.tar.gz --format=gnutar --
                          CMakeLists.txt LICENSE cmake include
                  WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not archive ${SOURCE_DIR}")
  endif()
  run(${CMAKE_COMMAND} -S ${consumer} -B ${WORK_DIR}/build -DCMAKE_CXX_COMPILER=${CXX}
      -DTXMATH_CONSUMER_MODE=fetch_content -DTXMATH_URL=file://${WORK_DIR}/txmath.tar.gz)
else()
  run(${CMAKE_COMMAND} -S ${consumer} -B ${WORK_DIR}/build -DCMAKE_CXX_COMPILER=${CXX}
      -DTXMATH_CONSUMER_MODE=add_subdirectory -DTXMATH_SOURCE_DIR=${SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
message(STATUS "consumer (${MODE}) built and ran")
