#pragma once

// Turns call events into one MetricSample a second: request and error rates and latency
// percentiles of the last second (from a log-linear histogram, so percentiles cost O(buckets)),
// active sessions, in-flight calls and upstream states. Also keeps cumulative counters and
// latency histograms labelled by namespace, upstream, method and outcome, written in the
// Prometheus text format (GET /metrics). An observer of the Router's completion point
// (core/observers.h). Gateway thread.

#include "core/observers.h"
#include "model/events.h"

#include <QMap>

#include <QObject>

#include <array>
#include <functional>

namespace metamcp {

class LatencyHistogram
{
public:
    void add(qint64 micros);
    void clear();
    qint64 count() const { return m_count; }
    // Upper bound of the bucket holding the q-quantile (0..1), in microseconds.
    double quantileUs(double q) const;

private:
    static int bucketOf(qint64 micros);
    static double bucketUpperUs(int bucket);
    static constexpr int kBuckets = 8 * 40; // 8 sub-buckets per power of two, 1 us .. ~12 days
    std::array<quint32, kBuckets> m_buckets{};
    qint64 m_count = 0;
};

class MetricsCollector final : public QObject, public CallObserver
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsCollector)
public:
    using StatusProvider = std::function<QList<UpstreamStatus>()>;
    using GaugeProvider = std::function<double()>;

    explicit MetricsCollector(QObject *parent = nullptr);

    void setUpstreamStatusProvider(StatusProvider provider) { m_statuses = std::move(provider); }
    // Extra series sampled once a second (e.g. "active_sessions").
    void addGauge(const QString &name, GaugeProvider provider);
    void record(const CallEvent &event);
    void onCallEvent(const CallEvent &event) override { record(event); }

    // The Prometheus text exposition (format 0.0.4) of the cumulative series: calls by
    // namespace, upstream, method and outcome, their latency histograms, and the gauges
    // (upstream up, sessions) from the providers.
    QByteArray prometheusText() const;
    // The label value for a method: known MCP methods as they are, anything else "other" (a
    // client chooses the method: no unbounded label values).
    static QString methodLabel(const QString &method);
    // "ok", "tool_error", "cancelled" or "error".
    static QString outcomeLabel(int status);

    // Totals since start, for the daemon's log and /metrics.
    quint64 totalRequests() const { return m_totalRequests; }
    quint64 totalErrors() const { return m_totalErrors; }

Q_SIGNALS:
    void sample(const metamcp::MetricSample &sample);

private:
    void tick();

    StatusProvider m_statuses;
    QList<std::pair<QString, GaugeProvider>> m_gauges;
    LatencyHistogram m_histogram;
    quint64 m_requests = 0;
    quint64 m_errors = 0;
    quint64 m_totalRequests = 0;
    quint64 m_totalErrors = 0;

    struct Series
    {
        quint64 count = 0;
    };
    struct Durations
    {
        std::array<quint64, 12> buckets{}; // cumulative at write time; here per bucket
        quint64 count = 0;
        double sumSeconds = 0;
    };
    // "namespace\x1fupstream\x1fmethod\x1foutcome" -> count; "namespace\x1fupstream" -> durations
    QMap<QString, Series> m_calls;
    QMap<QString, Durations> m_durations;
};

} // namespace metamcp
