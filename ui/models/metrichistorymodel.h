#pragma once

// The dashboard's metric history: one row per MetricSample (once a second), one column per
// named series, in a bounded ring buffer (one hour by default). Series are discovered from the
// samples, so the gateway can add series (cache hit rate, 429s, breaker states...) without
// changes here: a new name adds a column (seriesAdded).

#include "model/events.h"

#include <QAbstractTableModel>
#include <QPointF>

#include <vector>

namespace metamcp::ui {

class MetricHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricHistoryModel)
public:
    static constexpr qsizetype kDefaultCapacity = 3600;

    explicit MetricHistoryModel(qsizetype capacity = kDefaultCapacity, QObject *parent = nullptr);

    qsizetype capacity() const { return m_capacity; }
    void addSample(const MetricSample &sample);
    void clear();

    QStringList seriesNames() const { return m_series; }
    int columnOf(const QString &series) const; // -1 if unknown
    // Newest value of a series (0 if none).
    double latest(const QString &series) const;
    QDateTime latestTime() const;
    // Points (x: ms since epoch, y: value) from `since` on; when there are more than
    // `maxPoints`, consecutive samples are merged keeping the maximum (peaks stay visible).
    QList<QPointF> points(const QString &series, const QDateTime &since, int maxPoints = 600) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override; // 1 (time) + series
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void seriesAdded(const QString &series);
    void sampleAdded();

private:
    struct Row
    {
        qint64 msecs = 0;
        std::vector<double> values; // by series index; shorter rows predate later series
    };
    const Row &at(qsizetype row) const { return m_ring[std::size_t((m_head + row) % m_capacity)]; }
    static double valueOf(const Row &row, int series)
    {
        return series < int(row.values.size()) ? row.values[std::size_t(series)] : 0.0;
    }

    qsizetype m_capacity;
    std::vector<Row> m_ring;
    qsizetype m_head = 0;
    qsizetype m_count = 0;
    QStringList m_series;
};

} // namespace metamcp::ui
