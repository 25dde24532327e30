#include "models/toolmodel.h"

namespace metamcp::ui {

ToolModel::ToolModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ToolModel::rowOf(const QString &server, const QString &upstreamName) const
{
    for (int i = 0; i < m_tools.size(); ++i)
        if (m_tools.at(i).server == server && m_tools.at(i).upstreamName == upstreamName)
            return i;
    return -1;
}

int ToolModel::rowOfExposedName(const QString &exposedName) const
{
    for (int i = 0; i < m_tools.size(); ++i)
        if (m_tools.at(i).exposedName == exposedName)
            return i;
    return -1;
}

static bool sameTool(const ToolInfo &a, const ToolInfo &b)
{
    return a.exposedName == b.exposedName && a.enabled == b.enabled && a.description == b.description &&
           a.tool == b.tool;
}

void ToolModel::setTools(const QString &ns, const QList<ToolInfo> &tools)
{
    if (ns != m_ns) {
        beginResetModel();
        m_ns = ns;
        m_tools = tools;
        endResetModel();
        return;
    }
    for (int i = int(m_tools.size()) - 1; i >= 0; --i) {
        const ToolInfo &old = m_tools.at(i);
        const bool kept = std::any_of(tools.cbegin(), tools.cend(), [&old](const ToolInfo &t) {
            return t.server == old.server && t.upstreamName == old.upstreamName;
        });
        if (!kept) {
            beginRemoveRows({}, i, i);
            m_tools.removeAt(i);
            endRemoveRows();
        }
    }
    for (const ToolInfo &tool : tools) {
        const int row = rowOf(tool.server, tool.upstreamName);
        if (row >= 0) {
            if (!sameTool(m_tools.at(row), tool)) {
                m_tools[row] = tool;
                Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
            }
            continue;
        }
        const int at = int(m_tools.size());
        beginInsertRows({}, at, at);
        m_tools.append(tool);
        endInsertRows();
    }
}

int ToolModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tools.size());
}

int ToolModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ToolModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ToolInfo &t = m_tools.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return t.exposedName;
        case ServerColumn:
            return t.server;
        case DescriptionColumn:
            return t.description.section(QLatin1Char('\n'), 0, 0);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == DescriptionColumn)
            return t.description;
        if (index.column() == NameColumn && t.exposedName != t.upstreamName)
            return tr("Upstream name: %1").arg(t.upstreamName);
        return {};
    case Qt::CheckStateRole:
        if (index.column() == NameColumn)
            return t.enabled ? Qt::Checked : Qt::Unchecked;
        return {};
    case ExposedNameRole:
        return t.exposedName;
    case ServerRole:
        return t.server;
    case UpstreamNameRole:
        return t.upstreamName;
    case EnabledRole:
        return t.enabled;
    case SearchTextRole:
        return QString(t.exposedName + QLatin1Char('\n') + t.server + QLatin1Char('\n') + t.upstreamName +
                       QLatin1Char('\n') + t.description)
            .toLower();
    }
    return {};
}

bool ToolModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        role != Qt::CheckStateRole || index.column() != NameColumn)
        return false;
    const bool enabled = value.value<Qt::CheckState>() == Qt::Checked;
    ToolInfo &t = m_tools[index.row()];
    if (t.enabled == enabled)
        return true;
    t.enabled = enabled;
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole, EnabledRole});
    Q_EMIT enabledChangeRequested(t, enabled);
    return true;
}

Qt::ItemFlags ToolModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == NameColumn)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant ToolModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Tool");
    case ServerColumn:
        return tr("Server");
    case DescriptionColumn:
        return tr("Description");
    }
    return {};
}

ToolFilterModel::ToolFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{}

void ToolFilterModel::setSearchText(const QString &text)
{
    const QStringList words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateRowsFilter();
}

void ToolFilterModel::setShowDisabled(bool show)
{
    if (show == m_showDisabled)
        return;
    m_showDisabled = show;
    invalidateRowsFilter();
}

bool ToolFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_showDisabled && !index.data(ToolModel::EnabledRole).toBool())
        return false;
    const QString haystack = index.data(ToolModel::SearchTextRole).toString();
    for (const QString &word : m_words)
        if (!haystack.contains(word))
            return false;
    return true;
}

} // namespace metamcp::ui
