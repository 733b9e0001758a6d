# The examples of README.md and every docs/*.md run against the built tool, label `docs`
# (included from examples/cli/CMakeLists.txt; the conventions are at the top of
# doc_examples.py). docs.examples.harness_* check that the harness passes a right document and
# reports each kind of wrong example, so it cannot pass vacuously.
if(EXISTS /usr/bin/python3)
  set(doc_python /usr/bin/python3)
else()
  find_package(Python3 COMPONENTS Interpreter)
  set(doc_python "${Python3_EXECUTABLE}")
endif()
if(NOT doc_python)
  message(STATUS "searchtrace: no Python 3, the documentation examples are not tested")
  return()
endif()

set(doc_harness "${CMAKE_CURRENT_LIST_DIR}/doc_examples.py")
set(doc_work "${CMAKE_CURRENT_BINARY_DIR}/doc_examples")
function(doc_examples_test name doc)
  add_test(NAME docs.examples.${name}
           COMMAND "${doc_python}" "${doc_harness}" --tool $<TARGET_FILE:searchtrace_cli>
                   --source-dir "${PROJECT_SOURCE_DIR}" --work "${doc_work}/${name}" ${ARGN}
                   "${doc}")
  set_tests_properties(docs.examples.${name} PROPERTIES LABELS docs TIMEOUT 600)
endfunction()

file(GLOB doc_pages RELATIVE "${PROJECT_SOURCE_DIR}" "${PROJECT_SOURCE_DIR}/docs/*.md")
foreach(page README.md ${doc_pages})
  get_filename_component(name "${page}" NAME_WE)
  doc_examples_test(${name} "${PROJECT_SOURCE_DIR}/${page}")
endforeach()

doc_examples_test(harness_passes "${CMAKE_CURRENT_LIST_DIR}/data/good.md")
doc_examples_test(
  harness_fails "${CMAKE_CURRENT_LIST_DIR}/data/wrong.md"
  --expect-failure "wrong.md:6: .*--algo dfs. printed something else"
  --expect-failure "wrong.md:14: .printf 'a.nb.n'. printed something else"
  --expect-failure "wrong.md:20: a console block must start with"
  --expect-failure "wrong.md:27: .no-such-command-anywhere. did not run"
  --expect-failure "wrong.md:30: a ``` block without a language"
  --expect-failure "wrong.md:34: unknown block language 'shell'"
  --expect-failure "wrong.md:38: a C\\+\\+ program .* must be preceded"
  --expect-failure "wrong.md:43: the program differs from examples/quickstart.cpp"
  --expect-failure "wrong.md:47: the python block failed .status 3.")
