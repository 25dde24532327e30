# METAMCP_SANITIZE: the whole build (gateway, tests, fuzzers) with AddressSanitizer and
# UndefinedBehaviorSanitizer; any undefined behaviour aborts the process (a test fails).
# METAMCP_FUZZ: libFuzzer targets in tests/fuzz (clang only). Everything is compiled with the
# fuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link) so that the fuzzers see the
# branches of the gateway libraries they link, and with ASan+UBSan: a fuzzer is only as good
# as the checks it runs under.
if(METAMCP_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "METAMCP_FUZZ needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
            "configure with -DCMAKE_CXX_COMPILER=clang++ (Debian: clang and libclang-rt-14-dev)")
    endif()
    set(METAMCP_SANITIZE ON) # a fuzzer runs under ASan+UBSan
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(METAMCP_SANITIZE)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        message(FATAL_ERROR "METAMCP_SANITIZE needs gcc or clang")
    endif()
    set(METAMCP_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_compile_options(${METAMCP_SANITIZER_FLAGS})
    add_link_options(${METAMCP_SANITIZER_FLAGS})
    if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        add_compile_options("-fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sanitizer-ignorelist.txt")
        if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 17)
            # -fsanitize=function (part of "undefined") puts a reference to the function's type
            # before its code; clang before 17 makes it across sections for the split parts of a
            # C++20 coroutine (QCoro in facade/), which the assembler refuses ("Cannot represent
            # a difference across sections"). The other UBSan checks stay on.
            add_compile_options(-fno-sanitize=function)
        endif()
    endif()
endif()
