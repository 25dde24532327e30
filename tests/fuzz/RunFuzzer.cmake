# Runs one fuzzer for SECONDS over a fresh copy of its seed corpus (cmake -P, from ctest):
#   -DFUZZER=<executable> -DSEEDS=<corpus/target> -DWORK=<scratch dir> -DSECONDS=<n>
# New inputs, crash artifacts and the log stay in WORK; the seeds are only read. Fails with the
# end of the log (the sanitizer's or the check's report and the crashing input) on a crash.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB seeds "${SEEDS}/*")
if(NOT seeds)
    message(FATAL_ERROR "No seeds in ${SEEDS}")
endif()
file(COPY ${seeds} DESTINATION "${WORK}/corpus")
list(LENGTH seeds seedCount)
execute_process(
    # A fixed seed and run count: the same inputs on every CI run (a finding is reproducible and
    # no run fails by chance); the time bound only caps a slow machine. Long runs: tests/fuzz/README.md.
    COMMAND "${FUZZER}" -seed=1 -runs=150000 -max_total_time=${SECONDS} -timeout=10 -print_final_stats=1
        "-artifact_prefix=${WORK}/artifacts/" "${WORK}/corpus"
    RESULT_VARIABLE rc
    OUTPUT_FILE "${WORK}/fuzz.log"
    ERROR_FILE "${WORK}/fuzz.log")
file(READ "${WORK}/fuzz.log" log)
get_filename_component(name "${FUZZER}" NAME)
file(GLOB corpus "${WORK}/corpus/*")
list(LENGTH corpus corpusCount)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" runs "${log}")
string(REGEX MATCH "stat::average_exec_per_sec: *[0-9]+" speed "${log}")
string(REGEX REPLACE "[^0-9]" "" runs "${runs}")
string(REGEX REPLACE "[^0-9]" "" speed "${speed}")
set(summary "${name}: ${runs} runs in ${SECONDS} s, ${speed} exec/s, corpus ${seedCount} seeds -> ${corpusCount} inputs")
if(NOT rc EQUAL 0)
    string(LENGTH "${log}" length)
    if(length GREATER 12000)
        math(EXPR from "${length} - 12000")
        string(SUBSTRING "${log}" ${from} -1 log)
    endif()
    file(GLOB crashes "${WORK}/artifacts/*")
    file(WRITE "${WORK}/summary.txt" "${name}: FAILED (exit ${rc}); artifacts: ${crashes}\n")
    message(FATAL_ERROR "${log}\n${name} failed (exit ${rc}); reproduce with: ${FUZZER} <artifact>\n${crashes}")
endif()
file(WRITE "${WORK}/summary.txt" "${summary}\n")
message(STATUS "${summary}")
