# Shared compile settings and the test registration helper.

add_library(wb_warnings INTERFACE)
target_compile_options(wb_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter)

# wb_add_test(NAME <name> SOURCES <files...> LIBS <targets...> [TORCH])
# One Qt Test executable per test file, registered with CTest and labelled by folder.
# TORCH tests run serially at one intra-op thread: OpenMP threads fighting over two cores
# can make a test ten times slower.
function(wb_add_test)
  cmake_parse_arguments(T "TORCH;GUI" "NAME;LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
  target_link_libraries(${T_NAME} PRIVATE Qt6::Test wb_warnings ${T_LIBS})
  target_compile_definitions(${T_NAME} PRIVATE QT_NO_KEYWORDS
                             WB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set(env "OMP_NUM_THREADS=1;OMP_WAIT_POLICY=PASSIVE")
  if(T_GUI)
    list(APPEND env "QT_QPA_PLATFORM=offscreen")
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABEL}" ENVIRONMENT "${env}" TIMEOUT 300)
  if(T_TORCH)
    set_tests_properties(${T_NAME} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()
