#include "models/metrichistorymodel.h"

#include <QLocale>

#include <algorithm>

namespace metamcp::ui {

MetricHistoryModel::MetricHistoryModel(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max<qsizetype>(1, capacity))
{}

int MetricHistoryModel::columnOf(const QString &series) const
{
    const qsizetype i = m_series.indexOf(series);
    return i < 0 ? -1 : int(i) + 1;
}

void MetricHistoryModel::addSample(const MetricSample &sample)
{
    // New series first (sorted for a stable column order within one sample).
    QStringList names = sample.values.keys();
    names.sort();
    for (const QString &name : std::as_const(names)) {
        if (m_series.contains(name))
            continue;
        const int column = int(m_series.size()) + 1;
        beginInsertColumns({}, column, column);
        m_series.append(name);
        endInsertColumns();
        Q_EMIT seriesAdded(name);
    }

    Row row;
    row.msecs = (sample.time.isValid() ? sample.time : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch();
    row.values.resize(std::size_t(m_series.size()));
    for (auto it = sample.values.cbegin(); it != sample.values.cend(); ++it)
        row.values[std::size_t(m_series.indexOf(it.key()))] = it.value();

    if (m_count == m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_head = (m_head + 1) % m_capacity;
        --m_count;
        endRemoveRows();
    }
    beginInsertRows({}, int(m_count), int(m_count));
    const auto slot = std::size_t((m_head + m_count) % m_capacity);
    if (slot >= m_ring.size())
        m_ring.push_back(std::move(row));
    else
        m_ring[slot] = std::move(row);
    ++m_count;
    endInsertRows();
    Q_EMIT sampleAdded();
}

void MetricHistoryModel::clear()
{
    beginResetModel();
    m_ring.clear();
    m_head = 0;
    m_count = 0;
    endResetModel();
}

double MetricHistoryModel::latest(const QString &series) const
{
    const int column = columnOf(series);
    if (column < 0 || m_count == 0)
        return 0.0;
    return valueOf(at(m_count - 1), column - 1);
}

QDateTime MetricHistoryModel::latestTime() const
{
    return m_count ? QDateTime::fromMSecsSinceEpoch(at(m_count - 1).msecs) : QDateTime();
}

QList<QPointF> MetricHistoryModel::points(const QString &series, const QDateTime &since, int maxPoints) const
{
    QList<QPointF> out;
    const int column = columnOf(series);
    if (column < 0 || m_count == 0)
        return out;
    const qint64 from = since.toMSecsSinceEpoch();
    // First row at or after `since` (times grow with rows).
    qsizetype lo = 0;
    qsizetype hi = m_count;
    while (lo < hi) {
        const qsizetype mid = (lo + hi) / 2;
        if (at(mid).msecs < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    const qsizetype n = m_count - lo;
    if (n <= 0)
        return out;
    const qsizetype step = std::max<qsizetype>(1, (n + maxPoints - 1) / std::max(1, maxPoints));
    out.reserve(n / step + 1);
    for (qsizetype i = lo; i < m_count; i += step) {
        double value = valueOf(at(i), column - 1);
        const qsizetype end = std::min(m_count, i + step);
        for (qsizetype j = i + 1; j < end; ++j)
            value = std::max(value, valueOf(at(j), column - 1));
        out.append(QPointF(double(at(end - 1).msecs), value));
    }
    return out;
}

int MetricHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_count);
}

int MetricHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_series.size()) + 1;
}

QVariant MetricHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = at(index.row());
    if (index.column() == 0) {
        if (role == Qt::DisplayRole)
            return QDateTime::fromMSecsSinceEpoch(row.msecs).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
        if (role == Qt::EditRole || role == Qt::UserRole)
            return row.msecs;
        return {};
    }
    const double value = valueOf(row, index.column() - 1);
    if (role == Qt::DisplayRole)
        return QLocale().toString(value, 'g', 4);
    if (role == Qt::EditRole || role == Qt::UserRole)
        return value;
    return {};
}

QVariant MetricHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == 0)
        return tr("Time");
    if (section > 0 && section <= m_series.size())
        return m_series.at(section - 1);
    return {};
}

} // namespace metamcp::ui
