#pragma once

// A form generated from a tool's JSON Schema (Try it): strings, numbers, integers, booleans,
// enums, arrays and nested objects get their own editors, pre-filled with defaults; anything
// the form cannot express (anyOf, tuples, free-form objects) gets a JSON text editor.
// validate() checks required fields, types, ranges, lengths and patterns, shows the message
// under each field and returns them all.
//
// Editors are named after their path and widget class, e.g. "messageLineEdit",
// "options.countLineEdit", "tags[0]LineEdit", so tests can find them.

#include <QJsonObject>
#include <QJsonValue>
#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace metamcp::ui {

class SchemaField : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchemaField)
public:
    SchemaField(const QJsonObject &schema, const QString &path, bool required, QWidget *parent);

    // The value, or undefined when the field is left empty.
    virtual QJsonValue value() const = 0;
    virtual void setValue(const QJsonValue &value) = 0;
    // Validates this field and its children; shows and returns the messages ("path: text").
    virtual QStringList validate();

    QString path() const { return m_path; }
    bool isRequired() const { return m_required; }
    const QJsonObject &schema() const { return m_schema; }

    // The editor for `schema` (after resolving local $refs against `root`).
    static SchemaField *create(const QJsonObject &schema, const QJsonObject &root, const QString &path, bool required,
                               QWidget *parent, int depth = 0);

Q_SIGNALS:
    void changed();

protected:
    QVBoxLayout *contentLayout() const { return m_content; }
    // Shows `message` under the field (empty: hides it); returns the list to pass on.
    QStringList setError(const QString &message);
    QString editorName(const QString &widgetClass) const;

private:
    QJsonObject m_schema;
    QString m_path;
    bool m_required;
    QVBoxLayout *m_content;
    QLabel *m_errorLabel;
};

class SchemaForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchemaForm)
public:
    explicit SchemaForm(QWidget *parent = nullptr);

    void setSchema(const QJsonObject &schema);
    QJsonObject schema() const { return m_schema; }
    // The arguments object for tools/call (fields left empty are omitted).
    QJsonObject arguments() const;
    void setArguments(const QJsonObject &arguments);
    // Empty when valid; otherwise the messages, also shown under the fields.
    QStringList validate();

Q_SIGNALS:
    void changed();

private:
    QJsonObject m_schema;
    SchemaField *m_root = nullptr;
    QVBoxLayout *m_layout;
};

} // namespace metamcp::ui
