# Installs askalike into a scratch prefix, then builds and runs a consumer
# program against it twice: with find_package(askalike CONFIG) and with
# pkg-config. Run by ctest as: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -P check_install.cmake
# With -DPREFIX=DIR instead of -DBUILD_DIR, checks what is already installed
# there (tools/test-packages.sh: the .deb's files).
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
if(DEFINED PREFIX)
  set(prefix "${PREFIX}")
else()
  set(prefix "${WORK_DIR}/prefix")
  run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
endif()

foreach(header askalike.hpp version.hpp search.hpp)
  if(NOT EXISTS "${prefix}/include/askalike/${header}")
    message(FATAL_ERROR "not installed: include/askalike/${header}")
  endif()
endforeach()

# 1. CMake package.
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/install/consumer" -B "${WORK_DIR}/cmake-build"
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/cmake-build")
set(ENV{LD_LIBRARY_PATH} "${prefix}/lib:${prefix}/lib64:$ENV{LD_LIBRARY_PATH}")
run("${WORK_DIR}/cmake-build/consumer" "${WORK_DIR}/db1")
if(NOT last_output MATCHES "^sleep ")
  message(FATAL_ERROR "the CMake consumer printed '${last_output}', expected the id 'sleep'")
endif()

# 2. pkg-config.
find_program(PKG_CONFIG pkg-config REQUIRED)
file(GLOB pc_dirs "${prefix}/lib*/pkgconfig" "${prefix}/lib/*/pkgconfig")
string(REPLACE ";" ":" pc_path "${pc_dirs}")
set(ENV{PKG_CONFIG_PATH} "${pc_path}")
run(${PKG_CONFIG} --cflags --libs askalike)
string(STRIP "${last_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
find_program(CXX NAMES c++ g++ REQUIRED)
run(${CXX} -std=c++17 "${SOURCE_DIR}/tests/install/consumer/consumer.cpp" -o "${WORK_DIR}/pc-consumer" ${flags})
run("${WORK_DIR}/pc-consumer" "${WORK_DIR}/db2")
if(NOT last_output MATCHES "^sleep ")
  message(FATAL_ERROR "the pkg-config consumer printed '${last_output}', expected the id 'sleep'")
endif()
message(STATUS "installed package works: ${last_output}")
