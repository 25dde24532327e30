// libFuzzer target: json::scanSuccessResponse (model/jsontext.h), the scan that lets the
// gateway pass a tool result through as text. Whatever it accepts must be strict JSON that
// QJsonDocument reads as the same success response: the same id, no error or method, and the
// span it gives is exactly the result object.

#include "fuzzsupport.h"
#include "model/jsontext.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdint>

using namespace metamcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto scanned = json::scanSuccessResponse(text);
    if (!scanned)
        return 0;
    FUZZ_CHECK(json::isStrictJson(text));
    FUZZ_CHECK(scanned->resultBegin >= 0 && scanned->resultBegin < scanned->resultEnd &&
               scanned->resultEnd <= text.size());
    const QByteArrayView result = text.sliced(scanned->resultBegin, scanned->resultEnd - scanned->resultBegin);
    FUZZ_CHECK(result.front() == '{' && result.back() == '}');
    FUZZ_CHECK(json::isStrictJson(result));

    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray(), &error);
    if (error.error == QJsonParseError::DeepNesting)
        return 0; // QJsonDocument's nesting limit; rapidjson parses iteratively
    FUZZ_CHECK(error.error == QJsonParseError::NoError && doc.isObject());
    const QJsonObject message = doc.object();
    FUZZ_CHECK(message.value(QLatin1String("jsonrpc")).toString() == QLatin1String("2.0"));
    FUZZ_CHECK(!message.contains(QLatin1String("error")) && !message.contains(QLatin1String("method")));
    const QJsonValue id = message.value(QLatin1String("id"));
    FUZZ_CHECK(id.isDouble());
    if (std::abs(double(scanned->id)) < 0x1p53)
        FUZZ_CHECK(id.toDouble() == double(scanned->id));
    const QJsonObject resultObject = QJsonDocument::fromJson(result.toByteArray()).object();
    FUZZ_CHECK(message.value(QLatin1String("result")).toObject() == resultObject);
    FUZZ_CHECK(scanned->isError == resultObject.value(QLatin1String("isError")).toBool());
    return 0;
}
