#include "core/metrics.h"

#include <QTimer>

#include <bit>
#include <cmath>

namespace metamcp {

int LatencyHistogram::bucketOf(qint64 micros)
{
    if (micros < 1)
        micros = 1;
    const auto v = static_cast<quint64>(micros);
    const int exponent = 63 - std::countl_zero(v); // floor(log2)
    const int sub = exponent >= 3 ? int((v >> (exponent - 3)) & 7) : int((v << (3 - exponent)) & 7);
    return std::min(kBuckets - 1, exponent * 8 + sub);
}

double LatencyHistogram::bucketUpperUs(int bucket)
{
    const int exponent = bucket / 8;
    const int sub = bucket % 8;
    return std::ldexp(1.0 + (sub + 1) / 8.0, exponent);
}

void LatencyHistogram::add(qint64 micros)
{
    ++m_buckets[bucketOf(micros)];
    ++m_count;
}

void LatencyHistogram::clear()
{
    m_buckets.fill(0);
    m_count = 0;
}

double LatencyHistogram::quantileUs(double q) const
{
    if (m_count == 0)
        return 0;
    const auto rank = static_cast<qint64>(std::ceil(q * double(m_count)));
    qint64 seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += m_buckets[i];
        if (seen >= std::max<qint64>(rank, 1))
            return bucketUpperUs(i);
    }
    return bucketUpperUs(kBuckets - 1);
}

MetricsCollector::MetricsCollector(QObject *parent)
    : QObject(parent)
{
    auto *timer = new QTimer(this);
    timer->setTimerType(Qt::PreciseTimer);
    connect(timer, &QTimer::timeout, this, &MetricsCollector::tick);
    timer->start(1000);
}

void MetricsCollector::addGauge(const QString &name, GaugeProvider provider)
{
    m_gauges.append({name, std::move(provider)});
}

void MetricsCollector::record(const CallEvent &event)
{
    if (event.latencyUs < 0)
        return; // notifications
    ++m_requests;
    ++m_totalRequests;
    if (event.status != 0 && event.status != 1) {
        ++m_errors;
        ++m_totalErrors;
    }
    m_histogram.add(event.latencyUs);
}

void MetricsCollector::tick()
{
    MetricSample s;
    s.time = QDateTime::currentDateTimeUtc();
    s.values.insert(QStringLiteral("requests_per_s"), double(m_requests));
    s.values.insert(QStringLiteral("errors_per_s"), double(m_errors));
    s.values.insert(QStringLiteral("error_rate"), m_requests ? double(m_errors) / double(m_requests) : 0.0);
    s.values.insert(QStringLiteral("latency_p50_ms"), m_histogram.quantileUs(0.50) / 1000.0);
    s.values.insert(QStringLiteral("latency_p95_ms"), m_histogram.quantileUs(0.95) / 1000.0);
    s.values.insert(QStringLiteral("latency_p99_ms"), m_histogram.quantileUs(0.99) / 1000.0);
    for (const auto &[name, gauge] : std::as_const(m_gauges))
        s.values.insert(name, gauge());
    if (m_statuses)
        s.upstreams = m_statuses();
    m_requests = 0;
    m_errors = 0;
    m_histogram.clear();
    Q_EMIT sample(s);
}

} // namespace metamcp
