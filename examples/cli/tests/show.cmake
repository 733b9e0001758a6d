# Tests of `searchtrace show` (included from examples/cli/CMakeLists.txt). show_samples.input:
# 1 a TSV sample with a queue error, 2 a JSONL model output (a number that is no node, a wrong
# traceback step, model and family), 3 a prompt with a duplicate edge, 4 a `generate` text line
# (prompt+completion), 5 a prompt alone, 6 an empty line.
cli_test(show.seed_mermaid COMMAND searchtrace_cli show --prompt 1,3|2,4|1,2|0,1|0,2|3,4/0,4
         EXPECTED tests/show_seed.expected)
cli_test(show.json_line COMMAND searchtrace_cli show --line 2 show_samples.input
         WORKING_DIRECTORY "${data}" EXPECTED tests/show_json_line.expected)
cli_test(show.text_line COMMAND searchtrace_cli show --line 4 - INPUT tests/show_samples.input
         EXPECTED tests/show_text_line.expected)
cli_test(show.dot COMMAND searchtrace_cli show --format dot show_samples.input
         WORKING_DIRECTORY "${data}" EXPECTED tests/show_dot.expected)
cli_test(show.dot_dfs_reference COMMAND searchtrace_cli show --format dot --algo dfs --line 5
         INPUT tests/show_samples.input EXPECTED tests/show_dot_dfs.expected)
cli_test(show.html COMMAND searchtrace_cli show --format html --layout circle --line 2
         show_samples.input WORKING_DIRECTORY "${data}" EXPECTED tests/show_html.expected)
cli_test(show.bad_prompt COMMAND searchtrace_cli show --line 3 show_samples.input
         WORKING_DIRECTORY "${data}" EXPECTED tests/empty.expected
         EXPECTED_STDERR tests/show_bad_prompt.stderr EXIT_CODE 1)
cli_test(show.empty_line COMMAND searchtrace_cli show --line 6 INPUT tests/show_samples.input
         EXPECTED tests/empty.expected EXPECTED_STDERR tests/show_empty_line.stderr EXIT_CODE 1)
cli_test(show.beyond_the_file COMMAND searchtrace_cli show --line 99 show_samples.input
         WORKING_DIRECTORY "${data}" EXPECTED tests/empty.expected
         EXPECTED_STDERR tests/show_beyond.stderr EXIT_CODE 2)
cli_test(show.bad_line_number COMMAND searchtrace_cli show --line 0x10 show_samples.input
         WORKING_DIRECTORY "${data}" EXPECTED tests/empty.expected
         EXPECTED_STDERR tests/show_bad_line_number.stderr EXIT_CODE 2)
cli_test(show.bad_completion_option COMMAND searchtrace_cli show --completion <0 show_samples.input
         WORKING_DIRECTORY "${data}" EXPECTED tests/empty.expected
         EXPECTED_STDERR tests/show_completion_needs_prompt.stderr EXIT_CODE 2)
cli_test(show.bad_prompt_option COMMAND searchtrace_cli show --prompt 1,2/1,1 EXPECTED
         tests/empty.expected EXPECTED_STDERR tests/show_bad_prompt_option.stderr EXIT_CODE 1)
# --layout dot without Graphviz on PATH: a usage error before anything is written.
cli_test(show.layout_dot_missing COMMAND /usr/bin/env PATH=/nonexistent
         $<TARGET_FILE:searchtrace_cli> show --format html --layout dot --prompt 0,1/0,1
         EXPECTED tests/empty.expected EXPECTED_STDERR tests/show_layout_dot_missing.stderr
         EXIT_CODE 2)
cli_test(show.help COMMAND searchtrace_cli show --help EXPECTED tests/show_help.expected)

# The pages in a real browser (headless Chromium): they run their own script through every token,
# print nothing on the console, run no injected script and show content. Skipped (exit 77) where
# Chromium is not installed. With SEARCHTRACE_MERMAID_JS (the dist/mermaid.min.js of the npm
# package `mermaid`, e.g. from `npm pack mermaid@11`), Mermaid itself renders the flowcharts.
set(SEARCHTRACE_MERMAID_JS "" CACHE FILEPATH "mermaid.min.js for the browser test (optional)")
find_program(SEARCHTRACE_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT SEARCHTRACE_PYTHON3)
  find_program(SEARCHTRACE_PYTHON3 NAMES python3)
endif()
if(SEARCHTRACE_PYTHON3)
  add_test(NAME browser.pages
           COMMAND "${SEARCHTRACE_PYTHON3}" "${PROJECT_SOURCE_DIR}/tests/browser/pages.py"
                   "$<TARGET_FILE:searchtrace_cli>" "${CMAKE_CURRENT_BINARY_DIR}/browser_pages")
  set_tests_properties(browser.pages PROPERTIES LABELS browser SKIP_RETURN_CODE 77 TIMEOUT 600
                                                ENVIRONMENT "MERMAID_JS=${SEARCHTRACE_MERMAID_JS}")
endif()
