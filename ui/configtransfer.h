#pragma once

// File → Export configuration… and Import configuration…: the console's side of configuration
// as code, the same documents as `metamcpd export` and `metamcpd apply` (docs/CONFIG-AS-CODE.md).
// Export asks the gateway for the document (Gateway::exportConfiguration: secrets as keychain
// references, never their values) and writes it, JSON or YAML by the file's suffix or else the
// chosen filter. Import opens a ConfigImportDialog (preview, then Apply).
//
// The file dialogs are opened with open(), not exec(), and every gateway call answers through a
// callback: nothing here runs a nested event loop or waits for the gateway thread.

#include "services/configdocument.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>

class QFileDialog;
class QWidget;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ConfigImportDialog;

class ConfigTransfer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigTransfer)
public:
    // Dialogs and messages are shown over `window`.
    ConfigTransfer(Gateway *gateway, QWidget *window);

    // A save dialog (YAML or JSON); the chosen file is written by exportTo().
    QFileDialog *chooseExportFile();
    // Writes the configuration to `path` (YAML for *.yaml/*.yml, JSON for *.json, else `format`,
    // else JSON). Answers with exported(); an error is also shown in a message box.
    void exportTo(const QString &path, std::optional<configdoc::Format> format = std::nullopt);

    // An open dialog; the chosen file goes to importFrom().
    QFileDialog *chooseImportFile();
    // Opens the preview of importing `path` (the dialog deletes itself when closed).
    ConfigImportDialog *importFrom(const QString &path);

Q_SIGNALS:
    // After exportTo(): `error` empty on success.
    void exported(const QString &path, const QString &error);
    // A short outcome for the status bar.
    void message(const QString &text);

private:
    QString startDirectory() const;

    Gateway *m_gateway;
    QPointer<QWidget> m_window;
    QString m_lastDirectory;
};

} // namespace metamcp::ui
