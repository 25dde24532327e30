#include "models/namespacemodel.h"

namespace metamcp::ui {

NamespaceModel::NamespaceModel(QObject *parent)
    : QAbstractListModel(parent)
{}

int NamespaceModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_namespaces.size(); ++i)
        if (m_namespaces.at(i).name == name)
            return i;
    return -1;
}

void NamespaceModel::setNamespaces(const QList<NamespaceConfig> &namespaces)
{
    for (int i = int(m_namespaces.size()) - 1; i >= 0; --i) {
        const QString &name = m_namespaces.at(i).name;
        const bool kept = std::any_of(namespaces.cbegin(), namespaces.cend(),
                                      [&name](const NamespaceConfig &n) { return n.name == name; });
        if (!kept) {
            beginRemoveRows({}, i, i);
            m_namespaces.removeAt(i);
            endRemoveRows();
        }
    }
    for (const NamespaceConfig &ns : namespaces) {
        const int row = rowOf(ns.name);
        if (row >= 0) {
            if (!(m_namespaces.at(row) == ns)) {
                m_namespaces[row] = ns;
                Q_EMIT dataChanged(index(row), index(row));
            }
            continue;
        }
        // "default" stays on top; others keep the configuration's order.
        const int at = ns.name == kDefaultNamespace ? 0 : int(m_namespaces.size());
        beginInsertRows({}, at, at);
        m_namespaces.insert(at, ns);
        endInsertRows();
    }
}

int NamespaceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_namespaces.size());
}

QVariant NamespaceModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const NamespaceConfig &ns = m_namespaces.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return ns.name;
    case Qt::ToolTipRole:
        return ns.description.isEmpty()
                   ? tr("%n server(s)", nullptr, int(ns.servers.size()))
                   : ns.description + QLatin1Char('\n') + tr("%n server(s)", nullptr, int(ns.servers.size()));
    case ServersRole:
        return ns.servers;
    }
    return {};
}

} // namespace metamcp::ui
