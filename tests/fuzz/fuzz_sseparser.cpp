// libFuzzer target: the text/event-stream parser (upstream/sseparser.h). Byte 0 picks the
// pieces the rest is fed in; the events, the last event id and the retry must be the same as
// when the stream arrives in one piece.

#include "fuzzsupport.h"
#include "upstream/sseparser.h"

#include <QByteArray>
#include <QList>

#include <cstdint>

using metamcp::SseEvent;
using metamcp::SseParser;

namespace {

struct Outcome
{
    QList<SseEvent> events;
    QString lastEventId;
    int retryMs = -1;
    bool operator==(const Outcome &) const = default;
};

Outcome parseAll(QByteArrayView input, const std::vector<qsizetype> &cuts)
{
    SseParser parser;
    Outcome outcome;
    qsizetype from = 0;
    for (size_t i = 0; i <= cuts.size(); ++i) {
        const qsizetype to = i < cuts.size() ? cuts[i] : input.size();
        outcome.events += parser.feed(input.sliced(from, to - from));
        from = to;
    }
    outcome.lastEventId = parser.lastEventId();
    outcome.retryMs = parser.retryMs();
    for (const SseEvent &e : outcome.events)
        FUZZ_CHECK(!e.id.contains(QChar(0)));
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const Outcome whole = parseAll(input, {});
    const Outcome split = parseAll(input, metamcp::fuzz::cutsFrom(data[0], input.size()));
    FUZZ_CHECK(whole == split);
    // A reset parser is a new stream: the same bytes give the same events again.
    SseParser parser;
    parser.feed(input);
    parser.reset();
    FUZZ_CHECK(parser.feed(input) == whole.events);
    return 0;
}
