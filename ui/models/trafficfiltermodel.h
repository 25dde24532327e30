#pragma once

// Filters the traffic inspector's rows: free text, method, status class and namespace.
// One setter per filter; filterAcceptsRow reads TrafficModel's custom roles.

#include <QSortFilterProxyModel>

namespace metamcp::ui {

class TrafficFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficFilterModel)
public:
    enum class StatusFilter { All, Ok, Errors, ToolErrors };

    explicit TrafficFilterModel(QObject *parent = nullptr);

    // Case-insensitive; every whitespace-separated word must occur.
    void setText(const QString &text);
    // Exact method; empty: any.
    void setMethod(const QString &method);
    void setStatusFilter(StatusFilter filter);
    // Exact namespace; empty: any.
    void setNamespace(const QString &ns);

    QString text() const { return m_words.join(QLatin1Char(' ')); }
    QString method() const { return m_method; }
    StatusFilter statusFilter() const { return m_status; }
    QString ns() const { return m_ns; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    QString m_method;
    StatusFilter m_status = StatusFilter::All;
    QString m_ns;
};

} // namespace metamcp::ui
