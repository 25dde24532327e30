#include "models/trafficmodel.h"

#include "common/uiutil.h"

#include <QGuiApplication>
#include <QJsonDocument>
#include <QPalette>
#include <QTimer>

#include <algorithm>

namespace metamcp::ui {

TrafficModel::TrafficModel(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max<qsizetype>(1, capacity))
    , m_flushTimer(new QTimer(this))
{
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kFlushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &TrafficModel::flush);
}

TrafficModel::~TrafficModel() = default;

void TrafficModel::setCapacity(qsizetype capacity)
{
    capacity = std::max<qsizetype>(1, capacity);
    if (capacity == m_capacity)
        return;
    const qsizetype drop = std::max<qsizetype>(0, m_count - capacity);
    if (drop > 0) {
        beginRemoveRows({}, 0, int(drop - 1));
        m_head = (m_head + drop) % m_capacity;
        m_count -= drop;
    }
    // Linearise the kept rows into a new buffer of the new size.
    std::vector<CallEvent> ring;
    ring.reserve(std::size_t(m_count));
    for (qsizetype i = 0; i < m_count; ++i)
        ring.push_back(std::move(m_ring[std::size_t((m_head + i) % m_capacity)]));
    m_ring = std::move(ring);
    m_head = 0;
    m_capacity = capacity;
    if (drop > 0)
        endRemoveRows();
    if (m_pending.size() > m_capacity)
        m_pending.remove(0, m_pending.size() - m_capacity);
}

void TrafficModel::append(const QList<CallEvent> &events)
{
    if (events.isEmpty())
        return;
    m_pending.append(events);
    // Bounded while paused (or if the timer cannot keep up): only the newest fit anyway.
    if (m_pending.size() > m_capacity)
        m_pending.remove(0, m_pending.size() - m_capacity);
    if (!m_paused && !m_flushTimer->isActive())
        m_flushTimer->start();
    Q_EMIT pendingChanged(m_pending.size());
}

void TrafficModel::flush()
{
    m_flushTimer->stop();
    if (m_pending.isEmpty())
        return;
    QList<CallEvent> batch = std::exchange(m_pending, {});
    const qsizetype n = std::min<qsizetype>(batch.size(), m_capacity);
    const qsizetype first = batch.size() - n; // skip what would fall out at once

    // 1. Rows that leave the ring (the oldest), in one removal.
    const qsizetype overflow = std::max<qsizetype>(0, m_count + n - m_capacity);
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow - 1));
        for (qsizetype i = 0; i < overflow; ++i)
            m_ring[std::size_t((m_head + i) % m_capacity)] = CallEvent{}; // release bodies now
        m_head = (m_head + overflow) % m_capacity;
        m_count -= overflow;
        endRemoveRows();
    }

    // 2. The new rows, in one insertion at the end.
    if (qsizetype(m_ring.size()) < m_capacity && qsizetype(m_ring.size()) < m_count + n)
        m_ring.resize(std::size_t(std::min(m_capacity, m_count + n)));
    beginInsertRows({}, int(m_count), int(m_count + n - 1));
    for (qsizetype i = 0; i < n; ++i) {
        CallEvent &slot = m_ring[std::size_t((m_head + m_count + i) % m_capacity)];
        slot = std::move(batch[first + i]);
        if (!m_methods.contains(slot.method)) {
            m_methods.insert(slot.method);
            Q_EMIT methodSeen(slot.method);
        }
        if (!m_namespaces.contains(slot.ns)) {
            m_namespaces.insert(slot.ns);
            Q_EMIT namespaceSeen(slot.ns);
        }
    }
    m_count += n;
    m_total += quint64(n);
    endInsertRows();
    Q_EMIT pendingChanged(0);
}

void TrafficModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!m_paused && !m_pending.isEmpty())
        m_flushTimer->start();
}

void TrafficModel::clear()
{
    beginResetModel();
    m_ring.clear();
    m_ring.shrink_to_fit();
    m_head = 0;
    m_count = 0;
    m_pending.clear();
    endResetModel();
    Q_EMIT pendingChanged(0);
}

const CallEvent &TrafficModel::event(int row) const
{
    Q_ASSERT(row >= 0 && row < m_count);
    return at(row);
}

int TrafficModel::rowOfSeq(quint64 seq) const
{
    // Sequence numbers grow with the rows: binary search.
    int lo = 0;
    int hi = int(m_count) - 1;
    while (lo <= hi) {
        const int mid = (lo + hi) / 2;
        const quint64 s = at(mid).seq;
        if (s == seq)
            return mid;
        if (s < seq)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    // Not sorted (events from several sources)? Fall back to a scan.
    for (int row = 0; row < m_count; ++row)
        if (at(row).seq == seq)
            return row;
    return -1;
}

QJsonObject TrafficModel::eventToJson(const CallEvent &e)
{
    QJsonObject o{{QStringLiteral("seq"), qint64(e.seq)},
                  {QStringLiteral("time"), e.time.toUTC().toString(Qt::ISODateWithMs)},
                  {QStringLiteral("session"), e.sessionId},
                  {QStringLiteral("client"), e.client},
                  {QStringLiteral("namespace"), e.ns},
                  {QStringLiteral("direction"), e.direction},
                  {QStringLiteral("method"), e.method},
                  {QStringLiteral("tool"), e.tool},
                  {QStringLiteral("upstream"), e.upstream},
                  {QStringLiteral("status"), e.status},
                  {QStringLiteral("statusText"), e.statusText},
                  {QStringLiteral("latencyUs"), e.latencyUs},
                  {QStringLiteral("requestBytes"), e.requestBytes},
                  {QStringLiteral("responseBytes"), e.responseBytes}};
    if (!e.request.isEmpty())
        o.insert(QStringLiteral("request"), e.request);
    if (!e.response.isEmpty())
        o.insert(QStringLiteral("response"), e.response);
    if (!e.notifications.isEmpty())
        o.insert(QStringLiteral("notifications"), e.notifications);
    return o;
}

QByteArray TrafficModel::toJsonl(const QList<int> &rows) const
{
    QByteArray out;
    for (int row : rows) {
        if (row < 0 || row >= m_count)
            continue;
        out += QJsonDocument(eventToJson(at(row))).toJson(QJsonDocument::Compact);
        out += '\n';
    }
    return out;
}

QStringList TrafficModel::methods() const
{
    QStringList list(m_methods.cbegin(), m_methods.cend());
    list.sort();
    return list;
}

QStringList TrafficModel::namespaces() const
{
    QStringList list(m_namespaces.cbegin(), m_namespaces.cend());
    list.sort();
    return list;
}

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_count);
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString statusDisplay(const CallEvent &e)
{
    if (e.status == 0)
        return e.latencyUs < 0 ? TrafficModel::tr("notification") : TrafficModel::tr("ok");
    if (e.status == 1)
        return TrafficModel::tr("tool error");
    return TrafficModel::tr("error %1").arg(e.status);
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CallEvent &e = at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return e.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        case SessionColumn:
            // UUIDs are long: their first characters are enough to tell sessions apart.
            return e.sessionId.size() > 16 ? e.sessionId.left(8) + QStringLiteral("…") : e.sessionId;
        case ClientColumn:
            return e.client;
        case NamespaceColumn:
            return e.ns;
        case MethodColumn:
            return e.method;
        case ToolColumn:
            return e.tool;
        case UpstreamColumn:
            return e.upstream;
        case StatusColumn:
            return statusDisplay(e);
        case LatencyColumn:
            return formatLatencyUs(e.latencyUs);
        case SizeColumn:
            return formatBytes(e.requestBytes + e.responseBytes);
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case SessionColumn:
            return e.sessionId;
        case StatusColumn:
            return e.statusText;
        case SizeColumn:
            return tr("Request %1, response %2").arg(formatBytes(e.requestBytes), formatBytes(e.responseBytes));
        case TimeColumn:
            return e.time.toLocalTime().toString(Qt::ISODateWithMs);
        }
        return {};
    case Qt::ForegroundRole:
        if (e.status != 0 && (index.column() == StatusColumn || index.column() == MethodColumn))
            return e.status == 1 ? warningColor(QGuiApplication::palette()) : errorColor(QGuiApplication::palette());
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == LatencyColumn || index.column() == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case MethodRole:
        return e.method;
    case StatusCodeRole:
        return e.status;
    case NamespaceRole:
        return e.ns;
    case SeqRole:
        return QVariant::fromValue(e.seq);
    case LatencyUsRole:
        return e.latencyUs;
    case SearchTextRole:
        return QStringList{e.method, e.tool, e.upstream, e.client, e.sessionId, e.ns, e.statusText}
            .join(QLatin1Char('\n'))
            .toLower();
    }
    return {};
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SessionColumn:
        return tr("Session");
    case ClientColumn:
        return tr("Client");
    case NamespaceColumn:
        return tr("Namespace");
    case MethodColumn:
        return tr("Method");
    case ToolColumn:
        return tr("Tool");
    case UpstreamColumn:
        return tr("Upstream");
    case StatusColumn:
        return tr("Status");
    case LatencyColumn:
        return tr("Latency");
    case SizeColumn:
        return tr("Size");
    }
    return {};
}

} // namespace metamcp::ui
