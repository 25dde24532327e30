#pragma once

// The namespaces of the gateway configuration ("default" first), diffed by name.

#include "model/config.h"

#include <QAbstractListModel>

namespace metamcp::ui {

class NamespaceModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NamespaceModel)
public:
    enum Role {
        NameRole = Qt::UserRole + 1, // QString
        ServersRole,                 // QStringList
    };

    explicit NamespaceModel(QObject *parent = nullptr);

    void setNamespaces(const QList<NamespaceConfig> &namespaces);
    int rowOf(const QString &name) const;
    const NamespaceConfig &ns(int row) const { return m_namespaces.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    QList<NamespaceConfig> m_namespaces;
};

} // namespace metamcp::ui
