#include "models/trafficfiltermodel.h"

#include "models/trafficmodel.h"

namespace metamcp::ui {

TrafficFilterModel::TrafficFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{}

void TrafficFilterModel::setText(const QString &text)
{
    const QStringList words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateRowsFilter();
}

void TrafficFilterModel::setMethod(const QString &method)
{
    if (method == m_method)
        return;
    m_method = method;
    invalidateRowsFilter();
}

void TrafficFilterModel::setStatusFilter(StatusFilter filter)
{
    if (filter == m_status)
        return;
    m_status = filter;
    invalidateRowsFilter();
}

void TrafficFilterModel::setNamespace(const QString &ns)
{
    if (ns == m_ns)
        return;
    m_ns = ns;
    invalidateRowsFilter();
}

bool TrafficFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_method.isEmpty() && index.data(TrafficModel::MethodRole).toString() != m_method)
        return false;
    if (!m_ns.isEmpty() && index.data(TrafficModel::NamespaceRole).toString() != m_ns)
        return false;
    if (m_status != StatusFilter::All) {
        const int status = index.data(TrafficModel::StatusCodeRole).toInt();
        switch (m_status) {
        case StatusFilter::Ok:
            if (status != 0)
                return false;
            break;
        case StatusFilter::Errors:
            if (status == 0)
                return false;
            break;
        case StatusFilter::ToolErrors:
            if (status != 1)
                return false;
            break;
        case StatusFilter::All:
            break;
        }
    }
    if (!m_words.isEmpty()) {
        const QString haystack = index.data(TrafficModel::SearchTextRole).toString();
        for (const QString &word : m_words)
            if (!haystack.contains(word))
                return false;
    }
    return true;
}

} // namespace metamcp::ui
