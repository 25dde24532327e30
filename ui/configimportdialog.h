#pragma once

// File → Import configuration…: what a configuration document (JSON or YAML,
// docs/CONFIG-AS-CODE.md) would change, before anything changes. The file is read once; a dry
// run through Gateway::applyConfiguration checks it completely (schema, names, references,
// secret references) and compares it with what runs. The preview lists every added, changed and
// removed item in the words of `metamcpd apply` (configdoc::describe); Apply runs the same bytes
// for real and then lists what changed. A document with problems lists them (each naming its
// path) and changes nothing; a document that matches says "no changes".
//
// Nothing here waits for the gateway thread: each step answers through the facade's callback on
// the GUI thread, and the dialog follows with its state().

#include "services/configservice.h"

#include <QByteArray>
#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ConfigImportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigImportDialog)
public:
    enum class State {
        Checking,  // dry run under way
        Preview,   // changes listed, Apply enabled
        NoChanges, // the configuration already is what the document says
        Invalid,   // the document cannot be read or has problems: nothing changed
        Applying,  // Apply under way
        Applied,   // changes() are the changes made
        Failed,    // Apply refused: nothing changed
    };
    Q_ENUM(State)

    // Reads `path` and starts the dry run at once.
    ConfigImportDialog(Gateway *gateway, const QString &path, QWidget *parent = nullptr);

    State state() const { return m_state; }
    QString path() const { return m_path; }
    // The changes the preview lists (after Apply: the changes made).
    QList<ConfigChange> changes() const { return m_changes; }
    // The problems of an Invalid document or a Failed apply, one per entry.
    QStringList errors() const { return m_errors; }

    // Applies the previewed document (only in state Preview).
    void apply();

    void reject() override; // not while applying: the outcome is about to be shown

Q_SIGNALS:
    void stateChanged(metamcp::ui::ConfigImportDialog::State state);
    // After a successful Apply.
    void applied(const QList<metamcp::ConfigChange> &changes);

private:
    void finishDryRun(const QString &error, const QList<ConfigChange> &changes);
    void finishApply(const QString &error, const QList<ConfigChange> &changes);
    void showChanges(const QList<ConfigChange> &changes);
    void showErrors(const QStringList &errors);
    void setState(State state, const QString &summary);

    Gateway *m_gateway;
    QString m_path;
    QString m_fileName;
    QByteArray m_document;
    State m_state = State::Checking;
    QList<ConfigChange> m_changes;
    QStringList m_errors;
    QLabel *m_summary;
    QTreeWidget *m_changeTree;
    QPlainTextEdit *m_errorText;
    QPushButton *m_apply;
    QPushButton *m_cancel;
};

} // namespace metamcp::ui
