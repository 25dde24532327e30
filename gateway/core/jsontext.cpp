#include "core/jsontext.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>

namespace metamcp::json {

bool isStrictJson(QByteArrayView text)
{
    // JSON text never holds a NUL byte (only escaped); rapidjson's streams would take one for
    // the end of the input and accept what precedes it.
    if (text.isEmpty() || std::memchr(text.data(), 0, static_cast<size_t>(text.size())))
        return false;
    // rapidjson's SAX reader without a document: strict RFC 8259 grammar, UTF-8 validated, no
    // BOM, one value; iterative, so deep nesting cannot exhaust the stack.
    rapidjson::MemoryStream stream(text.data(), static_cast<size_t>(text.size()));
    rapidjson::Reader reader;
    rapidjson::BaseReaderHandler<> ignore;
    return !reader.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(stream, ignore)
                .IsError();
}

char firstSignificant(QByteArrayView text)
{
    for (const char c : text)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return c;
    return 0;
}

} // namespace metamcp::json
