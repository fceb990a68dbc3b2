# Compiles SOURCE and succeeds only if compilation fails with a message matching EXPECTED.
# STD is the language standard (default c++20).
if(NOT DEFINED STD)
  set(STD c++20)
endif()
execute_process(
  COMMAND ${COMPILER} -std=${STD} -fsyntax-only -I${INCLUDE_DIR} ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must fail with: ${EXPECTED}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECTED}")
  message(FATAL_ERROR "${SOURCE} failed to compile, but not with '${EXPECTED}':\n${err}")
endif()
message(STATUS "failed as expected with: ${EXPECTED}")
