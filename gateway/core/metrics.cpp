#include "core/metrics.h"

#include <QTimer>

#include <bit>
#include <cmath>

namespace metamcp {

// Upper bounds (seconds) of the latency histogram's buckets in /metrics.
constexpr std::array<double, 12> kDurationBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

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

    const QChar sep(0x1f);
    ++m_calls[event.ns + sep + event.upstream + sep + methodLabel(event.method) + sep + outcomeLabel(event.status)]
          .count;
    Durations &d = m_durations[event.ns + sep + event.upstream];
    const double seconds = double(event.latencyUs) / 1e6;
    for (size_t i = 0; i < d.buckets.size(); ++i)
        if (seconds <= kDurationBuckets[i]) {
            ++d.buckets[i];
            break;
        }
    ++d.count;
    d.sumSeconds += seconds;
}

QString MetricsCollector::methodLabel(const QString &method)
{
    static const QStringList known = {QStringLiteral("initialize"),
                                      QStringLiteral("ping"),
                                      QStringLiteral("tools/list"),
                                      QStringLiteral("tools/call"),
                                      QStringLiteral("prompts/list"),
                                      QStringLiteral("prompts/get"),
                                      QStringLiteral("resources/list"),
                                      QStringLiteral("resources/templates/list"),
                                      QStringLiteral("resources/read"),
                                      QStringLiteral("resources/subscribe"),
                                      QStringLiteral("resources/unsubscribe"),
                                      QStringLiteral("completion/complete"),
                                      QStringLiteral("logging/setLevel"),
                                      QStringLiteral("server/discover"),
                                      QStringLiteral("subscriptions/listen"),
                                      QStringLiteral("tasks/get"),
                                      QStringLiteral("tasks/update"),
                                      QStringLiteral("tasks/cancel")};
    return known.contains(method) ? method : QStringLiteral("other");
}

QString MetricsCollector::outcomeLabel(int status)
{
    switch (status) {
    case 0:
        return QStringLiteral("ok");
    case 1:
        return QStringLiteral("tool_error");
    case -32800:
        return QStringLiteral("cancelled");
    default:
        return QStringLiteral("error");
    }
}

namespace {

// A label value as the text format wants it: backslash, double quote and line feed escaped.
QByteArray labelValue(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out.append("\\\\");
        else if (c == '"')
            out.append("\\\"");
        else if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out;
}

QByteArray number(double v)
{
    return QByteArray::number(v, 'g', 12);
}

} // namespace

QByteArray MetricsCollector::prometheusText() const
{
    const QChar sep(0x1f);
    QByteArray out;
    out.append("# HELP metamcp_calls_total Client requests the gateway completed, by namespace, upstream, method and "
               "outcome.\n# TYPE metamcp_calls_total counter\n");
    for (auto it = m_calls.cbegin(); it != m_calls.cend(); ++it) {
        const QStringList k = it.key().split(sep);
        out.append("metamcp_calls_total{namespace=\"" + labelValue(k.value(0)) + "\",upstream=\"" +
                   labelValue(k.value(1)) + "\",method=\"" + labelValue(k.value(2)) + "\",outcome=\"" +
                   labelValue(k.value(3)) + "\"} " + QByteArray::number(it->count) + '\n');
    }
    out.append("# HELP metamcp_call_duration_seconds Time from a request's arrival to its answer.\n"
               "# TYPE metamcp_call_duration_seconds histogram\n");
    for (auto it = m_durations.cbegin(); it != m_durations.cend(); ++it) {
        const QStringList k = it.key().split(sep);
        const QByteArray labels =
            "namespace=\"" + labelValue(k.value(0)) + "\",upstream=\"" + labelValue(k.value(1)) + '"';
        quint64 cumulative = 0;
        for (size_t i = 0; i < it->buckets.size(); ++i) {
            cumulative += it->buckets[i];
            out.append("metamcp_call_duration_seconds_bucket{" + labels + ",le=\"" + number(kDurationBuckets[i]) +
                       "\"} " + QByteArray::number(cumulative) + '\n');
        }
        out.append("metamcp_call_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + QByteArray::number(it->count) +
                   '\n');
        out.append("metamcp_call_duration_seconds_sum{" + labels + "} " + number(it->sumSeconds) + '\n');
        out.append("metamcp_call_duration_seconds_count{" + labels + "} " + QByteArray::number(it->count) + '\n');
    }
    if (m_statuses) {
        out.append("# HELP metamcp_upstream_up Whether an upstream server is ready (1) or not (0).\n"
                   "# TYPE metamcp_upstream_up gauge\n");
        for (const UpstreamStatus &s : m_statuses())
            out.append("metamcp_upstream_up{upstream=\"" + labelValue(s.name) + "\"} " +
                       (s.state == UpstreamState::Ready ? "1" : "0") + '\n');
    }
    for (const auto &[name, gauge] : m_gauges) {
        const QByteArray metric = "metamcp_" + name.toLatin1();
        out.append("# TYPE " + metric + " gauge\n" + metric + ' ' + number(gauge()) + '\n');
    }
    return out;
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
