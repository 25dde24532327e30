#pragma once

// The traffic inspector's table: a bounded ring buffer of CallEvents.
//
// Incoming events (from Gateway::callEvents, already batched every 50 ms) are queued and
// applied on a timer (kFlushIntervalMs) with one beginRemoveRows (oldest rows that fall out
// of the ring) and one beginInsertRows per flush, so a view sees at most a few updates per
// second however fast messages arrive. While paused, events stay queued (bounded by the
// capacity) and appear on resume.
//
// Lives on the GUI thread.

#include "model/events.h"

#include <QAbstractTableModel>
#include <QSet>

#include <vector>

class QTimer;

namespace metamcp::ui {

class TrafficModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficModel)
public:
    enum Column {
        TimeColumn,
        SessionColumn,
        ClientColumn,
        NamespaceColumn,
        MethodColumn,
        ToolColumn,
        UpstreamColumn,
        StatusColumn,
        LatencyColumn,
        SizeColumn,
        ColumnCount
    };
    enum Role {
        MethodRole = Qt::UserRole + 1, // QString
        StatusCodeRole,                // int: 0 ok, 1 tool error, else JSON-RPC error code
        NamespaceRole,                 // QString
        SearchTextRole,                // QString: the texts a free-text filter looks at, lower case
        SeqRole,                       // quint64
        LatencyUsRole,                 // qint64
    };

    static constexpr qsizetype kDefaultCapacity = 10'000;
    static constexpr int kFlushIntervalMs = 200;

    explicit TrafficModel(qsizetype capacity = kDefaultCapacity, QObject *parent = nullptr);
    ~TrafficModel() override;

    qsizetype capacity() const { return m_capacity; }
    // Drops the oldest rows if the new capacity is smaller.
    void setCapacity(qsizetype capacity);

    // Queues events; they become rows on the next flush.
    void append(const QList<CallEvent> &events);
    // Applies the queued events now (tests, export).
    void flush();
    qsizetype pendingCount() const { return m_pending.size(); }

    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    void clear();

    // Total number of events that ever became rows (rows dropped by the ring included).
    quint64 totalCount() const { return m_total; }

    const CallEvent &event(int row) const;
    // Row of the event with `seq`, or -1 if it has left the ring.
    int rowOfSeq(quint64 seq) const;
    // One JSON object per event, as written by exportJsonl().
    static QJsonObject eventToJson(const CallEvent &event);
    // JSON Lines of the given rows (in the given order).
    QByteArray toJsonl(const QList<int> &rows) const;

    // Every method and namespace seen so far (for the filter combo boxes), sorted.
    QStringList methods() const;
    QStringList namespaces() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void methodSeen(const QString &method);
    void namespaceSeen(const QString &ns);
    void pendingChanged(qsizetype pending);

private:
    const CallEvent &at(int row) const { return m_ring[std::size_t((m_head + row) % m_capacity)]; }

    qsizetype m_capacity;
    std::vector<CallEvent> m_ring; // grows up to m_capacity, then wraps
    qsizetype m_head = 0;          // index of the oldest row
    qsizetype m_count = 0;
    QList<CallEvent> m_pending;
    bool m_paused = false;
    quint64 m_total = 0;
    QSet<QString> m_methods;
    QSet<QString> m_namespaces;
    QTimer *m_flushTimer;
};

} // namespace metamcp::ui
