#pragma once

// The tool registry of one namespace (as exposed: prefixed, renamed, described), including
// disabled tools. The check box of the name column enables/disables a tool; the model
// updates at once and asks for the override through enabledChangeRequested().

#include "model/events.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace metamcp::ui {

class ToolModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolModel)
public:
    enum Column { NameColumn, ServerColumn, DescriptionColumn, ColumnCount };
    enum Role {
        ExposedNameRole = Qt::UserRole + 1, // QString
        ServerRole,                         // QString
        UpstreamNameRole,                   // QString
        EnabledRole,                        // bool
        SearchTextRole,                     // QString, lower case
    };

    explicit ToolModel(QObject *parent = nullptr);

    QString ns() const { return m_ns; }
    // Replaces the tools; rows are matched by server + upstream tool name so that a
    // selection survives renames and reloads.
    void setTools(const QString &ns, const QList<ToolInfo> &tools);
    const ToolInfo &tool(int row) const { return m_tools.at(row); }
    int rowOf(const QString &server, const QString &upstreamName) const;
    int rowOfExposedName(const QString &exposedName) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void enabledChangeRequested(const metamcp::ToolInfo &tool, bool enabled);

private:
    QString m_ns;
    QList<ToolInfo> m_tools;
};

// Free-text search over name, server and description; optionally hides disabled tools.
class ToolFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolFilterModel)
public:
    explicit ToolFilterModel(QObject *parent = nullptr);
    void setSearchText(const QString &text);
    void setShowDisabled(bool show);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_words;
    bool m_showDisabled = true;
};

} // namespace metamcp::ui
