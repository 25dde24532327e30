# Project-wide compile settings carried by one INTERFACE target.
add_library(metamcp_common INTERFACE)
add_library(MetaMCP::Common ALIAS metamcp_common)
target_compile_features(metamcp_common INTERFACE cxx_std_20)
target_compile_definitions(metamcp_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_FOREACH
    METAMCP_VERSION="${PROJECT_VERSION}")
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(metamcp_common INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
    if(METAMCP_WERROR)
        target_compile_options(metamcp_common INTERFACE -Werror)
    endif()
elseif(MSVC)
    target_compile_options(metamcp_common INTERFACE /W4 /permissive- /utf-8)
    if(METAMCP_WERROR)
        target_compile_options(metamcp_common INTERFACE /WX)
    endif()
endif()
