#include "models/servermodel.h"

#include "common/uiutil.h"

#include <QGuiApplication>
#include <QPalette>

namespace metamcp::ui {

ServerModel::ServerModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ServerModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).config.name == name)
            return i;
    return -1;
}

QStringList ServerModel::names() const
{
    QStringList list;
    for (const Row &row : m_rows)
        list.append(row.config.name);
    return list;
}

void ServerModel::setServers(const QList<UpstreamConfig> &servers)
{
    // Removed servers, from the bottom so row numbers stay valid.
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        const QString &name = m_rows.at(i).config.name;
        const bool kept =
            std::any_of(servers.cbegin(), servers.cend(), [&name](const UpstreamConfig &s) { return s.name == name; });
        if (!kept) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        }
    }
    // Changed and new ones.
    for (const UpstreamConfig &server : servers) {
        const int row = rowOf(server.name);
        if (row >= 0) {
            if (!(m_rows.at(row).config == server)) {
                m_rows[row].config = server;
                m_rows[row].status.kind = server.kind;
                Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1),
                                   {Qt::DisplayRole, Qt::ToolTipRole, KindRole});
            }
            continue;
        }
        const int at = int(m_rows.size());
        beginInsertRows({}, at, at);
        Row r;
        r.config = server;
        r.status.name = server.name;
        r.status.kind = server.kind;
        m_rows.append(r);
        endInsertRows();
    }
}

void ServerModel::updateStatus(int row, const UpstreamStatus &status)
{
    Row &r = m_rows[row];
    const bool stateChanged = r.status.state != status.state || r.status.reason != status.reason ||
                              r.status.warning != status.warning || r.status.instances != status.instances;
    const bool countsChanged = r.status.toolCount != status.toolCount || r.status.inFlight != status.inFlight;
    r.status.serverInfo = status.serverInfo;
    if (!stateChanged && !countsChanged)
        return;
    r.status.state = status.state;
    r.status.reason = status.reason;
    r.status.warning = status.warning;
    r.status.instances = status.instances;
    r.status.isolation = status.isolation;
    r.status.toolCount = status.toolCount;
    r.status.inFlight = status.inFlight;
    if (stateChanged)
        Q_EMIT dataChanged(index(row, StateColumn), index(row, StateColumn),
                           {Qt::DisplayRole, Qt::DecorationRole, Qt::ToolTipRole, StateRole, ReasonRole, WarningRole});
    if (countsChanged)
        Q_EMIT dataChanged(index(row, ToolsColumn), index(row, InFlightColumn), {Qt::DisplayRole});
}

void ServerModel::setStatuses(const QList<UpstreamStatus> &statuses)
{
    for (const UpstreamStatus &status : statuses) {
        const int row = rowOf(status.name);
        if (row >= 0)
            updateStatus(row, status);
    }
}

void ServerModel::setState(const QString &name, UpstreamState state, const QString &reason)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    UpstreamStatus status = m_rows.at(row).status;
    status.state = state;
    status.reason = reason;
    updateStatus(row, status);
}

int ServerModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ServerModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString targetOf(const UpstreamConfig &c)
{
    if (c.kind == UpstreamKind::Stdio)
        return joinCommandLine(c.command, c.args);
    return c.url.toString();
}

QVariant ServerModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return r.config.name;
        case KindColumn:
            return kindDisplayName(r.config.kind);
        case StateColumn: {
            if (!r.config.enabled)
                return tr("Disabled");
            QString text = stateDisplayName(r.status.state);
            if (r.status.instances > 0)
                text += tr(" (+%n isolated)", nullptr, r.status.instances);
            if (!r.status.warning.isEmpty())
                text += tr(" – needs isolation");
            return text;
        }
        case ToolsColumn:
            return r.status.toolCount;
        case InFlightColumn:
            return r.status.inFlight;
        case TargetColumn:
            return targetOf(r.config);
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == StateColumn && !r.status.warning.isEmpty() && r.status.state == UpstreamState::Ready)
            return dotIcon(QColor(0xd9, 0x8c, 0x00)); // amber: running, but something needs the admin
        if (index.column() == StateColumn)
            return dotIcon(stateColor(r.status.state, QGuiApplication::palette()));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == StateColumn && !(r.status.reason.isEmpty() && r.status.warning.isEmpty())) {
            if (r.status.reason.isEmpty() || r.status.warning.isEmpty())
                return QString(r.status.reason + r.status.warning);
            return QString(r.status.reason + u'\n' + r.status.warning);
        }
        if (index.column() == TargetColumn)
            return targetOf(r.config);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == ToolsColumn || index.column() == InFlightColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case NameRole:
        return r.config.name;
    case StateRole:
        return int(r.status.state);
    case ReasonRole:
        return r.status.reason;
    case WarningRole:
        return r.status.warning;
    case KindRole:
        return int(r.config.kind);
    }
    return {};
}

QVariant ServerModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Type");
    case StateColumn:
        return tr("State");
    case ToolsColumn:
        return tr("Tools");
    case InFlightColumn:
        return tr("In flight");
    case TargetColumn:
        return tr("Command or URL");
    }
    return {};
}

} // namespace metamcp::ui
