// libFuzzer target: what a client's JSON-RPC message goes through before dispatch, in the order
// of McpHttpEndpoint::handleMcpPost and GatewayCore::receiveLine: QJsonDocument, a lone scalar
// told apart from a syntax error, json::controlCharacterError (RFC 8259 strictness), then
// jsonrpc::classify for the object or every member of a batch, and the id helpers. Checks that
// strict text never gets a strictness error, and that a success response spliced back together
// (jsonrpc::resultMessage) is found by json::scanSuccessResponse with its id and result.

#include "fuzzsupport.h"
#include "model/jsontext.h"
#include "model/protocol.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdint>

using namespace metamcp;

namespace {

void checkMessage(const QJsonObject &message)
{
    QString why;
    const jsonrpc::Kind kind = jsonrpc::classify(message, &why);
    FUZZ_CHECK((kind == jsonrpc::Kind::Invalid) == !why.isEmpty());
    const QJsonValue id = message.value(QLatin1String("id"));
    if (kind == jsonrpc::Kind::Request) {
        FUZZ_CHECK(jsonrpc::isValidId(id));
        FUZZ_CHECK(!jsonrpc::idKey(id).isEmpty());
        FUZZ_CHECK(!message.value(QLatin1String("method")).toString().isEmpty());
    }
    if (kind != jsonrpc::Kind::Response || !message.contains(QLatin1String("result")))
        return;
    // The gateway splices a result into an envelope as text: it must scan back the same.
    const QByteArray idText = jsonrpc::idText(id);
    FUZZ_CHECK(!idText.isEmpty());
    const QJsonObject result = message.value(QLatin1String("result")).toObject();
    const QByteArray resultJson = QJsonDocument(result).toJson(QJsonDocument::Compact);
    const QByteArray spliced = jsonrpc::resultMessage(id, resultJson);
    const QJsonDocument back = QJsonDocument::fromJson(spliced);
    FUZZ_CHECK(back.isObject());
    FUZZ_CHECK(back.object().value(QLatin1String("result")).toObject() == result);
    const bool integerId = id.isDouble() && std::abs(id.toDouble()) < 0x1p53 && id.toDouble() == double(id.toInteger());
    if (integerId && json::isStrictJson(resultJson)) {
        const auto scanned = json::scanSuccessResponse(spliced);
        FUZZ_CHECK(scanned.has_value());
        FUZZ_CHECK(scanned->id == id.toInteger());
        FUZZ_CHECK(spliced.sliced(scanned->resultBegin, scanned->resultEnd - scanned->resultBegin) == resultJson);
        FUZZ_CHECK(scanned->isError == result.value(QLatin1String("isError")).toBool());
    }
}

// The intake of one client message, as the transports do it.
void intake(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    const std::optional<QString> strictError = json::controlCharacterError(body);
    if (json::isStrictJson(body))
        FUZZ_CHECK(!strictError.has_value());
    if (parseError.error != QJsonParseError::NoError) {
        QJsonParseError scalarError;
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + body + ']', &scalarError);
        (void)wrapped;
        return; // a lone scalar or a syntax error: answered with an error
    }
    if (strictError) {
        FUZZ_CHECK(!strictError->isEmpty());
        return;
    }
    if (doc.isArray()) {
        for (const QJsonValue &v : doc.array())
            checkMessage(v.toObject());
        return;
    }
    if (doc.isObject())
        checkMessage(doc.object());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    intake(body);
    intake(body.trimmed()); // the stdio transport trims the line
    return 0;
}
