// libFuzzer target: the one message intake every transport uses (mcp/intake.h): parse (a lone
// scalar told apart from a syntax error, RFC 8259 strictness), classify for the object or every
// member of a batch, the 2026-07-28 checks, and the id helpers. Checks that
// strict text never gets a strictness error, and that a success response spliced back together
// (jsonrpc::resultMessage) is found by json::scanSuccessResponse with its id and result.

#include "fuzzsupport.h"
#include "mcp/intake.h"
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

// The intake of one client message (mcp/intake.h), as every transport runs it.
void takeIn(const QByteArray &body)
{
    if (json::isStrictJson(body))
        FUZZ_CHECK(!json::controlCharacterError(body).has_value());
    const intake::Parsed parsed = intake::parse(body);
    if (parsed.rejection) {
        FUZZ_CHECK(parsed.rejection->code == -32700 || parsed.rejection->code == -32600);
        FUZZ_CHECK(!parsed.rejection->message.isEmpty());
        return;
    }
    QList<QJsonObject> messages;
    if (parsed.batch) {
        for (const QJsonValue &v : *parsed.batch)
            messages << v.toObject();
    } else {
        messages << parsed.object;
    }
    for (const QJsonObject &message : std::as_const(messages)) {
        checkMessage(message);
        const intake::Classified classified = intake::classify(message);
        FUZZ_CHECK((classified.kind == jsonrpc::Kind::Invalid) == classified.rejection.has_value());
        if (classified.rejection)
            FUZZ_CHECK(jsonrpc::isValidId(classified.rejection->id) || classified.rejection->id.isNull());
        if (classified.kind != jsonrpc::Kind::Invalid && intake::isStateless(message)) {
            const intake::StatelessCheck check = intake::checkStateless(message, nullptr, {});
            if (check.outcome == intake::StatelessCheck::Outcome::Reject)
                FUZZ_CHECK(check.rejection.code != 0 && !check.rejection.message.isEmpty());
            else
                FUZZ_CHECK(check.version == mcp::V2026_07_28);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    takeIn(body);
    takeIn(body.trimmed()); // the stdio transport trims the line
    return 0;
}
