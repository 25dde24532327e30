// libFuzzer target: the HTTP response parser (http/httpresponseparser.h) on arbitrary bytes.
// Byte 0 picks the pieces the rest is fed in, byte 1 whether the request was HEAD (bit 0) and
// whether the connection closes after the bytes (bit 1). Responses that follow a complete one
// are parsed too (as on a kept-alive connection). The outcome must be the same as when the
// bytes are fed whole.

#include "fuzzsupport.h"
#include "http/httpresponseparser.h"

#include <QByteArray>
#include <QList>

#include <cstdint>

using metamcp::http::HttpResponseParser;

namespace {

constexpr qint64 kMaxHeaderBytes = 2048;
constexpr qint64 kMaxBodyBytes = 4096;

QList<QByteArray> parseAll(const QByteArray &input, const std::vector<qsizetype> &cuts, bool head, bool eof)
{
    HttpResponseParser parser;
    parser.setLimits(kMaxHeaderBytes, kMaxBodyBytes);
    parser.reset(head);
    QList<QByteArray> outcome;
    QByteArray buffer;
    qsizetype pos = 0;
    size_t piece = 0;
    qsizetype fed = 0;
    auto record = [&](HttpResponseParser::Result result) {
        const auto &m = parser.message();
        QByteArray line = QByteArray::number(int(result)) + ' ' + QByteArray::number(m.status) + ' ' + m.reason +
                          (parser.keepAlive() ? " keep-alive" : " close") + ' ' + parser.error().toUtf8();
        for (const auto &h : m.headers)
            line += '\n' + h.first + ": " + h.second;
        outcome << line << m.body;
    };
    for (int messages = 0; messages < 16;) {
        qsizetype consumed = 0;
        HttpResponseParser::Result result = parser.feed(buffer.constData() + pos, buffer.size() - pos, &consumed);
        FUZZ_CHECK(consumed >= 0 && consumed <= buffer.size() - pos);
        pos += consumed;
        FUZZ_CHECK(parser.message().body.size() <= kMaxBodyBytes);
        if (result == HttpResponseParser::Result::Complete) {
            FUZZ_CHECK(parser.isComplete());
            FUZZ_CHECK(parser.message().status >= 200 && parser.message().status <= 999);
            record(result);
            parser.reset(head);
            ++messages;
            continue;
        }
        if (result != HttpResponseParser::Result::NeedMore) {
            FUZZ_CHECK(parser.isFailed() && !parser.error().isEmpty());
            record(result);
            break;
        }
        if (fed >= input.size()) {
            if (eof) {
                result = parser.finishAtEof();
                FUZZ_CHECK(result == HttpResponseParser::Result::Complete || !parser.error().isEmpty());
                record(result);
            }
            break;
        }
        const qsizetype end = piece < cuts.size() ? cuts[piece++] : input.size();
        buffer.append(input.mid(fed, end - fed));
        fed = end;
    }
    // hasStarted() is what a retry decides by, so it only counts while the parser waits.
    const bool waiting = outcome.isEmpty() || parser.isComplete() || !parser.isFailed();
    outcome << "left " + QByteArray::number(buffer.size() - pos + input.size() - fed) +
                   (waiting && parser.hasStarted() ? " started" : "");
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const bool head = data[1] & 1;
    const bool eof = data[1] & 2;
    const QByteArray input(reinterpret_cast<const char *>(data) + 2, qsizetype(size - 2));
    const QList<QByteArray> whole = parseAll(input, {}, head, eof);
    const QList<QByteArray> split = parseAll(input, metamcp::fuzz::cutsFrom(data[0], input.size()), head, eof);
    FUZZ_CHECK(metamcp::fuzz::sameOutcome(whole, split));
    return 0;
}
