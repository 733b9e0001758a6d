# cli.eval.output_first: `eval -o FILE` creates its output before reading any input, so an
# unwritable FILE fails the run at once (exit 2) instead of after all the input: here the input
# never ends (/dev/zero), so a run that read first would only stop at the timeout.
# Arguments: -DSEARCHTRACE=<tool> -DWORK=<scratch directory>.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
execute_process(
  COMMAND "${SEARCHTRACE}" eval --format csv -o "${WORK}/no_such_directory/table.csv"
  INPUT_FILE /dev/zero
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE rc
  TIMEOUT 60)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "eval -o into a missing directory: exit '${rc}', expected 2; stderr: ${err}")
endif()
if(NOT err MATCHES "^searchtrace eval: error: cannot create a temporary file for '.*/no_such_directory/table.csv': ")
  message(FATAL_ERROR "eval -o into a missing directory: unexpected stderr: ${err}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "eval -o: unexpected stdout: ${out}")
endif()
