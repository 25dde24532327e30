#pragma once

// The phased call pipeline (docs/ARCHITECTURE.md, "The call pipeline"), in the spirit of Envoy's
// filter chain on one thread: a call passes an ordered list of small stages, each in one of
// fixed, named phases. A stage returns Continue (the next stage runs at once) or Stop: then it
// owns the call until it resumes it (after an asynchronous look-up: Redis, JWKS, a registry
// still loading) or answers it itself (a 429, a cache hit, a validation error). When every stage
// continued, the pipeline's terminal forwards the call. Every answer, error and cancellation
// goes through one completion point (the Router's), which feeds the record phase's observers.
//
// The order of the phases is the order of trust and cost: who is calling (identify), may they
// (authorize, which also resolves the tool and checks its arguments), may they now (admit:
// quotas, rate limits), is the answer known (look up: cache), can the upstream take it
// (protect: readiness, circuit breaker, bulkhead), then forward and record. A call stopped in an
// earlier phase never reaches a later one, so a call that is refused burns no quota by
// construction. Gateway thread only.

#include "http/httptypes.h"
#include "model/principal.h"

#include <QDeadlineTimer>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace metamcp {

enum class CallPhase { Identify, Authorize, Admit, LookUp, Protect, Forward, Record };
QString callPhaseName(CallPhase phase); // "identify", "authorize", ...

// A stage's verdict on a call, kept with the call (the call event and the inspector show them).
struct CallDecision
{
    QString stage;
    CallPhase phase = CallPhase::Identify;
    QString outcome; // "continue", "stop", "reply", "resume"
    QString reason;  // free text: what the stage saw or did
};

// An answer the gateway gives itself instead of forwarding: a JSON-RPC response (an error or a
// result) and, for transports that have them, an HTTP status and headers (a 429 with
// Retry-After, a WWW-Authenticate challenge). Where a status cannot be sent any more (inside a
// stream, over stdio) the completion point puts status and headers into the error's data.
struct LocalReply
{
    QJsonObject response;
    int httpStatus = 0; // 0: the transport's default
    http::HttpHeaders headers;
};

// What the stages of one call see and may change.
struct CallContext
{
    Principal principal;
    QString ns;
    QString method;
    QString tool;         // the exposed name
    QString upstream;     // the server that serves it, once resolved
    QString upstreamTool; // its name at the upstream
    QJsonObject arguments;
    bool argumentsNull = false; // "arguments": null was sent (forwarded without arguments)
    QDeadlineTimer deadline = QDeadlineTimer(QDeadlineTimer::Forever);
    QString traceParent; // W3C traceparent of the request, if any
    bool waitedForRegistry = false;
    QList<CallDecision> decisions;
    int stage = 0; // index of the stage that runs or holds the call
};

// A stage's handle on its call. Valid after the call ended (then everything is a no-op).
class CallControl
{
public:
    virtual ~CallControl() = default;
    virtual CallContext &context() = 0;
    // After a Stop: run the next stage (or forward, after the last).
    virtual void resume() = 0;
    // After a Stop, or instead of continuing (then return Stop): answer the call now.
    virtual void reply(const LocalReply &reply) = 0;
    // Answered, failed or cancelled: a stopped stage may drop its work.
    virtual bool isDone() const = 0;
    // Called once if the client cancels the call while a stage holds it.
    virtual void onCancel(std::function<void()> cancelled) = 0;
    // Records a decision (the pipeline records continue/stop itself).
    virtual void note(const QString &outcome, const QString &reason) = 0;
};
using CallControlPtr = std::shared_ptr<CallControl>;

class CallStage
{
public:
    enum class Result { Continue, Stop };
    virtual ~CallStage() = default;
    virtual QString name() const = 0;
    virtual CallPhase phase() const = 0;
    virtual Result onCall(const CallControlPtr &call) = 0;
};

// A stage made of a function (the Router's built-in stages).
class FunctionStage final : public CallStage
{
public:
    using Fn = std::function<Result(const CallControlPtr &call)>;
    FunctionStage(QString name, CallPhase phase, Fn fn)
        : m_name(std::move(name))
        , m_phase(phase)
        , m_fn(std::move(fn))
    {}
    QString name() const override { return m_name; }
    CallPhase phase() const override { return m_phase; }
    Result onCall(const CallControlPtr &call) override { return m_fn(call); }

private:
    QString m_name;
    CallPhase m_phase;
    Fn m_fn;
};

// The ordered stages: by phase, and in the order added within a phase. Forward and Record are
// no stage's phase: forwarding is the terminal, recording the observers of the completion point.
class CallPipeline
{
public:
    // Adding a stage is one line; false (and not added) for the Forward or Record phase.
    bool addStage(std::shared_ptr<CallStage> stage);
    int size() const { return int(m_stages.size()); }
    const CallStage &stage(int index) const { return *m_stages.at(size_t(index)); }
    QStringList describe() const; // "phase/name" in order (for docs and tests)

    // Runs the stages of `call` from `from` on: returns the index of the stage that stopped, or
    // size() when all continued (the caller forwards then).
    int run(const CallControlPtr &call, int from) const;

private:
    std::vector<std::shared_ptr<CallStage>> m_stages;
};

} // namespace metamcp
