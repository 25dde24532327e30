#pragma once

// The configured upstream servers with their live status (Servers panel, Dashboard).
// Configuration comes from Gateway::configChanged, status from upstreamStateChanged and the
// once-a-second MetricSample; rows are diffed by name so views keep their selection, and
// dataChanged names only the roles that changed.

#include "model/config.h"
#include "model/events.h"

#include <QAbstractTableModel>

namespace metamcp::ui {

class ServerModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerModel)
public:
    enum Column { NameColumn, KindColumn, StateColumn, ToolsColumn, InFlightColumn, TargetColumn, ColumnCount };
    enum Role {
        NameRole = Qt::UserRole + 1, // QString
        StateRole,                   // int (UpstreamState)
        ReasonRole,                  // QString
        KindRole,                    // int (UpstreamKind)
        WarningRole,                 // QString: what the admin should act on ("" = nothing)
    };

    explicit ServerModel(QObject *parent = nullptr);

    void setServers(const QList<UpstreamConfig> &servers);
    void setStatuses(const QList<UpstreamStatus> &statuses);
    void setState(const QString &name, UpstreamState state, const QString &reason);

    int rowOf(const QString &name) const;
    UpstreamConfig config(int row) const { return m_rows.at(row).config; }
    UpstreamStatus status(int row) const { return m_rows.at(row).status; }
    QStringList names() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        UpstreamConfig config;
        UpstreamStatus status;
    };
    void updateStatus(int row, const UpstreamStatus &status);

    QList<Row> m_rows;
};

} // namespace metamcp::ui
